/**
 * `switchboard migrate` (docs/storage.md, "Migrations"): applies the numbered list once and says
 * what it did; a second run finds it up to date; a SQLite file an engine serves is refused. With
 * SWITCHBOARD_TEST_PG it runs against a fresh PostgreSQL database as well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrations } from '../src/store/migrations/index.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { cleanEnv } from './support/child-env.ts';
import { TEST_PG, freshTestDb } from './support/test-db.ts';

const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
const LATEST = migrations.length;

function switchboard(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv({}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const appliedLines = migrations.map((m) => `applied ${String(m.version).padStart(3, '0')} ${m.name}`).join('\n');

test('migrate on a SQLite file: every migration once, then up to date; refused while an engine holds the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
  const db = join(dir, 'sb.db');
  try {
    const first = await switchboard(['migrate', '--db', db]);
    assert.equal(first.stderr, '');
    assert.equal(first.code, 0);
    assert.equal(first.stdout, `${appliedLines}\n${db} is at migration ${LATEST}\n`);
    const again = await switchboard(['migrate', '--db', db, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { database: db, applied: [], version: LATEST });

    const held = new SqliteStore(db, { exclusive: true });
    try {
      const refused = await switchboard(['migrate', '--db', db]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stdout, '');
      assert.equal(refused.stderr, `switchboard: database ${db} is in use by another Switchboard engine (PID ${process.pid}): stop it first, or give this one another --db (nothing was changed)\n`);
    } finally {
      await held.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migrate on PostgreSQL: every migration once, then up to date', { skip: TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG (scripts/pg-cluster.sh start)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
  const pg = await freshTestDb(dir);
  try {
    const first = await switchboard(['migrate', '--db', pg.db]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${appliedLines}\n${pg.db} is at migration ${LATEST}\n`);
    // Two at once: the advisory lock lets one apply and the other find nothing left to do.
    await pg.drop();
    const again = await freshTestDb(dir);
    const both = await Promise.all([switchboard(['migrate', '--db', again.db, '--json']), switchboard(['migrate', '--db', again.db, '--json'])]);
    const applied = both.map((r) => (assert.equal(r.code, 0, r.stderr), JSON.parse(r.stdout).applied as number[]));
    assert.deepEqual(applied.map((a) => a.length).sort((x, y) => x - y), [0, LATEST]);
    await again.drop();
  } finally {
    await pg.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
