/**
 * A call's notification reaches the app before the synchronous fetch recorded after it
 * (webhooks/outbox.ts): the fetch waits until the notification's request is on the wire, not for
 * its response, and at most ORDER_WAIT_MS. The sender here stands in for the network so that the
 * moment a request goes on the wire is the test's to choose (on loopback a fresh connection takes
 * a few milliseconds, which is exactly the race this rule closes, and cannot be timed from outside).
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
  /** Puts the request on the wire (calls onSent). */
  wire(): void;
  /** Ends the attempt with a 200, or with a connect error when `refused`. */
  finish(refused?: boolean): void;
}

/** A sender whose requests go on the wire, and end, when the test says. */
function manualSender(): WebhookSender & { sent: Sent[]; onWire: string[] } {
  const sent: Sent[] = [];
  const onWire: string[] = [];
  return {
    sent,
    onWire,
    send(req) {
      return new Promise<AttemptResult>((resolve) => {
        const path = new URL(req.url).pathname.slice(1);
        const base = { body: '<Response/>', bodyTruncated: false, storedBody: '', latencyMs: 1, requestUrl: req.url, requestHeaders: {} };
        sent.push({
          path,
          req,
          wire: () => {
            onWire.push(path);
            req.onSent?.();
          },
          finish: (refused) =>
            resolve(refused ? { ...base, ok: false, error: { kind: 'refused', message: 'refused by the webhook target policy' } } : { ...base, ok: true, statusCode: 200 }),
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

test('a fetch waits until the notification queued before it is on the wire, not for its response', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb'], 'the fetch is held while the notification is not on the wire');
    r.sender.sent[0]!.wire();
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb', 'action'], 'on the wire: the fetch goes, the response is not waited for');
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
    r.sender.sent[0]!.finish();
  } finally {
    await turns();
    await r.close();
  }
});

test('a notification queued behind another of the call holds the fetch until it, too, is on the wire', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb1', false), await r.record('cb2', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.sender.sent[0]!.wire();
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb1'], 'cb2 waits for cb1\'s response, and the fetch for cb2');
    r.sender.sent[0]!.finish();
    await turns();
    r.sender.sent[1]!.wire();
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb1', 'cb2', 'action']);
    r.sender.sent[2]!.finish();
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});

test('a notification that never reaches the wire holds the fetch at most ORDER_WAIT_MS', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.ioClock.advance(ORDER_WAIT_MS - 1);
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb']);
    r.ioClock.advance(1);
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['cb', 'action']);
    assert.deepEqual(r.sender.onWire, []);
    r.sender.sent[1]!.finish();
    assert.equal((await fetched).ok, true);
    r.sender.sent[0]!.finish();
  } finally {
    await turns();
    await r.close();
  }
});

test('a round that ends without reaching the wire (a refused target) releases the fetch at once', async () => {
  const r = await rig();
  try {
    r.outbox.submit([await r.record('cb', false)]);
    const fetched = r.outbox.fetch(await r.record('action', true));
    await turns();
    r.sender.sent[0]!.finish(true);
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path).slice(0, 2), ['cb', 'action']);
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
    await turns();
    assert.deepEqual(r.sender.sent.map((s) => s.path), ['action']);
    r.sender.sent[0]!.finish();
    assert.equal((await fetched).ok, true);
  } finally {
    await turns();
    await r.close();
  }
});
