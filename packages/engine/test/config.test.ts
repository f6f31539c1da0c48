import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError, DEFAULTS } from '../src/config/config.ts';

const DEFAULT_CONFIG = loadConfig({}, {});

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
  [{ 'webhook-deny': '10.0.0.0/40' }, {}, '--webhook-deny: "10.0.0.0/40": the prefix length must be 0-32'],
  [{}, { SWITCHBOARD_WEBHOOK_ALLOW: 'hooks.example.com, not a host' }, '--webhook-allow: "not a host" is neither a CIDR, an IP address nor a host name'],
];

test('--webhook-allow / --webhook-deny: comma lists of CIDRs and host names from flags, environment or file', () => {
  assert.deepEqual([DEFAULT_CONFIG.webhooks.allow, DEFAULT_CONFIG.webhooks.deny], [[], []]);
  const c = loadConfig({ 'webhook-deny': '10.0.0.0/8, metadata.internal' }, { SWITCHBOARD_WEBHOOK_ALLOW: '*.example.com,192.0.2.0/24' });
  assert.deepEqual([c.webhooks.allow, c.webhooks.deny], [['*.example.com', '192.0.2.0/24'], ['10.0.0.0/8', 'metadata.internal']]);
  const f = loadConfig({}, {}, { name: 'config.json', data: { 'webhook-allow': 'hooks.example.com' } });
  assert.deepEqual(f.webhooks.allow, ['hooks.example.com']);
  assert.throws(() => loadConfig({}, {}, { name: 'config.json', data: { 'webhook-deny': 'a b' } }), /^ConfigError: config\.json: webhook-deny: "a b" is neither/);
});

for (const [flags, env, message] of BAD) {
  test(`rejects ${JSON.stringify({ ...flags, ...env })}`, () => {
    assert.throws(() => loadConfig(flags, env), (err: unknown) => err instanceof ConfigError && err.message === message);
  });
}

test('--commit-interval: none by default, a duration up to 100ms; a bare number is seconds and too long', () => {
  assert.equal(loadConfig({}, {}).commitIntervalMs, 0);
  assert.equal(loadConfig({ 'commit-interval': '2ms' }, {}).commitIntervalMs, 2);
  assert.equal(loadConfig({}, { SWITCHBOARD_COMMIT_INTERVAL: '5ms' }).commitIntervalMs, 5);
  assert.equal(loadConfig({ 'commit-interval': '100ms' }, {}).commitIntervalMs, 100);
  assert.throws(() => loadConfig({ 'commit-interval': '2' }, {}), { message: '--commit-interval: at most 100ms, got 2000ms (a number alone is seconds: write 2ms)' });
  assert.throws(() => loadConfig({}, { SWITCHBOARD_COMMIT_INTERVAL: 'soon' }), /--commit-interval: must be a duration/);
});

test('a flag without its value is an error', () => {
  assert.throws(() => loadConfig({ port: true }, {}), { message: '--port: needs a value' });
});

// ---- the config file (--config FILE; docs/cli.md, docs/sip.md "Settings") ----------------------

const file = (data: unknown) => ({ name: 'config.json', data });

test('the file gives every flag by its long name; numbers as JSON numbers or strings', () => {
  const c = loadConfig({}, {}, file({
    host: '0.0.0.0', port: 9000, db: '/tmp/f.db', seed: '5', 'default-script': 'busy', 'network-timeout': 10, 'play-length': '1500ms',
    'billing-increment': 30, 'webhook-retry-for': '2h', 'webhook-concurrency': '4', 'inbound-answer-url': 'http://127.0.0.1:3000/in',
    'log-level': 'warn', grace: 5, sim: 'sim.json', 'auth-id': 'MATESTACCOUNT0000001', 'auth-token': 'secret-token',
  }));
  assert.deepEqual(
    [c.host, c.port, c.dbPath, c.sim.seed, c.sim.defaultScript, c.sim.networkTimeoutMs, c.media.playMs, c.billingIncrementS, c.webhooks.retryForMs, c.webhooks.perHostConcurrency, c.inboundAnswerUrl, c.logLevel, c.graceMs, c.simFile, c.authId, c.authToken],
    ['0.0.0.0', 9000, '/tmp/f.db', 5, 'busy', 10_000, 1500, 30, 7_200_000, 4, 'http://127.0.0.1:3000/in', 'warn', 5000, 'sim.json', 'MATESTACCOUNT0000001', 'secret-token'],
  );
  assert.equal(c.sip, undefined);
  assert.equal(loadConfig({}, {}).graceMs, 30_000);
});

test('flags win over the environment, the environment over the file, the file over defaults', () => {
  const f = file({ port: 9000, 'log-level': 'warn' });
  const env = { SWITCHBOARD_PORT: '9001' };
  assert.equal(loadConfig({ port: '9002' }, env, f).port, 9002);
  assert.equal(loadConfig({}, env, f).port, 9001);
  assert.equal(loadConfig({}, { SWITCHBOARD_PORT: '' }, f).port, 9000);
  assert.equal(loadConfig({}, {}, file({})).port, 8080);
  assert.equal(loadConfig({ 'log-level': 'error' }, {}, f).logLevel, 'error');
  // The account may come half from the file, half from the environment.
  const c = loadConfig({}, { SWITCHBOARD_AUTH_TOKEN: 'secret-token' }, file({ 'auth-id': 'MATESTACCOUNT0000001' }));
  assert.deepEqual([c.authId, c.authToken], ['MATESTACCOUNT0000001', 'secret-token']);
});

test('the sip object: listen addresses (text or objects), trunks with credentials, prefixes, caller-ID and dial rules, a listen address, DNS', () => {
  const c = loadConfig({}, {}, file({
    sip: {
      listen: ['0.0.0.0:5060', { host: '10.0.0.5', port: '5070', name: 'carrier-side' }],
      trunks: [
        {
          name: 'carrier-a', host: 'sip.carrier.example', transport: 'tcp', username: 'acct', password: 's3cret', prefixes: ['+1555', 44],
          callerId: { format: '+e164', default: '+15550001111', allowed: ['1555'] }, dial: { strip: '1', prepend: '011' }, listen: 'carrier-side',
        },
        { host: '192.0.2.10', port: 5080, listen: '0.0.0.0:5060' },
        'sip:pbx.example:5062;transport=tcp;prefix=7',
      ],
      dns: { servers: ['127.0.0.1:5353', '192.0.2.53'], refresh: '10m' },
    },
  }));
  assert.deepEqual(c.sip, {
    listen: [{ host: '0.0.0.0', port: 5060 }, { host: '10.0.0.5', port: 5070, name: 'carrier-side' }],
    trunks: [
      {
        name: 'carrier-a', host: 'sip.carrier.example', transport: 'tcp', prefixes: ['1555', '44'], username: 'acct', password: 's3cret',
        callerId: { format: '+e164', default: '15550001111', allowed: ['1555'] }, dial: { strip: '1', prepend: '011' }, listen: 'carrier-side',
      },
      { name: '192.0.2.10:5080', host: '192.0.2.10', port: 5080, transport: 'udp', prefixes: [], listen: '0.0.0.0:5060' },
      { name: 'pbx.example:5062', host: 'pbx.example', port: 5062, transport: 'tcp', prefixes: ['7'] },
    ],
    dns: { servers: ['127.0.0.1:5353', '192.0.2.53'], refreshMs: 600_000 },
  });
  // One address needs no list; without one the default address is used.
  assert.deepEqual(loadConfig({}, {}, file({ sip: { listen: '127.0.0.1:5070' } })).sip?.listen, [{ host: '127.0.0.1', port: 5070 }]);
  assert.deepEqual(loadConfig({}, {}, file({ sip: { trunks: [] } })).sip, { listen: [{ host: '127.0.0.1', port: 5060 }], trunks: [] });
});

test('--sip-listen and --sip-trunk (or their variables) replace the file\'s sip.listen and sip.trunks', () => {
  const f = file({ sip: { listen: ['127.0.0.1:5060', '127.0.0.1:5070'], trunks: [{ name: 'a', host: '192.0.2.1', port: 5060 }] } });
  const listenOnly = loadConfig({ 'sip-listen': '127.0.0.1:6060,127.0.0.2:6060' }, {}, f).sip!;
  assert.deepEqual(listenOnly.listen, [{ host: '127.0.0.1', port: 6060 }, { host: '127.0.0.2', port: 6060 }]);
  assert.deepEqual(listenOnly.trunks.map((t) => t.name), ['a']);
  const trunkOnly = loadConfig({}, { SWITCHBOARD_SIP_TRUNK: 'sip:192.0.2.9:5090' }, f).sip!;
  assert.equal(trunkOnly.listen.length, 2);
  assert.deepEqual(trunkOnly.trunks, [{ name: '192.0.2.9:5090', host: '192.0.2.9', port: 5090, transport: 'udp', prefixes: [] }]);
  // A trunk URI without a port leaves the port to RFC 3263 resolution.
  assert.equal(loadConfig({ 'sip-trunk': 'sip:carrier.example' }, {}).sip!.trunks[0]!.port, undefined);
});

test('the full example of docs/sip.md loads', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../../docs/sip.md', import.meta.url), 'utf8');
  const json = /```json\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## Settings')))?.[1];
  assert.ok(json, 'docs/sip.md has a JSON example under Settings');
  const c = loadConfig({}, {}, file(JSON.parse(json)));
  assert.ok(c.sip && c.sip.trunks.length >= 2 && c.sip.listen.length >= 2);
});

const BAD_FILES: Array<[unknown, string]> = [
  [[], 'config.json: must hold a JSON object'],
  [{ sip: { listen: '127.0.0.1:5060' }, 'sip-trunk': 'sip:x' }, 'config.json: sip-trunk: put trunks in sip.trunks'],
  [{ 'sip-listen': '127.0.0.1:5060' }, 'config.json: sip-listen: put listen addresses in sip.listen'],
  [{ port: true }, 'config.json: port: must be a number or a string, got true'],
  [{ host: 1 }, 'config.json: host: must be a string, got 1'],
  [{ port: 70000 }, 'config.json: port: must be between 0 and 65535, got 70000'],
  [{ port: '80.5' }, 'config.json: port: must be a whole number, got "80.5"'],
  [{ 'webhook-retry-for': 'forever' }, 'config.json: webhook-retry-for: must be a duration like 30s, 10m, 24h or a number of seconds, got "forever"'],
  [{ grace: 'later' }, 'config.json: grace: must be a duration like 30s, 10m, 24h or a number of seconds, got "later"'],
  [{ 'log-level': 'loud' }, 'config.json: log-level: one of fatal, error, warn, info, debug, trace, silent; got "loud"'],
  [{ 'auth-id': 'MATESTACCOUNT0000001' }, 'config.json: auth-id and auth-token must be set together (or neither, for a generated development pair)'],
  [{ 'auth-id': 'MA-bad!', 'auth-token': 'secret-token' }, 'config.json: auth-id: letters and digits only (Plivo\'s shape is MA + 18), got "MA-bad!"'],
  [{ sip: [] }, 'config.json: sip: must be an object, got []'],
  [{ sip: { trunk: [] } }, 'config.json: sip.trunk: unknown key (known: listen, trunks, dns, acceptFrom, udpBuffer)'],
  [{ sip: { listen: [] } }, 'config.json: sip.listen: must list at least one address'],
  [{ sip: { listen: ['nope'] } }, 'config.json: sip.listen[0]: must be HOST:PORT, got "nope"'],
  [{ sip: { listen: ['127.0.0.1:5060', { host: '127.0.0.1', port: 99999 }] } }, 'config.json: sip.listen[1].port: must be 0-65535, got 99999'],
  [{ sip: { listen: [{ port: 5060 }] } }, 'config.json: sip.listen[0].host: is required'],
  [{ sip: { listen: ['127.0.0.1:5060', { host: '127.0.0.1', port: 5060 }] } }, 'config.json: sip.listen[1]: 127.0.0.1:5060 is listed twice'],
  [{ sip: { listen: [{ host: '127.0.0.1', port: 5060, name: 'a' }, { host: '127.0.0.2', port: 5060, name: 'a' }] } }, 'config.json: sip.listen[1].name: "a" names two addresses'],
  [{ sip: { trunks: {} } }, 'config.json: sip.trunks: must be an array, got {}'],
  [{ sip: { trunks: [{ port: 5060 }] } }, 'config.json: sip.trunks[0].host: is required'],
  [{ sip: { trunks: [{ host: 'a b' }] } }, 'config.json: sip.trunks[0].host: not a host name or address: "a b"'],
  [{ sip: { trunks: [{ host: 'a.example', port: 5060 }, { host: 'b.example', port: 70000 }] } }, 'config.json: sip.trunks[1].port: must be 1-65535, got 70000'],
  [{ sip: { trunks: [{ host: 'a.example', port: '50x' }] } }, 'config.json: sip.trunks[0].port: must be 1-65535, got "50x"'],
  [{ sip: { trunks: [{ host: 'a.example', transport: 'tls' }] } }, 'config.json: sip.trunks[0].transport: must be "udp" or "tcp", got "tls"'],
  [{ sip: { trunks: [{ host: 'a.example', prefix: ['1'] }] } }, 'config.json: sip.trunks[0].prefix: unknown key (known: name, host, port, transport, username, password, prefixes, callerId, dial, listen)'],
  [{ sip: { trunks: [{ host: 'a.example', prefixes: ['1', '44x'] }] } }, 'config.json: sip.trunks[0].prefixes[1]: must be digits, got "44x"'],
  [{ sip: { trunks: [{ host: 'a.example', prefixes: '1' }] } }, 'config.json: sip.trunks[0].prefixes: must be an array, got "1"'],
  [{ sip: { trunks: [{ host: 'a.example', password: 'x' }] } }, 'config.json: sip.trunks[0].password: needs a username'],
  [{ sip: { trunks: [{ host: 'a.example', username: 7 }] } }, 'config.json: sip.trunks[0].username: must be a string, got 7'],
  [{ sip: { trunks: [{ host: 'a.example', name: '' }] } }, 'config.json: sip.trunks[0].name: must not be empty'],
  [{ sip: { trunks: [{ name: 'carrier-a', host: 'a.example' }, { name: 'carrier-a', host: 'b.example' }] } }, 'config.json: sip.trunks[1].name: "carrier-a" is already the name of sip.trunks[0]'],
  [{ sip: { trunks: [{ host: 'a.example', listen: '10.0.0.9:5070' }] } }, 'config.json: sip.trunks[0].listen: no listen address "10.0.0.9:5070" (listening on 127.0.0.1:5060)'],
  [{ sip: { trunks: [{ host: 'a.example', callerId: { format: 'national' } }] } }, 'config.json: sip.trunks[0].callerId.format: must be "e164" or "+e164", got "national"'],
  [{ sip: { trunks: [{ host: 'a.example', callerId: { default: 'abc' } }] } }, 'config.json: sip.trunks[0].callerId.default: must be digits, got "abc"'],
  [{ sip: { trunks: [{ host: 'a.example', callerId: { allowed: '1555' } }] } }, 'config.json: sip.trunks[0].callerId.allowed: must be an array, got "1555"'],
  [{ sip: { trunks: [{ host: 'a.example', callerId: { prefix: '1' } }] } }, 'config.json: sip.trunks[0].callerId.prefix: unknown key (known: format, default, allowed)'],
  [{ sip: { trunks: [{ host: 'a.example', dial: { strip: '+' } }] } }, 'config.json: sip.trunks[0].dial.strip: must be digits, got "+"'],
  [{ sip: { trunks: [{ host: 'a.example', dial: { prepend: '0x' } }] } }, 'config.json: sip.trunks[0].dial.prepend: must be digits (with an optional leading +), got "0x"'],
  [{ sip: { trunks: ['sip:a.example;transport=tls'] } }, 'config.json: sip.trunks[0]: transport must be udp or tcp in "sip:a.example;transport=tls"'],
  [{ sip: { dns: { servers: ['dns.example'] } } }, 'config.json: sip.dns.servers[0]: must be an address, or ADDRESS:PORT, got "dns.example"'],
  [{ sip: { dns: { refresh: 'soon' } } }, 'config.json: sip.dns.refresh: must be a duration of at least 1s, got "soon"'],
  [{ sip: { dns: { ttl: 1 } } }, 'config.json: sip.dns.ttl: unknown key (known: servers, refresh)'],
];

for (const [data, message] of BAD_FILES) {
  test(`rejects the file ${JSON.stringify(data)}`, () => {
    assert.throws(() => loadConfig({}, {}, file(data)), (err: unknown) => err instanceof ConfigError && err.message === message, message);
  });
}

test('an unknown top-level key is named, with the keys there are', () => {
  assert.throws(() => loadConfig({}, {}, file({ colour: 'blue' })), (err: unknown) => err instanceof ConfigError && err.message.startsWith('config.json: colour: unknown key (known: host, port, db, ') && err.message.endsWith(', grace, node-id, advertise-url, node-lease, cluster-secret, sip)'));
});

test('a trunk\'s listen must name an address even when --sip-listen replaced the file\'s', () => {
  const f = file({ sip: { listen: [{ host: '127.0.0.1', port: 5070, name: 'side' }], trunks: [{ host: 'a.example', listen: 'side' }] } });
  assert.equal(loadConfig({}, {}, f).sip!.trunks[0]!.listen, 'side');
  assert.throws(() => loadConfig({ 'sip-listen': '127.0.0.1:6060' }, {}, f), {
    message: 'config.json: sip.trunks[0].listen: no listen address "side" (listening on 127.0.0.1:6060; --sip-listen replaced sip.listen)',
  });
  assert.throws(() => loadConfig({ 'sip-listen': 'nope' }, {}), { message: '--sip-listen: not HOST:PORT: "nope"' });
  assert.throws(() => loadConfig({ 'sip-trunk': 'http://x' }, {}), { message: '--sip-trunk: not a trunk URI (sip:HOST:PORT[;transport=tcp]): "http://x"' });
});

test('cluster flags: off on SQLite (node-1 as before); on with a postgres:// --db and a secret, each flag with its variable', () => {
  assert.deepEqual([DEFAULT_CONFIG.nodeId, DEFAULT_CONFIG.cluster], ['node-1', undefined]);
  assert.equal(loadConfig({ 'node-id': 'edge-a' }, {}).nodeId, 'edge-a');
  assert.equal(loadConfig({}, { SWITCHBOARD_NODE_ID: 'edge-b' }).nodeId, 'edge-b');
  const pg = 'postgres://sb@127.0.0.1:5432/sb';
  const c = loadConfig({ db: pg, port: '8081' }, { SWITCHBOARD_CLUSTER_SECRET: 'a-secret-of-16-chars', SWITCHBOARD_NODE_LEASE: '5s', SWITCHBOARD_ADVERTISE_URL: 'http://10.0.0.5:8081/' });
  assert.deepEqual(c.cluster, { leaseMs: 5000, secret: 'a-secret-of-16-chars', advertiseUrl: 'http://10.0.0.5:8081' });
  assert.match(c.nodeId, /:8081$/, 'the default id in a cluster is <hostname>:<port>');
  assert.equal(loadConfig({ db: pg, port: '8081', 'cluster-secret': 'a-secret-of-16-chars' }, {}).cluster!.leaseMs, 10_000);
  assert.equal(loadConfig({ db: pg }, {}).cluster, undefined, 'no secret, no cluster');
});

test('cluster flags are checked', () => {
  const pg = 'postgres://sb@127.0.0.1:5432/sb';
  const bad: Array<[Record<string, string>, string]> = [
    [{ 'cluster-secret': 'a-secret-of-16-chars' }, '--cluster-secret: several nodes need a shared PostgreSQL database (--db postgres://...), not a SQLite file'],
    [{ db: pg, 'cluster-secret': 'short' }, '--cluster-secret: at least 16 characters'],
    [{ db: pg, port: '0', 'cluster-secret': 'a-secret-of-16-chars' }, '--node-id: needed in a cluster when --port is 0 (the default id is <hostname>:<port>)'],
    [{ 'node-id': 'a b' }, '--node-id: letters, digits and . _ : @ - (at most 100), got "a b"'],
    [{ 'advertise-url': 'http://x/path' }, '--advertise-url: an http(s) URL with no path, like http://10.0.0.5:8080, got "http://x/path"'],
    [{ 'node-lease': '500ms' }, '--node-lease: between 1s and 10m, got 500 ms'],
  ];
  for (const [flags, message] of bad) assert.throws(() => loadConfig(flags, {}), (err: unknown) => err instanceof ConfigError && err.message === message, message);
});
