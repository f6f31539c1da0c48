/**
 * Every signature Plivo sends, on every webhook (plivo.md §6, §6.4; issue 16.2): V3 and V2 with
 * their nonces and main-account twins, and V1 — each validated the way an app validates it, by the
 * official `plivo` package's own functions, on requests a real engine sent to a real app server,
 * over POST and GET, with a query in the configured URL and a `#` retry fragment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
// V1 is not exported at the top level (plivo.md §6.1): the SDK's own module is the judge.
import { verifyOldSignature } from 'plivo/dist/utils/security.js';
import { withHarness, AUTH_TOKEN } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';

const HEADERS = [
  'x-plivo-signature', 'x-plivo-signature-ma-v2', 'x-plivo-signature-ma-v3', 'x-plivo-signature-v2',
  'x-plivo-signature-v2-nonce', 'x-plivo-signature-v3', 'x-plivo-signature-v3-nonce',
];

/** Which signatures of one request the official validators accept, as an app would call them. */
function verdicts(req: CapturedRequest, token: string, mainToken: string): Record<string, boolean> {
  const h = req.headers;
  const method = req.method === 'GET' ? 'GET' : 'POST';
  const form = method === 'POST' ? { ...req.params } : {};
  const v3Nonce = h['x-plivo-signature-v3-nonce']!;
  const v2Nonce = h['x-plivo-signature-v2-nonce']!;
  return {
    v3: plivo.validateV3Signature(method, req.url, v3Nonce, token, h['x-plivo-signature-v3']!, form) === true,
    'ma-v3': plivo.validateV3Signature(method, req.url, v3Nonce, mainToken, h['x-plivo-signature-ma-v3']!, form) === true,
    v2: plivo.validateSignature(req.url, v2Nonce, h['x-plivo-signature-v2']!, token) === true,
    'ma-v2': plivo.validateSignature(req.url, v2Nonce, h['x-plivo-signature-ma-v2']!, mainToken) === true,
    v1: verifyOldSignature(token, req.url, form, h['x-plivo-signature']!) === true,
  };
}

const ALL_VALID = { v3: true, 'ma-v3': true, v2: true, 'ma-v2': true, v1: true };

test('V1, V2 and V3 (and the Ma twins) validate with the official validators on every webhook, POST and GET', async () => {
  await withHarness(async (h) => {
    const A = '15551110001';
    await h.sim(A, 'ring 1s, answer, hangup after 3s');
    h.app.on('/answer', '<Response><Wait length="10"/></Response>');
    const res = await h.call({
      to: A,
      answer_url: `${h.app.url('/answer')}?app=1&b=x%20y`,
      ring_url: `${h.app.url('/ring')}#ct=2000&rc=1`,
      hangup_url: `${h.app.url('/hangup')}?from=sb`,
      hangup_method: 'GET',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await h.waitFor('/hangup');
    await h.settle();

    const seen = h.app.requests();
    assert.deepEqual(seen.map((r) => `${r.method} ${r.path}`), ['POST /ring', 'POST /answer', 'GET /hangup']);
    for (const req of seen) {
      for (const name of HEADERS) assert.ok(req.headers[name], `${req.path} lacks ${name}`);
      assert.match(req.headers['x-plivo-signature-v2-nonce']!, /^\d{20}$/);
      assert.deepEqual(verdicts(req, AUTH_TOKEN, AUTH_TOKEN), ALL_VALID, `${req.method} ${req.url}`);
      // A wrong token is refused by every validator: the test can fail.
      assert.deepEqual(verdicts(req, 'not-the-token', 'not-the-token'),
        { v3: false, 'ma-v3': false, v2: false, 'ma-v2': false, v1: false });
    }
    // GET carries the parameters in the query; V1 signed them there.
    const hangup = seen[2]!;
    assert.equal(hangup.query.from, 'sb');
    assert.equal(hangup.query.CallStatus, 'completed');
  });
});
