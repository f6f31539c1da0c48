/**
 * One serving engine per SQLite file (docs/storage.md, "One engine per file"; issue 14): a second
 * engine on a file a live one holds refuses before it touches anything, naming the file and the
 * holder's PID; the first engine's calls end as if nothing had happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { StoreError } from '../src/store/store-error.ts';
import { startAppServer } from './support/app-server.ts';
import { startServe } from './support/serve-process.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));

test('an exclusive store refuses a file another holds, names the holder, and frees it at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
  const db = join(dir, 'sb.db');
  try {
    const first = new SqliteStore(db, { exclusive: true });
    await first.migrate();
    assert.throws(
      () => new SqliteStore(db, { exclusive: true }),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === 'locked' &&
        err.message === `database ${db} is in use by another Switchboard engine (PID ${process.pid}): stop it first, or give this one another --db (nothing was changed)`,
    );
    // A reader (the CLI, a report) is not an engine: it opens the file alongside.
    const reader = new SqliteStore(db);
    assert.equal(await reader.getSetting('nothing'), undefined);
    await reader.close();
    await first.close();
    const second = new SqliteStore(db, { exclusive: true });
    await second.close();
    // :memory: has no file to share.
    const a = new SqliteStore(':memory:', { exclusive: true });
    const b = new SqliteStore(':memory:', { exclusive: true });
    await a.close();
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second serve on a live SQLite file exits 1 naming the holder; the first engine\'s calls end normally', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
  const db = join(dir, 'sb.db');
  const app = await startAppServer();
  app.on('/answer', () => '<Response><Wait length="3"/></Response>');
  const account = { authId: 'MALOCKTEST0000000001', authToken: 'lock-test-auth-token-0123456789abcdefgh' };
  const first = await startServe({ db, ...account, seed: 1 });
  try {
    const sim = await first.api('POST', 'Simulator/Number/', { number: '15554000001', script: 'ring 200ms, answer, hangup after 1s' });
    assert.equal(sim.status, 201);
    const uuids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await first.api('POST', 'Call/', { from: '+15550000000', to: '15554000001', answer_url: app.url('/answer'), hangup_url: app.url('/hangup') });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      uuids.push(res.body.request_uuid as string);
    }

    // The second engine starts while the three calls are live.
    const second = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', String(first.port), '--host', '127.0.0.1', '--db', db], {
        env: { ...BASE_ENV, SWITCHBOARD_AUTH_ID: account.authId, SWITCHBOARD_AUTH_TOKEN: account.authToken },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(second.code, 1, second.stderr);
    assert.equal(second.stdout, '');
    assert.equal(
      second.stderr,
      `switchboard: database ${db} is in use by another Switchboard engine (PID ${first.pid}): stop it first, or give this one another --db (nothing was changed)\n`,
    );

    const hangups = await app.waitFor((_r, all) => all.filter((r) => r.path === '/hangup').length >= 3, 30_000).then(() => app.requests('/hangup'));
    assert.deepEqual(hangups.map((r) => r.params.HangupCause).sort(), ['NORMAL_CLEARING', 'NORMAL_CLEARING', 'NORMAL_CLEARING']);
    assert.deepEqual(hangups.map((r) => r.params.RequestUUID).sort(), [...uuids].sort());
    await first.kill('SIGTERM');
    assert.equal(app.requests('/hangup').length, 3, 'one hangup report per call');

    // Nothing in the file says "engine-restart": the refused engine recovered nothing.
    const reader = new SqliteStore(db);
    try {
      const { rows } = await reader.listCalls({ limit: 100, offset: 0 });
      assert.equal(rows.length, 3);
      for (const row of rows) {
        assert.equal(row.call_status, 'completed');
        const events = await reader.listEvents(row.call_uuid);
        assert.equal(events.filter((e) => e.type === 'leg.ended').length, 1);
        assert.ok(!JSON.stringify(events).includes('engine-restart'), `no restart event on ${row.call_uuid}`);
      }
    } finally {
      await reader.close();
    }
  } finally {
    await first.kill('SIGKILL');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
