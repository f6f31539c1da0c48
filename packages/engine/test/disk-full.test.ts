/**
 * A full disk loses nothing (issue 13 item 8; docs/storage.md, "When the disk is full"), with a
 * real `serve` process whose database sits on a 20 MB tmpfs: calls are live when a filler file
 * takes the last byte; they end while nothing can be written; /readyz says so and new calls get
 * 503 SB_STORE_UNAVAILABLE; no hangup report can go out (it is written before it is sent). When
 * the filler goes, the held events are written in order and every call is reported exactly once,
 * with the cause and the times of its real end, not of the write.
 *
 * Needs root (mount). CI runs as root; elsewhere the test is skipped and says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startAppServer } from './support/app-server.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { sleep, waitUntil } from './support/delivery-log.ts';
import { fillDisk, SMALL_DISK_SKIP, withSmallDisk } from './support/small-disk.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const AUTH_ID = 'MADISKFULLTEST000001';
const AUTH_TOKEN = 'disk-full-test-token';
const CALLS = 12;
/** Each call's document holds it this long after answer; the disk fills within it. */
const WAIT_S = 5;
/** How long the disk stays full after the last call ended: the reports' times must not move with it. */
const FULL_AFTER_END_MS = 3000;

const secondsOf = (time: string): number => Date.parse(time.replace(' ', 'T'));

test('a full disk holds the events of calls that end meanwhile and reports them when space returns', { skip: SMALL_DISK_SKIP }, (t) => withSmallDisk(20, 'sb-diskfull-', async (mnt) => {
  const app = await startAppServer();
  app.on('/answer', `<Response><Wait length="${WAIT_S}"/></Response>`);
  let engine: ServeProcess | undefined;
  const filler = join(mnt, 'filler');
  try {
    const db = join(mnt, 'sb.db');
    engine = await startServe({ db, authId: AUTH_ID, authToken: AUTH_TOKEN, seed: 11, extraArgs: ['--default-script', 'answer', '--grace', '60s'] });
    const api = engine.api;
    for (let i = 0; i < CALLS; i++) {
      const placed = await api('POST', 'Call/', { from: '15550000000', to: `1555000${100 + i}`, answer_url: app.url('/answer'), hangup_url: app.url('/hangup') });
      assert.equal(placed.status, 201);
    }
    await app.waitFor((_r, all) => all.filter((r) => r.path === '/answer').length === CALLS, 15_000);
    const uuids = app.requests('/answer').map((r) => r.params.CallUUID!);
    // Filled once every answer fetch is on record: a call whose next step needs a write (a fetch)
    // waits for the disk, and these calls should end on their own while it is full.
    await waitUntil('the answer fetches stored', async () => {
      const done = await api('GET', 'Webhook/?kind=answer&status=delivered');
      return done.body?.meta?.total_count === CALLS ? true : undefined;
    }, 10_000, 50);
    fillDisk(filler);
    const filledAt = Date.now();

    // A new call cannot be stored, so it is not placed.
    const refused = await api('POST', 'Call/', { from: '15550000000', to: '15550009999', answer_url: app.url('/answer') });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'SB_STORE_UNAVAILABLE');
    assert.match(refused.body.error, /^insert call [0-9a-f-]{36}: the database cannot write: database or disk is full/);

    // Every call ends on the network while nothing can be written: none is live any more, though
    // each session still holds its end until the disk takes it.
    await waitUntil('every call ended', async () => {
      for (const uuid of uuids) {
        const live = await api('GET', `Call/${uuid}/?status=live`);
        if (live.status !== 404) return undefined;
      }
      return true;
    }, (WAIT_S + 10) * 1000, 100);
    const ready = await api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.calls, 'ok');
    assert.match(ready.body.checks.store, /^the database cannot write: database or disk is full \(\d+ writes held in memory\)$/);
    const again = await api('POST', 'Call/', { from: '15550000000', to: '15550009999', answer_url: app.url('/answer') });
    assert.equal(again.status, 503);
    assert.equal(again.body.code, 'SB_STORE_UNAVAILABLE');
    await sleep(FULL_AFTER_END_MS);
    assert.deepEqual(app.requests('/hangup'), [], 'a report is sent only once it is stored');

    unlinkSync(filler);
    const freedAt = Date.now();
    await app.waitFor((_r, all) => all.filter((r) => r.path === '/hangup').length === CALLS, 15_000);
    const writtenAt = Date.now();
    t.diagnostic(`disk full for ${freedAt - filledAt} ms; ${CALLS} hangup reports ${writtenAt - freedAt} ms after space returned`);

    const hangups = app.requests('/hangup');
    assert.deepEqual(hangups.map((h) => h.params.CallUUID).sort(), [...uuids].sort(), 'each call reported exactly once');
    for (const h of hangups) {
      const p = h.params;
      assert.deepEqual(
        [p.CallStatus, p.HangupCause, p.HangupCauseCode, p.HangupCauseName, p.HangupSource],
        ['completed', 'NORMAL_CLEARING', '4010', 'End Of XML Instructions', 'Plivo'],
      );
      assert.ok(Number(p.Duration) >= WAIT_S && Number(p.Duration) <= WAIT_S + 2, `Duration ${p.Duration}`);
      // The end is when the call ended, seconds before the write that stored it.
      const end = secondsOf(p.EndTime!);
      assert.ok(end >= filledAt - 1000 && end <= freedAt - FULL_AFTER_END_MS + 1000, `EndTime ${p.EndTime} (disk full ${new Date(filledAt).toISOString()}..${new Date(freedAt).toISOString()})`);
    }
    const readyAgain = await api('GET', '/readyz');
    assert.deepEqual([readyAgain.status, readyAgain.body.checks.store], [200, 'ok']);
    const placedAgain = await api('POST', 'Call/', { from: '15550000000', to: '15550009998', answer_url: app.url('/answer') });
    assert.equal(placedAgain.status, 201);

    await engine.kill('SIGTERM');
    assert.equal(engine.child.exitCode, 0);
    assert.equal(engine.logs().filter((l) => l.msg === 'the store cannot write: writes are held in memory and retried, new calls are refused').length, 1);
    assert.equal(engine.logs().filter((l) => l.msg === 'the store writes again: the held writes are stored').length, 1);

    // The database holds every event once, in order, and owes nothing.
    const store = new SqliteStore(db);
    try {
      assert.deepEqual(await store.listLiveCalls(), []);
      for (const uuid of uuids) {
        const events = await store.listEvents(uuid);
        assert.deepEqual(events.map((e) => e.seq), events.map((_e, i) => i + 1));
        assert.equal(events.filter((e) => e.type === 'leg.ended').length, 1);
        assert.deepEqual(events.map((e) => e.at), [...events.map((e) => e.at)].sort((a, b) => a - b), `events of ${uuid} in time order`);
        const call = await store.getCall(uuid);
        assert.equal(call?.hangup_cause_code, 4010);
        const deliveries = await store.listDeliveries(uuid);
        assert.deepEqual(deliveries.map((d) => [d.kind, d.status]), [['answer', 'delivered'], ['hangup', 'delivered']]);
      }
    } finally {
      await store.close();
    }
  } finally {
    await engine?.kill('SIGKILL');
    await app.close();
  }
}));
