/**
 * Draining that ends (issue 13 item 7; docs/cli.md, "Stopping"), with a real `serve` process
 * (STYLE.md §12): on SIGTERM /readyz answers 503 at once, a new call gets 503 + Retry-After in
 * Plivo's error shape, an open live-feed stream is ended by the engine, and the process exits as
 * soon as its one live call has ended and its hangup report is delivered, long before --grace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { startAppServer } from './support/app-server.ts';
import { startServe } from './support/serve-process.ts';
import { waitUntil } from './support/delivery-log.ts';

const AUTH_ID = 'MADRAINTEST000000001';
const AUTH_TOKEN = 'drain-test-token';
/** Far longer than the test may take: an exit near it would mean the drain waited it out. */
const GRACE_S = 120;
/** The live call's document holds it this long after answer. */
const WAIT_S = 3;

test('SIGTERM with an SSE client and a live call: 503s at once, the stream ends, exit when the call ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-drain-'));
  const app = await startAppServer();
  app.on('/answer', `<Response><Wait length="${WAIT_S}"/></Response>`);
  const engine = await startServe({
    db: join(dir, 'sb.db'),
    authId: AUTH_ID,
    authToken: AUTH_TOKEN,
    seed: 7,
    extraArgs: ['--grace', `${GRACE_S}s`, '--default-script', 'answer'],
  });
  try {
    // A dashboard / `switchboard tail` watching everything.
    const basic = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
    const sse = await request(`${engine.base}/v1/Account/${AUTH_ID}/Events/`, { headers: { authorization: basic } });
    assert.equal(sse.statusCode, 200);
    let streamed = '';
    const streamEnded = (async () => {
      for await (const chunk of sse.body) streamed += chunk.toString();
      return performance.now();
    })();

    const placed = await engine.api('POST', 'Call/', { from: '15550000000', to: '15550001', answer_url: app.url('/answer'), hangup_url: app.url('/hangup') });
    assert.equal(placed.status, 201);
    await app.waitFor((r) => r.path === '/answer', 10_000);
    const callUuid = app.requests('/answer')[0]!.params.CallUUID!;
    await waitUntil('the call on the live feed', () => (streamed.includes(callUuid) ? true : undefined), 5000);
    assert.equal((await engine.api('GET', '/readyz')).status, 200);

    const sentAt = performance.now();
    process.kill(engine.pid, 'SIGTERM');
    await waitUntil('the shutting-down log line', () => (engine.logs().some((l) => l.msg === 'shutting down') ? true : undefined), 10_000);

    const ready = await engine.api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'not ready', checks: { store: 'ok', calls: 'shutting down' } });

    const refused = await request(`${engine.base}/v1/Account/${AUTH_ID}/Call/`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '15550000000', to: '15550002', answer_url: app.url('/answer') }),
    });
    const refusedBody = (await refused.body.json()) as Record<string, unknown>;
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal(typeof refusedBody.api_id, 'string');
    assert.deepEqual({ ...refusedBody, api_id: 'x' }, { api_id: 'x', error: 'Switchboard is shutting down and takes no new calls', code: 'SB_SHUTTING_DOWN' });

    // The engine ends the stream itself; the client did nothing.
    const endedAt = await streamEnded;
    assert.ok(endedAt - sentAt < 5000, `the live feed ended ${Math.round(endedAt - sentAt)} ms after SIGTERM`);

    // The call was never cut: it ended when its document did, and was reported before the exit.
    const exit = await engine.exited;
    const exitMs = performance.now() - sentAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(exitMs < WAIT_S * 1000 + 10_000, `exited ${Math.round(exitMs)} ms after SIGTERM (grace ${GRACE_S} s)`);
    const hangups = app.requests('/hangup');
    assert.equal(hangups.length, 1);
    const h = hangups[0]!.params;
    assert.deepEqual(
      [h.CallUUID, h.CallStatus, h.HangupCause, h.HangupCauseCode, h.HangupCauseName, h.HangupSource],
      [callUuid, 'completed', 'NORMAL_CLEARING', '4010', 'End Of XML Instructions', 'Plivo'],
    );
    // Real time: the Wait plus however long the answer fetch took on a busy machine.
    assert.ok(Number(h.Duration) >= WAIT_S && Number(h.Duration) <= WAIT_S + 2, `Duration ${h.Duration}`);
    t.diagnostic(`exit ${Math.round(exitMs)} ms after SIGTERM; stream ended after ${Math.round(endedAt - sentAt)} ms`);
    assert.ok(app.requests().length === 2, `nothing but the answer fetch and the hangup report: ${app.requests().map((r) => r.path).join(', ')}`);
    assert.ok(engine.logs().some((l) => l.msg === 'stopped'));
  } finally {
    await engine.kill('SIGKILL');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second SIGTERM ends the grace at once: the live call is closed with 8010 and reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-drain-'));
  const app = await startAppServer();
  app.on('/answer', '<Response><Wait length="3600"/></Response>');
  const engine = await startServe({
    db: join(dir, 'sb.db'),
    authId: AUTH_ID,
    authToken: AUTH_TOKEN,
    seed: 8,
    extraArgs: ['--grace', `${GRACE_S}s`, '--default-script', 'answer'],
  });
  try {
    const placed = await engine.api('POST', 'Call/', { from: '15550000000', to: '15550001', answer_url: app.url('/answer'), hangup_url: app.url('/hangup') });
    assert.equal(placed.status, 201);
    await app.waitFor((r) => r.path === '/answer', 10_000);
    const sentAt = performance.now();
    process.kill(engine.pid, 'SIGTERM');
    await waitUntil('the shutting-down log line', () => (engine.logs().some((l) => l.msg === 'shutting down') ? true : undefined), 10_000);
    assert.equal(app.requests('/hangup').length, 0, 'the first signal does not cut the call');
    process.kill(engine.pid, 'SIGTERM');
    const exit = await engine.exited;
    const exitMs = performance.now() - sentAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(exitMs < 15_000, `exited ${Math.round(exitMs)} ms after the first SIGTERM (grace ${GRACE_S} s)`);
    const hangups = app.requests('/hangup');
    assert.equal(hangups.length, 1);
    const h = hangups[0]!.params;
    assert.deepEqual(
      [h.CallStatus, h.HangupCause, h.HangupCauseCode, h.HangupCauseName, h.HangupSource],
      ['completed', 'NORMAL_TEMPORARY_FAILURE', '8010', 'Engine Restart', 'Error'],
    );
    assert.ok(engine.logs().some((l) => l.msg === 'second signal: closing the live calls now'));
    t.diagnostic(`exit ${Math.round(exitMs)} ms after the first SIGTERM`);
  } finally {
    await engine.kill('SIGKILL');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
