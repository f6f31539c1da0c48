// The live feed builds an item's payload only when someone takes it (issue 18 item 4,
// docs/performance.md "Hot path"): not with no subscriber, not for a subscriber whose filter leaves
// it out; the cluster relay takes every item. The metrics count from the facts the journal and the
// outbox tell them (events/call-facts.ts), so their figures are exact with nobody watching and the
// same with a watcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { LiveFeed, type FeedData, type FeedItem } from '../src/events/live-feed.ts';
import { withHarness, type Harness } from './support/harness.ts';
import { closedPort } from './support/delivery-log.ts';

/** A payload builder that counts its calls. */
function counted(): { data: () => FeedItem['data']; calls: () => number } {
  let n = 0;
  return { data: () => ({ n: ++n }), calls: () => n };
}

test('with no subscriber, a payload builder is never called, even one that throws', () => {
  const feed = new LiveFeed();
  const b = counted();
  feed.publish('event', 1, 'CA1', b.data);
  feed.publish('delivery', 2, 'CA1', b.data, 'SA1');
  assert.equal(b.calls(), 0);
  assert.doesNotThrow(() =>
    feed.publish('event', 3, 'CA1', () => {
      throw new Error('built with nobody listening');
    }),
  );
});

test('a payload is built only for an item some subscriber filter takes, once however many take it', () => {
  const feed = new LiveFeed();
  const b = counted();
  const got: FeedItem[] = [];
  const offs = [
    feed.subscribe({ callUuid: 'CA2' }, (i) => got.push(i)),
    feed.subscribe({ kinds: new Set(['delivery'] as const) }, (i) => got.push(i)),
    feed.subscribe({ account: 'SA1' }, (i) => got.push(i)),
  ];
  // Another call, another kind, another account: left out by every filter.
  feed.publish('event', 1, 'CA1', b.data, null);
  assert.equal(b.calls(), 0);
  assert.equal(got.length, 0);

  feed.publish('event', 2, 'CA2', b.data, null); // the first subscriber's call
  feed.publish('delivery', 3, 'CA1', b.data, 'SA1'); // the second's kind and the third's account
  assert.equal(b.calls(), 2);
  assert.deepEqual(got.map((i) => [i.at, i.data]), [[2, { n: 1 }], [3, { n: 2 }], [3, { n: 2 }]]);

  for (const off of offs) off();
  feed.publish('event', 4, 'CA2', b.data);
  assert.equal(b.calls(), 2);
});

test('the cluster relay takes every item, watched or not; a plain object payload is passed as it is', () => {
  const feed = new LiveFeed();
  const relayed: Array<Omit<FeedItem, 'id'>> = [];
  feed.relay = (item) => relayed.push(item);
  const b = counted();
  feed.publish('event', 1, 'CA1', b.data, 'SA1');
  const plain: FeedData = { type: 'leg.ended' };
  feed.publish('delivery', 2, 'CA1', plain);
  assert.equal(b.calls(), 1);
  assert.deepEqual(relayed, [
    { kind: 'event', at: 1, call_uuid: 'CA1', account: 'SA1', data: { n: 1 } },
    { kind: 'delivery', at: 2, call_uuid: 'CA1', account: null, data: { type: 'leg.ended' } },
  ]);
  assert.equal(relayed[1]!.data, plain);
});

const A = '15551110001';
const B = '15552220001';

/** Counts every publish on the engine's feed and every payload it builds. */
function countBuilds(h: Harness): { published: number; built: number; events: number } {
  const seen = { published: 0, built: 0, events: 0 };
  const feed = h.engine.feed;
  const publish = feed.publish.bind(feed);
  feed.publish = (kind, at, callUuid, data, account) => {
    seen.published++;
    if (kind === 'event') seen.events++;
    const counting: FeedData = typeof data === 'function' ? () => (seen.built++, data()) : (seen.built++, data);
    publish(kind, at, callUuid, counting, account);
  };
  return seen;
}

/**
 * One call: ring_url refused (two network errors, then dead: --webhook-retry-for 0), answer_url
 * dials B, who answers and hangs up; the Dial's action answers; hangup_url answers 500 (dead).
 */
async function placeCall(h: Harness, ringUrl: string, hangups: number): Promise<void> {
  const res = await h.call({ to: A, ring_url: ringUrl, hangup_url: h.app.url('/hangup-bad') });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await h.waitFor('/hangup-bad', hangups);
  await h.settle();
}

/** The call and webhook counters of /metrics, one `name{labels} value` line each; sums left out (latency). */
async function counters(h: Harness): Promise<Record<string, number>> {
  const body = await (await request(`${h.base}/metrics`)).body.text();
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^(switchboard_(?:calls_ended|dials|hangups|webhook_attempts|webhook_failures|webhook_dead)_total\{[^}]*\}|switchboard_webhook_request_duration_seconds_count\{[^}]*\}) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

const ONE_CALL: Readonly<Record<string, number>> = {
  'switchboard_calls_ended_total{leg="a",status="completed"}': 1,
  'switchboard_calls_ended_total{leg="b",status="completed"}': 1,
  'switchboard_dials_total{status="completed"}': 1,
  'switchboard_hangups_total{leg="a",cause="NORMAL_CLEARING",code="4010",source="Plivo"}': 1,
  'switchboard_hangups_total{leg="b",cause="NORMAL_CLEARING",code="4000",source="Callee"}': 1,
  'switchboard_webhook_attempts_total{webhook="ring",outcome="network_error"}': 2,
  'switchboard_webhook_attempts_total{webhook="answer",outcome="success"}': 1,
  'switchboard_webhook_attempts_total{webhook="action",outcome="success"}': 1,
  'switchboard_webhook_attempts_total{webhook="hangup",outcome="http_error"}': 1,
  'switchboard_webhook_failures_total{webhook="ring",reason="network_error"}': 2,
  'switchboard_webhook_failures_total{webhook="hangup",reason="http_error"}': 1,
  'switchboard_webhook_dead_total{webhook="ring"}': 1,
  'switchboard_webhook_dead_total{webhook="hangup"}': 1,
  'switchboard_webhook_request_duration_seconds_count{webhook="ring"}': 2,
  'switchboard_webhook_request_duration_seconds_count{webhook="answer"}': 1,
  'switchboard_webhook_request_duration_seconds_count{webhook="action"}': 1,
  'switchboard_webhook_request_duration_seconds_count{webhook="hangup"}': 1,
};

test('metrics count exactly with nobody watching the feed, which builds nothing, and the same with a watcher', async () => {
  await withHarness(
    async (h) => {
      await h.sim(A, 'ring 1s, answer');
      await h.sim(B, 'ring 2s, answer, hangup after 10s');
      h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>${B}</Number></Dial></Response>`);
      h.app.on('/action', '<Response/>');
      h.app.on('/hangup-bad', { status: 500 });
      const ringUrl = `http://127.0.0.1:${await closedPort()}/ring`;
      const seen = countBuilds(h);

      assert.equal(h.engine.feed.subscribers, 0);
      assert.equal(h.engine.feed.quiet, true);
      await placeCall(h, ringUrl, 1);
      // The journal does not even publish to a quiet feed (16 events a call: not a builder each);
      // the outbox's items reach it and are not built.
      assert.equal(seen.events, 0, 'the journal published to a feed nobody watches');
      assert.ok(seen.published >= 5, `the outbox published (${seen.published})`);
      assert.equal(seen.built, 0, 'no payload was built');
      assert.deepEqual(await counters(h), ONE_CALL);

      // A watcher: every item is built and shown; the counts go on exactly as before.
      const items: FeedItem[] = [];
      const off = h.engine.feed.subscribe({}, (i) => items.push(i));
      const before = seen.published;
      await placeCall(h, ringUrl, 2);
      off();
      assert.ok(seen.events >= 10, `the journal published every event to a watched feed (${seen.events})`);
      assert.equal(seen.built, seen.published - before);
      assert.equal(items.length, seen.built);
      assert.ok(items.some((i) => i.data.type === 'leg.ended') && items.some((i) => i.data.status === 'dead'));
      assert.deepEqual(await counters(h), Object.fromEntries(Object.entries(ONE_CALL).map(([k, v]) => [k, 2 * v])));
    },
    { flags: { 'webhook-retry-for': '0' } },
  );
});
