/**
 * A call's notification reaches the app before the synchronous fetch recorded after it
 * (webhooks/outbox.ts): the fetch waits until the notifications queued before it have been
 * answered, at most ORDER_WAIT_MS, and never behind one in backoff. The sender here stands in for
 * the network so that the moment each request is answered is the test's to choose (the race this
 * closes — a notification on a fresh connection read by the app after a fetch sent later on a warm
 * one — cannot be timed from outside on loopback).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, ORDER_WAIT_MS } from '../src/webhooks/outbox.ts';
import type { AttemptResult, SendRequest, WebhookSender } from '../src/webhooks/http-sender.ts';
import { VirtualClock } from '../src/clock.ts';
import { Activity } from '../src/util/activity.ts';
import { DEFAULT_BACKOFF } from '../src/webhooks/backoff.ts';
import type { DeliveryRow, NewDelivery } from '../src/store/store.ts';
import { openTestStore } from './support/test-db.ts';
import { callRow } from './support/call-rows.ts';

const CALL = '0e8a3c52-7d1f-4c0e-9d55-2b0b1f0a7c11';

interface Sent {
  path: string;
  req: SendRequest;
  /** Ends the attempt: a 200, or `status` (a 503 is retried after a backoff), or a refused target. */
  finish(outcome?: 'refused' | number): void;
}

/** A sender whose requests are answered when the test says. */
function manualSender(): WebhookSender & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    send(req) {
      return new Promise<AttemptResult>((resolve) => {
        const path = new URL(req.url).pathname.slice(1);
        const base = { body: '<Response/>', bodyTruncated: false, storedBody: '', latencyMs: 1, requestUrl: req.url, requestHeadersJson: '{}' };
        sent.push({
          path,
          req,
          finish: (outcome = 200) =>
            resolve(
              outcome === 'refused'
                ? { ...base, ok: false, error: { kind: 'refused', message: 'refused by the webhook target policy' } }
                : { ...base, ok: outcome < 300, statusCode: outcome },
            ),
        });
      });
    },
  };
}

async function rig() {
  const { store, close } = await openTestStore();
  await store.insertCall(callRow({ call_uuid: CALL }));
  const clock = new VirtualClock();
  const ioClock = new VirtualClock();
  const sender = manualSender();
  const outbox = new Outbox({
    store,
    sender,
    clock,
    ioClock,
    activity: new Activity(),
    log: { warn() {}, debug() {} },
    backoff: DEFAULT_BACKOFF,
    perHostConcurrency: 4,
  });
  let n = 0;
  const delivery = (path: string, synchronous: boolean): NewDelivery => ({
    id: `d${++n}`, kind: synchronous ? 'action' : 'callback', event: path, url: `http://127.0.0.1:9/${path}`, method: 'POST', params: { Event: path }, synchronous,
  });
  const record = async (path: string, synchronous: boolean): Promise<DeliveryRow> =>
    (await store.record({ callUuid: CALL, at: clock.now(), type: 'leg.ringing', deliveries: [delivery(path, synchronous)] })).deliveries[0]!;
  return { store, close, outbox, sender, ioClock, record };
}

/** Lets every pending promise and I/O callback run. */
const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Turns the event loop until `count` requests were sent (a store's round trip may come first on PostgreSQL). */
async function sentCount(r: { sender: { sent: Sent[] } }, count: number): Promise<void> {
  for (let i = 0; i < 20_000 && r.sender.sent.length < count; i++) await new Promise((res) => setImmediate(res));
}

const paths = (r: { sender: { sent: Sent[] } }) => r.sender.sent.map((s) => s.path);

test('a fetch waits until the notification queued before it has been answered', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    assert.deepEqual(paths(r), ['cb'], 'the fetch is held while the notification is unanswered');
    r.sender.sent[0]!.finish();
    await sentCount(r, 2);
    assert.deepEqual(paths(r), ['cb', 'action']);
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});

test('every notification queued before the fetch holds it, in order', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb1', false), await r.record('cb2', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.sender.sent[0]!.finish();
    await sentCount(r, 2);
    await turns();
    assert.deepEqual(paths(r), ['cb1', 'cb2']);
    r.sender.sent[1]!.finish();
    await sentCount(r, 3);
    assert.deepEqual(paths(r), ['cb1', 'cb2', 'action']);
    r.sender.sent[2]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});

test('an unanswered notification holds the fetch at most ORDER_WAIT_MS', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.ioClock.advance(ORDER_WAIT_MS - 1);
    await turns();
    assert.deepEqual(paths(r), ['cb']);
    r.ioClock.advance(1);
    await sentCount(r, 2);
    assert.deepEqual(paths(r), ['cb', 'action']);
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
    r.sender.sent[0]!.finish();
  } finally {
    await turns();
    await r.close();
  }
});

test('a failed round ends the wait as an answer does', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.sender.sent[0]!.finish('refused');
    await sentCount(r, 2);
    assert.deepEqual(paths(r), ['cb', 'action']);
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});

test('a notification in backoff, and those parked behind it, do not hold a fetch', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb1', false)]);
    await turns();
    r.sender.sent[0]!.finish(503); // the URL's policy does not retry 503: cb1 goes into backoff
    await turns();
    r.outbox.submit([await r.record('cb2', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await sentCount(r, 2);
    await turns();
    assert.deepEqual(paths(r), ['cb1', 'action'], 'cb2 waits behind cb1, the fetch does not');
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    r.outbox.close();
    await turns();
    await r.close();
  }
});

test('a fetch with no notification of its call queued goes out at once', async () => {
  const r = await rig();
  try {
    const fetched = r.outbox.fetch(await r.record('action', true));
    await sentCount(r, 1);
    assert.deepEqual(paths(r), ['action']);
    r.sender.sent[0]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});
