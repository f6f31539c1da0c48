import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import plivo from 'plivo';
// V1 is not exported at the top level (plivo.md §6.1): the SDK's own module is the judge.
import { verifyOldSignature } from 'plivo/dist/utils/security.js';
import {
  computeV1Signature,
  computeV2Signature,
  computeV3Signature,
  newNonce,
  signatureHeaders,
  SignatureInputError,
  signV3,
  v3SignedString,
  validateV1Signature,
  validateV2Signature,
  validateV3Signature,
  verifyV3,
  type SignedMethod,
} from '../src/signature/index.ts';

const TOKEN = 'my_auth_token';

// plivo.md §6.2 test vectors.
const VECTORS: ReadonlyArray<{
  method: SignedMethod;
  url: string;
  nonce: string;
  params: Record<string, string>;
  signed: string;
  signature: string;
}> = [
  {
    method: 'POST',
    url: 'https://example.com/answer/',
    nonce: '12345',
    params: { CallUUID: 'abc', From: '14155551212', To: '14155550001', CallStatus: 'in-progress' },
    signed: 'https://example.com/answer/?CallStatusin-progressCallUUIDabcFrom14155551212To14155550001.12345',
    signature: 'Dsq1P/qjQM/CsaKxnmsbmbXe3E8nzjyghnensZyf52k=',
  },
  {
    method: 'POST',
    url: 'https://example.com/answer/?b=2&a=1',
    nonce: '12345',
    params: { CallUUID: 'abc', Direction: 'outbound' },
    signed: 'https://example.com/answer/?a=1&b=2.CallUUIDabcDirectionoutbound.12345',
    signature: '2TKYcfRlAc9t4eT8vqEsqoROcgk8iORTgnFQV4yHBMs=',
  },
  {
    method: 'POST',
    url: 'https://example.com/answer',
    nonce: '12345',
    params: {},
    signed: 'https://example.com/answer.12345',
    signature: '0yCSTcpk0g5MyH+eKhYi02RUlMZ/VPnJKABuBXoajUc=',
  },
  {
    method: 'POST',
    url: 'https://example.com/answer?a=1',
    nonce: '12345',
    params: {},
    signed: 'https://example.com/answer?a=1.12345',
    signature: 'I1yai06vp7g7GNlrz7MRHg0TVJGpJn+lX8YU9j+gfV0=',
  },
  {
    method: 'GET',
    url: 'https://example.com/answer?z=9&a=1',
    nonce: '12345',
    params: { CallUUID: 'abc', From: '1415' },
    signed: 'https://example.com/answer?CallUUID=abc&From=1415&a=1&z=9.12345',
    signature: 'xxPGPkzm71h5OPVfguAXOMsWwWZAOTvUd4/Lm1NHtFE=',
  },
  {
    method: 'GET',
    url: 'https://example.com:8443/answer',
    nonce: '12345',
    params: {},
    signed: 'https://example.com:8443/answer.12345',
    signature: 'JKQ39ldyTPU0+ulUntXdJV5uVZ6Wpx/aBiZeI9dJXS8=',
  },
  {
    method: 'POST',
    url: 'http://example.com/hangup/#ct=2000&rc=2',
    nonce: '99',
    params: { X: 'a b' },
    signed: 'http://example.com/hangup/?Xa b.99',
    signature: 'nTkygtWv5WXNZAUhoar1NGyi+CY9SpL1UL04FzqT1KY=',
  },
];

describe('V3 signature: plivo.md §6.2 vectors', () => {
  for (const [i, v] of VECTORS.entries()) {
    it(`vector ${i + 1}: ${v.method} ${v.url}`, () => {
      const input = { method: v.method, url: v.url, params: v.params, nonce: v.nonce, authToken: TOKEN };
      assert.equal(v3SignedString(input), v.signed);
      assert.equal(computeV3Signature(input), v.signature);
      assert.equal(validateV3Signature(v.method, v.url, v.nonce, TOKEN, v.signature, v.params), true);
      assert.equal(plivo.validateV3Signature(v.method, v.url, v.nonce, TOKEN, v.signature, { ...v.params }), true);
    });
  }
});

describe('V3 signature: details', () => {
  const base = { method: 'POST' as const, url: 'https://example.com/answer', nonce: '1', authToken: TOKEN };

  it('accepts a comma-separated header when any entry matches, with or without blanks', () => {
    const sig = computeV3Signature(base);
    assert.equal(validateV3Signature('POST', base.url, '1', TOKEN, `bogus,${sig}`), true);
    assert.equal(validateV3Signature('POST', base.url, '1', TOKEN, `${sig}, other`), true);
    assert.equal(validateV3Signature('POST', base.url, '1', TOKEN, 'bogus,other'), false);
    assert.equal(validateV3Signature('POST', base.url, '1', TOKEN, ''), false);
  });

  it('rejects a wrong token, nonce, url or param', () => {
    const params = { CallUUID: 'abc' };
    const sig = computeV3Signature({ ...base, params });
    assert.equal(validateV3Signature('POST', base.url, '1', 'other', sig, params), false);
    assert.equal(validateV3Signature('POST', base.url, '2', TOKEN, sig, params), false);
    assert.equal(validateV3Signature('POST', `${base.url}/`, '1', TOKEN, sig, params), false);
    assert.equal(validateV3Signature('POST', base.url, '1', TOKEN, sig, { CallUUID: 'abd' }), false);
    assert.equal(validateV3Signature('GET', base.url, '1', TOKEN, sig, params), false);
  });

  it('sorts repeated values and keys in UTF-16 order (uppercase first)', () => {
    const input = { ...base, url: 'https://h/p?b=2&B=1&b=1', params: { z: ['2', '1'], A: 'x' } };
    assert.equal(v3SignedString(input), 'https://h/p?B=1&b=1&b=2.Axz1z2.1');
    const get = { ...input, method: 'GET' as const };
    assert.equal(v3SignedString(get), 'https://h/p?A=x&B=1&b=1&b=2&z=1&z=2.1');
  });

  it('keeps the URL as written: host case, default port, user info dropped, path encoding', () => {
    const input = { ...base, url: 'HTTPS://user:pw@Example.COM:443/a%20b/?q=%41+b' };
    assert.equal(v3SignedString(input), 'HTTPS://Example.COM:443/a%20b/?q=A b.1');
    assert.equal(v3SignedString({ ...base, url: 'example.com/x' }), 'http://example.com/x.1');
    assert.equal(v3SignedString({ ...base, url: 'https://example.com' }), 'https://example.com.1');
    assert.equal(v3SignedString({ ...base, url: 'https://example.com?x=1' }), 'https://example.com?x=1.1');
  });

  it('does not mutate the caller’s params arrays', () => {
    const params = { A: ['b', 'a'] };
    computeV3Signature({ ...base, params });
    assert.deepEqual(params.A, ['b', 'a']);
  });

  it('throws typed errors for unsignable input', () => {
    const check = (fn: () => unknown, code: string, parameter: string) =>
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof SignatureInputError);
        assert.equal(err.code, code);
        assert.equal(err.parameter, parameter);
        return true;
      });
    check(() => validateV3Signature('PUT' as SignedMethod, base.url, '1', TOKEN, 'x'), 'SIGNATURE_BAD_METHOD', 'method');
    check(() => computeV3Signature({ ...base, url: '/relative/only' }), 'SIGNATURE_BAD_URL', 'url');
    check(() => computeV3Signature({ ...base, authToken: '' }), 'SIGNATURE_MISSING_TOKEN', 'authToken');
    check(
      () => computeV3Signature({ ...base, params: { A: 5 as unknown as string } }),
      'SIGNATURE_BAD_PARAM',
      'params.A',
    );
    check(() => computeV1Signature(base.url, { A: [5] as unknown as string[] }, TOKEN), 'SIGNATURE_BAD_PARAM', 'params.A');
  });

  it('lowercase methods are accepted', () => {
    const sig = computeV3Signature(base);
    assert.equal(validateV3Signature('post' as SignedMethod, base.url, '1', TOKEN, sig), true);
  });
});

describe('signature headers and nonces', () => {
  it('newNonce is 20 decimal digits and varies', () => {
    const a = newNonce();
    assert.match(a, /^[0-9]{20}$/);
    const seen = new Set(Array.from({ length: 20 }, () => newNonce()));
    assert.equal(seen.size, 20);
    // Every digit as likely: 100,000 digits, 10,000 expected each (standard deviation 95).
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) for (const d of newNonce()) counts[Number(d)]!++;
    for (const [digit, n] of counts.entries()) assert.ok(Math.abs(n - 10_000) < 600, `digit ${digit}: ${n} of 100,000`);
  });

  it('signs V3 with the account token and Ma-V3 with the main token over one nonce', () => {
    const url = 'https://example.com/answer/';
    const params = { CallUUID: 'abc', From: '14155551212', To: '14155550001', CallStatus: 'in-progress' };
    const h = signatureHeaders({ method: 'POST', url, params, authToken: TOKEN, mainAuthToken: 'main', nonce: '12345' });
    assert.deepEqual(h, {
      'X-Plivo-Signature-V3': 'Dsq1P/qjQM/CsaKxnmsbmbXe3E8nzjyghnensZyf52k=',
      'X-Plivo-Signature-V3-Nonce': '12345',
      'X-Plivo-Signature-Ma-V3': computeV3Signature({ method: 'POST', url, params, nonce: '12345', authToken: 'main' }),
      'X-Plivo-Signature-V2': computeV2Signature(url, '12345', TOKEN),
      'X-Plivo-Signature-V2-Nonce': '12345',
      'X-Plivo-Signature-Ma-V2': computeV2Signature(url, '12345', 'main'),
      'X-Plivo-Signature': computeV1Signature(url, params, TOKEN),
    });
    assert.notEqual(h['X-Plivo-Signature-Ma-V3'], h['X-Plivo-Signature-V3']);
    assert.notEqual(h['X-Plivo-Signature-Ma-V2'], h['X-Plivo-Signature-V2']);
    // The official validators are the judges (plivo.md §6.1, §6.4).
    assert.equal(plivo.validateSignature(url, '12345', h['X-Plivo-Signature-V2'], TOKEN), true);
    assert.equal(plivo.validateSignature(url, '12345', h['X-Plivo-Signature-Ma-V2'], 'main'), true);
    assert.equal(verifyOldSignature(TOKEN, url, params, h['X-Plivo-Signature']), true);
  });

  it('V1 of a GET signs the URL as requested, the parameters in its query', () => {
    const h = signatureHeaders({ method: 'GET', url: 'https://e.com/a?x=1#ct=2000', params: { CallUUID: 'u 1', To: '+1' }, authToken: TOKEN });
    const requested = 'https://e.com/a?x=1&CallUUID=u+1&To=%2B1';
    assert.equal(h['X-Plivo-Signature'], computeV1Signature(requested, {}, TOKEN));
    assert.equal(verifyOldSignature(TOKEN, requested, {}, h['X-Plivo-Signature']), true);
    const explicit = signatureHeaders({ method: 'GET', url: 'https://e.com/a', requestUrl: 'https://e.com/a?b=2', authToken: TOKEN });
    assert.equal(explicit['X-Plivo-Signature'], computeV1Signature('https://e.com/a?b=2', {}, TOKEN));
    assert.notEqual(h['X-Plivo-Signature-V2-Nonce'], h['X-Plivo-Signature-V3-Nonce']);
  });

  it('every header is what its version computes alone, whatever the method, URL, fields and tokens', () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
    const value = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
        fc.constantFrom('https://e.com/a', 'https://e.com/a?x=1&b=2', 'http://h:8080/p/q?z=%20y#ct=2000', 'https://e.com'),
        fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })), { maxKeys: 6 }),
        fc.constantFrom(undefined, 'main-token'),
        fc.stringMatching(/^[0-9]{1,20}$/),
        (method, url, params, mainAuthToken, nonce) => {
          const h = signatureHeaders({ method, url, params, authToken: TOKEN, mainAuthToken, nonce });
          const main = mainAuthToken ?? TOKEN;
          const bare = url.split('#')[0]!;
          const query = new URLSearchParams();
          for (const [k, v] of Object.entries(params)) for (const x of typeof v === 'string' ? [v] : v) query.append(k, x);
          const requested = method === 'GET' && query.size > 0 ? `${bare}${bare.includes('?') ? '&' : '?'}${query}` : bare;
          assert.deepEqual(h, {
            'X-Plivo-Signature-V3': computeV3Signature({ method, url, params, nonce, authToken: TOKEN }),
            'X-Plivo-Signature-V3-Nonce': nonce,
            'X-Plivo-Signature-Ma-V3': computeV3Signature({ method, url, params, nonce, authToken: main }),
            'X-Plivo-Signature-V2': computeV2Signature(url, nonce, TOKEN),
            'X-Plivo-Signature-V2-Nonce': nonce,
            'X-Plivo-Signature-Ma-V2': computeV2Signature(url, nonce, main),
            'X-Plivo-Signature': computeV1Signature(requested, method === 'GET' ? {} : params, TOKEN),
          });
        },
      ),
    );
  });

  it('defaults the main token to the account token and draws a fresh nonce', () => {
    const h = signatureHeaders({ method: 'GET', url: 'https://e.com/a?CallUUID=1', authToken: TOKEN });
    assert.match(h['X-Plivo-Signature-V3-Nonce'], /^[0-9]{20}$/);
    assert.equal(h['X-Plivo-Signature-Ma-V3'], h['X-Plivo-Signature-V3']);
    assert.equal(
      plivo.validateV3Signature('GET', 'https://e.com/a?CallUUID=1', h['X-Plivo-Signature-V3-Nonce'], TOKEN, h['X-Plivo-Signature-V3']),
      true,
    );
  });
});

describe('V2 and V1 signatures (plivo.md §6.4)', () => {
  it('V2 vector', () => {
    const sig = 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=';
    assert.equal(computeV2Signature('https://answer.url', '12345', TOKEN), sig);
    assert.equal(validateV2Signature('https://answer.url', '12345', sig, TOKEN), true);
    // The query is not part of a V2 signature.
    assert.equal(validateV2Signature('https://answer.url?x=1#f', '12345', sig, TOKEN), true);
    assert.equal(validateV2Signature('https://answer.url', '12346', sig, TOKEN), false);
    assert.equal(plivo.validateSignature('https://answer.url', '12345', sig, TOKEN), true);
  });

  it('V1 vector', () => {
    const params = { CallUUID: '97ceeb52-58b6-11e1-86da-77300b68f8bb', Duration: '300' };
    const sig = 'EJEt0ELanhr8hjMPIJnLNLex0dE=';
    assert.equal(computeV1Signature('http://foo.com/answer/', params, 'MAXXXXXXXXXXXXXXXXXX'), sig);
    assert.equal(validateV1Signature('http://foo.com/answer/', params, 'MAXXXXXXXXXXXXXXXXXX', sig), true);
    assert.equal(validateV1Signature('http://foo.com/answer/', { ...params, Duration: '301' }, 'MAXXXXXXXXXXXXXXXXXX', sig), false);
  });
});

// --- property: the official SDK accepts every signature we compute --------------------------

// Real webhook URLs are percent-encoded (what `new URL()`, browsers and Plivo's console produce), so
// unicode and reserved characters reach the URL as %XX escapes. encodeURIComponent also escapes
// `@`, which the official SDK would misread as user info (see the differences below).
const encodedUnicode = fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeURIComponent);
const alnum = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const urlChars = fc.oneof(fc.stringMatching(/^(?:[A-Za-z0-9\-._~!$'()*;:]|%[0-9A-F]{2}){0,10}$/), encodedUnicode);
const queryChars = fc.oneof(fc.stringMatching(/^(?:[A-Za-z0-9\-._~!$'()*;:/?+]|%[0-9A-F]{2}){0,10}$/), encodedUnicode);
const queryKey = fc.oneof(alnum, encodedUnicode.filter((k) => k !== ''));
const host = fc.tuple(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), fc.constantFrom('.com', '.example.org', '', '.local'));
const url = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: fc.array(urlChars, { maxLength: 4 }),
    trailingSlash: fc.boolean(),
    query: fc.option(fc.array(fc.tuple(queryKey, queryChars), { maxLength: 4 }), { nil: undefined }),
    fragment: fc.option(queryChars, { nil: undefined }),
  })
  .map((u) => {
    let s = `${u.scheme}://${u.host[0]}${u.host[1]}${u.port === undefined ? '' : `:${u.port}`}`;
    if (u.path.length > 0) s += `/${u.path.join('/')}`;
    if (u.trailingSlash) s += '/';
    if (u.query !== undefined) s += `?${u.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
    if (u.fragment !== undefined) s += `#${u.fragment}`;
    return s;
  });
// Keys start with a capital like Plivo's (so they never collide with Object.prototype names, which
// the official SDK's GET merge `key in params` would trip over) and go on with any unicode.
const paramKey = fc.tuple(fc.stringMatching(/^[A-Z]$/), fc.string({ unit: 'grapheme', maxLength: 10 })).map(([a, b]) => a + b);
const paramValue = fc.string({ unit: 'grapheme', maxLength: 12 });
const params = fc.dictionary(paramKey, fc.oneof(paramValue, fc.array(paramValue, { minLength: 1, maxLength: 3 })), {
  maxKeys: 5,
});

describe('V3 signature: property against plivo.validateV3Signature', () => {
  it('plivo accepts what we compute, and we accept it back (2,000 random GET and POST webhooks)', () => {
    let runs = 0;
    const seen = { GET: 0, POST: 0, query: 0, fragment: 0, unicodeUrl: 0, unicodeParam: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom<SignedMethod>('GET', 'POST'),
        url,
        params,
        fc.stringMatching(/^[0-9]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9]{8,40}$/),
        (method, u, p, nonce, token) => {
          runs++;
          seen[method]++;
          if (u.includes('?')) seen.query++;
          if (u.includes('#')) seen.fragment++;
          if (/%[C-F][0-9A-F]/.test(u)) seen.unicodeUrl++;
          if (/[^\x00-\x7f]/.test(JSON.stringify(p))) seen.unicodeParam++;
          const sig = signV3({ method, url: u, params: p, nonce, authToken: token });
          // plivo sorts array values in place: give it its own copy.
          const copy = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
          assert.equal(plivo.validateV3Signature(method, u, nonce, token, sig, copy), true, `plivo rejected ${method} ${u}`);
          assert.equal(verifyV3({ method, url: u, params: p, nonce, authToken: token, signature: sig }), true);
        },
      ),
      // A fixed seed keeps the suite deterministic; change it locally to explore further.
      { numRuns: 2000, seed: 0x5b0a2d },
    );
    // The issue asks for at least 2,000 cases covering every shape; prove the generator delivered.
    assert.equal(runs, 2000);
    for (const [shape, count] of Object.entries(seen)) assert.ok(count >= 100, `only ${count} runs with ${shape}`);
  });
});

describe('V3 signature: where the official Node SDK differs (documented in docs/sdk.md)', () => {
  // We follow plivo.md §6.2 (and Plivo's Python SDK): the URL as written. The Node SDK's
  // `uri-parser` and its `utf8.encode` of the whole URL diverge in two cases that real,
  // percent-encoded webhook URLs never contain.
  const sign = (url: string) => signV3({ method: 'POST', url, params: { A: 'é' }, nonce: '1', authToken: 't' });

  it('a raw @ after the host: we sign the host as written, plivo reads user info', () => {
    const raw = 'https://e.com/cb?email=a@b.com';
    assert.equal(v3SignedString({ method: 'POST', url: raw, params: { A: 'é' }, nonce: '1', authToken: 't' }), 'https://e.com/cb?email=a@b.com.Aé.1');
    assert.equal(plivo.validateV3Signature('POST', raw, '1', 't', sign(raw), { A: 'é' }), false);
    // Percent-encoded, as a URL builder writes it, both agree (and sign the decoded value).
    const encoded = 'https://e.com/cb?email=a%40b.com';
    assert.equal(v3SignedString({ method: 'POST', url: encoded, params: { A: 'é' }, nonce: '1', authToken: 't' }), 'https://e.com/cb?email=a@b.com.Aé.1');
    assert.equal(plivo.validateV3Signature('POST', encoded, '1', 't', sign(encoded), { A: 'é' }), true);
  });

  it('raw non-ASCII in the URL: plivo UTF-8 encodes it twice; %-escaped it agrees', () => {
    const raw = 'https://e.com/café?x=ü';
    assert.equal(plivo.validateV3Signature('POST', raw, '1', 't', sign(raw), { A: 'é' }), false);
    const encoded = 'https://e.com/caf%C3%A9?x=%C3%BC';
    assert.equal(v3SignedString({ method: 'POST', url: encoded, params: { A: 'é' }, nonce: '1', authToken: 't' }), 'https://e.com/caf%C3%A9?x=ü.Aé.1');
    assert.equal(plivo.validateV3Signature('POST', encoded, '1', 't', sign(encoded), { A: 'é' }), true);
  });
});

describe('signV3 / verifyV3', () => {
  it('are the object-style names of computeV3Signature / validateV3Signature', () => {
    const v = VECTORS[1]!;
    const input = { method: v.method, url: v.url, params: v.params, nonce: v.nonce, authToken: TOKEN };
    assert.equal(signV3(input), v.signature);
    assert.equal(verifyV3({ ...input, signature: `x,${v.signature}` }), true);
    assert.equal(verifyV3({ ...input, signature: v.signature, nonce: '12346' }), false);
  });
});
