#!/usr/bin/env node
// The engine's test files that run again on PostgreSQL (`npm run test:pg -w @switchboard/engine`,
// from packages/engine): every file whose store comes from the test harness, which gives it a fresh
// PostgreSQL database when SWITCHBOARD_TEST_PG is set (test/support/test-db.ts). Found by what the
// file imports, so a new test file is covered without editing a list. Left out, because they would
// only run again on SQLite: the SIP files (their rig times real SIP exchanges and keeps a SQLite
// file), and files that test SQLite itself (the file lock, a full disk), the CLI's own processes,
// parsers and the dashboard's browser pages.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'test';
const usesHarnessStore = /from '\.\/support\/(harness|test-db)\.ts'|\bTEST_PG\b/;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith('sip-'))
  .filter((f) => usesHarnessStore.test(readFileSync(join(dir, f), 'utf8')))
  .sort()
  .map((f) => join(dir, f));
process.stdout.write(files.join(' ') + '\n');
