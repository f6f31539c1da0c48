/**
 * The webhook target policy (webhooks/target-policy.ts, issue 13 item 4): the rules on URLs as
 * written, and the check on the address actually connected to, through the real HttpSender and a
 * real server on 127.0.0.1. Host names are resolved by an injected lookup that maps them to
 * loopback or to refused addresses: a refused address is never connected to, so nothing leaves
 * the machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../src/webhooks/capture.ts';
import { HttpSender } from '../src/webhooks/http-sender.ts';
import { webhookThreadReady } from '../src/webhooks/http-thread.ts';
import { DEFAULT_CALLBACK_POLICY } from '../src/webhooks/callback-policy.ts';
import { MAX_URL_LENGTH, parseTargetRules, TargetPolicy, type TargetLookup } from '../src/webhooks/target-policy.ts';

const rules = parseTargetRules;

describe('rules as written', () => {
  test('CIDRs, addresses, host names and *.suffix names; bad entries are refused with their text', () => {
    const r = rules(' 10.0.0.0/8, fd00::/8 ,192.0.2.7, Hooks.Example.com, *.apps.example ');
    assert.deepEqual(r.text, ['10.0.0.0/8', 'fd00::/8', '192.0.2.7', 'Hooks.Example.com', '*.apps.example']);
    assert.deepEqual([...r.names], ['hooks.example.com']);
    assert.deepEqual(r.suffixes, ['.apps.example']);
    assert.equal(r.cidrs.check('10.200.1.1', 'ipv4'), true);
    assert.equal(r.cidrs.check('192.0.2.8', 'ipv4'), false);
    assert.equal(r.cidrs.check('fd12::1', 'ipv6'), true);
    assert.throws(() => rules('10.0.0.0/33'), /"10.0.0.0\/33": the prefix length must be 0-32/);
    assert.throws(() => rules('fd00::/129'), /must be 0-128/);
    assert.throws(() => rules('not a host'), /"not a host" is neither a CIDR, an IP address nor a host name/);
    assert.throws(() => rules('example.com/8'), /neither a CIDR/);
  });
});

describe('checkUrl: the URL as written', () => {
  const policy = new TargetPolicy();
  policy.addSelf('127.0.0.1', 8080);
  policy.addSelf('127.0.0.1', 5060);

  const refused: Array<[string, string]> = [
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local / cloud metadata address'],
    ['http://2852039166/', '169.254.169.254 is a link-local / cloud metadata address'], // the same address, written as one number
    ['http://[::ffff:169.254.169.254]/', '169.254.169.254 is a link-local / cloud metadata address'],
    ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://0.0.0.0:3000/', '0.0.0.0 is an unspecified address'],
    ['http://[::]:3000/', ':: is an unspecified address'],
    ['http://127.0.0.1:8080/v1/Account/x/Call/', "127.0.0.1:8080 is the engine's own listen address"],
    ['http://127.0.0.1:5060/', "127.0.0.1:5060 is the engine's own listen address"],
    ['http://example.com/' + 'a'.repeat(MAX_URL_LENGTH), `URL is ${MAX_URL_LENGTH + 19} characters long; the limit is ${MAX_URL_LENGTH}`],
    ['ftp://example.com/x', 'scheme "ftp:" is not http: or https:'],
  ];
  for (const [url, why] of refused) {
    test(`refuses ${url.slice(0, 60)}`, () => assert.equal(policy.checkUrl(url), why));
  }

  test('the engine is refused by address AND port: an app on another port of the same address is fetched', () => {
    assert.equal(policy.checkUrl('http://127.0.0.1:3000/answer'), undefined);
    assert.equal(policy.checkUrl('http://localhost:8080/answer'), undefined, 'a name is decided when resolved');
    assert.equal(policy.checkUrl(`https://example.com/${'a'.repeat(MAX_URL_LENGTH - 'https://example.com/'.length)}`), undefined);
  });

  test('an engine listening on 0.0.0.0 is every local address at that port', () => {
    const p = new TargetPolicy();
    p.addSelf('0.0.0.0', 9000);
    assert.equal(p.checkUrl('http://127.0.0.5:9000/'), "127.0.0.5:9000 is the engine's own listen address");
    assert.equal(p.checkUrl('http://[::1]:9000/'), "::1:9000 is the engine's own listen address");
    assert.equal(p.checkUrl('http://127.0.0.5:9001/'), undefined);
  });

  test('deny wins over allow; an allow list means only what it lists', () => {
    const p = new TargetPolicy({ allow: rules('10.0.0.0/8, hooks.example.com, *.apps.example'), deny: rules('10.9.0.0/16, bad.apps.example') });
    assert.equal(p.checkUrl('http://10.1.2.3/'), undefined);
    assert.equal(p.checkUrl('http://10.9.2.3/'), '10.9.2.3 is on the webhook deny list');
    assert.equal(p.checkUrl('http://192.0.2.1/'), '192.0.2.1 is not on the webhook allow list');
    assert.equal(p.checkUrl('http://x.apps.example/'), undefined);
    assert.equal(p.checkUrl('http://bad.apps.example/'), 'host bad.apps.example is on the webhook deny list');
    // With CIDRs on the allow list a name may still resolve into them: decided when it is resolved.
    assert.equal(p.checkUrl('http://other.example/'), undefined);
    assert.equal(p.checkAddress('192.0.2.1', 80, 'other.example'), 'other.example (192.0.2.1) is not on the webhook allow list');
    assert.equal(p.checkAddress('10.0.0.1', 80, 'other.example'), undefined);
    // Names only: a name not listed can never pass, so it is refused as written.
    const names = new TargetPolicy({ allow: rules('hooks.example.com') });
    assert.equal(names.checkUrl('http://other.example/'), 'host other.example is not on the webhook allow list');
    assert.equal(names.checkUrl('http://HOOKS.example.com./x'), undefined);
  });

  test('the built-in refusals cannot be allowed back', () => {
    const p = new TargetPolicy({ allow: rules('169.254.0.0/16, 0.0.0.0/0') });
    assert.equal(p.checkUrl('http://169.254.169.254/'), '169.254.169.254 is a link-local / cloud metadata address');
  });
});

// Every case on both transports: the engine's thread and the webhook thread (http-thread.ts).
for (const transport of ['inline', 'thread'] as const) {
  describe(`the address actually connected to (real sender, ${transport}, real server on 127.0.0.1)`, () => {
    let app: CaptureServer;
    const lookups: string[] = [];
    const dns: Record<string, string[]> = {};
    const lookup: TargetLookup = async (host) => {
      lookups.push(host);
      return (dns[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

    before(async () => {
      // Until the thread has loaded, attempts run inline: wait, so these cases run on it.
      if (transport === 'thread') assert.equal(await webhookThreadReady(), true);
      app = await CaptureServer.start();
      app.on('/hook', { status: 200, body: 'ok', contentType: 'text/plain' });
    });
    after(() => app.close());

    function sender(policy: TargetPolicy): HttpSender {
      return new HttpSender({ transport, authToken: 'token-0123456789', mainAuthToken: 'token-0123456789', userAgent: 'test', targets: policy });
    }
    const send = (s: HttpSender, url: string) =>
      s.send({ url, method: 'POST', params: { CallUUID: 'u1' }, policy: { ...DEFAULT_CALLBACK_POLICY, retries: 0 } });

    test('a name is connected to at the address it was checked at; the Host header keeps the name', async () => {
      dns['hooks.test'] = ['127.0.0.1'];
      const s = sender(new TargetPolicy({ lookup }));
      try {
        app.clear();
        const r = await send(s, `http://hooks.test:${app.port}/hook`);
        assert.equal(r.ok, true, r.error?.message);
        assert.equal(r.body, 'ok');
        assert.deepEqual(app.requests().map((q) => [q.path, q.headers.host]), [['/hook', `hooks.test:${app.port}`]]);
      } finally {
        await s.close();
      }
    });

    test('a name that resolves to the engine itself (DNS rebinding) is refused and never connected to', async () => {
      dns['rebind.test'] = ['127.0.0.1'];
      const policy = new TargetPolicy({ lookup });
      policy.addSelf('127.0.0.1', app.port); // pretend the capture server is the engine's own API
      const s = sender(policy);
      try {
        app.clear();
        assert.equal(policy.checkUrl(`http://rebind.test:${app.port}/hook`), undefined, 'the URL alone looks harmless');
        const r = await send(s, `http://rebind.test:${app.port}/hook`);
        assert.equal(r.ok, false);
        assert.equal(r.statusCode, undefined);
        assert.deepEqual(r.error, {
          kind: 'refused',
          message: `SB_URL_REFUSED: refused by the webhook target policy: rebind.test (127.0.0.1):${app.port} is the engine's own listen address`,
        });
        assert.deepEqual(app.requests(), []);
      } finally {
        await s.close();
      }
    });

    test('one refused address among several refuses the name (a client may pick any of them)', async () => {
      dns['mixed.test'] = ['127.0.0.1', '169.254.169.254'];
      const s = sender(new TargetPolicy({ lookup }));
      try {
        app.clear();
        const r = await send(s, `http://mixed.test:${app.port}/hook`);
        assert.equal(r.error?.kind, 'refused');
        assert.match(r.error!.message, /mixed\.test \(169\.254\.169\.254\) is a link-local \/ cloud metadata address$/);
        assert.deepEqual(app.requests(), []);
      } finally {
        await s.close();
      }
    });

    test('IP literals are refused before any connection; --webhook-deny 127.0.0.0/8 refuses the app server', async () => {
      const s = sender(new TargetPolicy({ deny: rules('127.0.0.0/8'), lookup }));
      try {
        app.clear();
        const before = lookups.length;
        const r = await send(s, `http://127.0.0.1:${app.port}/hook`);
        assert.equal(r.error?.message, 'SB_URL_REFUSED: refused by the webhook target policy: 127.0.0.1 is on the webhook deny list');
        const meta = await send(s, 'http://169.254.169.254/latest/meta-data/');
        assert.equal(meta.error?.kind, 'refused');
        assert.equal(lookups.length, before, 'no lookup for an address');
        assert.deepEqual(app.requests(), []);
      } finally {
        await s.close();
      }
    });
  });
}
