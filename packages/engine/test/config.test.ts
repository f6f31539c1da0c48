import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError, DEFAULTS } from '../src/config/config.ts';

test('defaults: 127.0.0.1:8080, ./data/switchboard.db, seed 1, 24 h retries', () => {
  const c = loadConfig({}, {});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.dbPath, './data/switchboard.db');
  assert.equal(c.sim.seed, 1);
  assert.equal(c.sim.defaultScript, DEFAULTS.defaultScript);
  assert.equal(c.sim.networkTimeoutMs, 32_000);
  assert.equal(c.webhooks.retryForMs, 86_400_000);
  assert.equal(c.billingIncrementS, 60);
  assert.equal(c.authId, undefined);
});

test('flags win over the environment, the environment over defaults', () => {
  const env = { SWITCHBOARD_PORT: '9000', SWITCHBOARD_HOST: '0.0.0.0', SWITCHBOARD_DB: '/tmp/a.db' };
  assert.equal(loadConfig({}, env).port, 9000);
  assert.equal(loadConfig({ port: '9001' }, env).port, 9001);
  assert.equal(loadConfig({}, env).host, '0.0.0.0');
  assert.equal(loadConfig({ db: '/tmp/b.db' }, env).dbPath, '/tmp/b.db');
  assert.equal(loadConfig({ 'webhook-retry-for': '0' }, {}).webhooks.retryForMs, 0);
  assert.equal(loadConfig({ 'webhook-retry-for': '90m' }, {}).webhooks.retryForMs, 5_400_000);
  assert.equal(loadConfig({ 'play-length': '1500ms' }, {}).media.playMs, 1500);
});

const BAD: Array<[Record<string, string>, Record<string, string>, string]> = [
  [{ port: 'eighty' }, {}, '--port: must be a whole number, got "eighty"'],
  [{ port: '70000' }, {}, '--port: must be between 0 and 65535, got 70000'],
  [{}, { SWITCHBOARD_PORT: '-1' }, '--port: must be between 0 and 65535, got -1'],
  [{ host: 'a b' }, {}, '--host: not a host name or address: "a b"'],
  [{}, { SWITCHBOARD_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX' }, 'SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN must be set together (or neither, for a generated development pair)'],
  [{}, { SWITCHBOARD_AUTH_ID: 'MA-bad!', SWITCHBOARD_AUTH_TOKEN: 'secret-token' }, 'SWITCHBOARD_AUTH_ID: letters and digits only (Plivo\'s shape is MA + 18), got "MA-bad!"'],
  [{}, { SWITCHBOARD_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX', SWITCHBOARD_AUTH_TOKEN: 'short' }, 'SWITCHBOARD_AUTH_TOKEN: at least 8 characters'],
  [{ seed: '1.5' }, {}, '--seed: must be a whole number, got "1.5"'],
  [{ 'webhook-retry-for': 'forever' }, {}, '--webhook-retry-for: must be a duration like 30s, 10m, 24h or a number of seconds, got "forever"'],
  [{ 'log-level': 'loud' }, {}, '--log-level: one of fatal, error, warn, info, debug, trace, silent; got "loud"'],
  [{ 'inbound-answer-url': 'ftp://x' }, {}, '--inbound-answer-url: must be an absolute http(s) URL, got "ftp://x"'],
  [{ 'billing-increment': '0' }, {}, '--billing-increment: must be between 1 and 3600, got 0'],
];

for (const [flags, env, message] of BAD) {
  test(`rejects ${JSON.stringify({ ...flags, ...env })}`, () => {
    assert.throws(() => loadConfig(flags, env), (err: unknown) => err instanceof ConfigError && err.message === message);
  });
}

test('a flag without its value is an error', () => {
  assert.throws(() => loadConfig({ port: true }, {}), { message: '--port: needs a value' });
});
