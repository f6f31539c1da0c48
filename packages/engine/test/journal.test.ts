// The journal writes one call's events in order (calls/journal.ts): a record that fails is reported
// and never stops the events after it, even when the reporter itself throws. Runs on the harness's
// store (SQLite, or PostgreSQL with SWITCHBOARD_TEST_PG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Journal, type RecordInput } from '../src/calls/journal.ts';
import { LiveFeed } from '../src/events/live-feed.ts';
import { Activity } from '../src/util/activity.ts';
import type { Outbox } from '../src/webhooks/outbox.ts';
import type { NewDelivery, Store } from '../src/store/store.ts';
import { callRow } from './support/call-rows.ts';
import { openTestStore } from './support/test-db.ts';

/** The events here owe no webhook: the outbox is only told of none. */
const noOutbox = { submit: () => undefined } as unknown as Outbox;

/** A delivery every store refuses (its method), so the record carrying it fails as a whole. */
const refused = { id: 'd-refused', kind: 'ring', event: 'Ring', url: 'http://app.test/ring', method: 'PATCH', params: {}, synchronous: false } as unknown as NewDelivery;

/** A fresh store holding one queued call, closed (and on PostgreSQL dropped) after `fn`. */
async function withCall(callUuid: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const { store, close } = await openTestStore();
  try {
    await store.insertCall(callRow({ call_uuid: callUuid }));
    await fn(store);
  } finally {
    await close();
  }
}

test('a failed record is reported, resolves with no deliveries, and the events after it are still written, in order', async () => {
  await withCall('c-1', async (store) => {
    const reported: RecordInput[] = [];
    const journal = new Journal(store, noOutbox, new Activity(), (_err, input) => {
      reported.push(input);
      throw new Error('the reporter fails too');
    });
    const first = journal.record({ callUuid: 'c-1', at: 1_001, type: 'leg.ringing', data: { n: 1 } });
    const failed = journal.record({ callUuid: 'c-1', at: 1_002, type: 'leg.answered', data: { n: 2 }, deliveries: [refused] });
    const third = journal.record({ callUuid: 'c-1', at: 1_003, type: 'leg.ended', data: { n: 3 } });
    assert.deepEqual(await failed, []);
    await Promise.all([first, third]);
    await journal.flushed();
    assert.deepEqual(reported.map((r) => r.at), [1_002]);
    const events = await store.listEvents('c-1');
    assert.deepEqual(
      events.map((e) => [e.seq, e.type, JSON.parse(e.data)]),
      [
        [1, 'leg.ringing', { n: 1 }],
        [2, 'leg.ended', { n: 3 }],
      ],
    );
  });
});

test("write() rejects with the store's error, and the call's next record still goes", async () => {
  await withCall('c-2', async (store) => {
    const journal = new Journal(store, noOutbox, new Activity(), () => assert.fail('write() reports nothing: its caller has the error'));
    await assert.rejects(journal.write({ callUuid: 'c-2', at: 1_001, type: 'leg.ringing', deliveries: [refused] }), /method/);
    await journal.record({ callUuid: 'c-2', at: 1_002, type: 'leg.answered' });
    assert.deepEqual((await store.listEvents('c-2')).map((e) => e.type), ['leg.answered']);
  });
});

test('a quiet feed is not published to; a watched one gets every event, in order', async () => {
  await withCall('c-3', async (store) => {
    const feed = new LiveFeed();
    let published = 0;
    const publish = feed.publish.bind(feed);
    feed.publish = (...args) => {
      published++;
      publish(...args);
    };
    const journal = new Journal(store, noOutbox, new Activity(), () => assert.fail('nothing fails here'), 'c-3', feed);
    assert.equal(feed.quiet, true);
    await journal.record({ callUuid: 'c-3', at: 1_001, type: 'leg.ringing' });
    assert.equal(published, 0);
    const seen: string[] = [];
    const off = feed.subscribe({}, (item) => seen.push(String(item.data.type)));
    assert.equal(feed.quiet, false);
    await journal.record({ callUuid: 'c-3', at: 1_002, type: 'leg.answered' });
    await journal.record({ callUuid: 'c-3', at: 1_003, type: 'leg.ended' });
    off();
    assert.deepEqual(seen, ['leg.answered', 'leg.ended']);
    assert.equal(published, 2);
  });
});
