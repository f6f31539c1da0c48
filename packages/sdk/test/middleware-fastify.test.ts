import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { request } from 'undici';
import { plivoSignature, webhookOf } from '../src/middleware/fastify.ts';
import { signatureHeaders } from '../src/signature/index.ts';

const TOKEN = 'my_auth_token';

describe('fastify plivoSignature hook (real server)', () => {
  let app: FastifyInstance;
  let origin: string;
  const seen: unknown[] = [];

  before(async () => {
    app = Fastify();
    await app.register(formbody);
    // Hooks added in a plugin apply to that plugin's routes only (and type-check against
    // FastifyRequest/FastifyReply, proving the structural types fit).
    await app.register(async (direct) => {
      direct.addHook('preHandler', plivoSignature({ authToken: ['old_token', TOKEN] }));
      direct.post('/answer', async (req) => {
        seen.push({ ...(req.body as object) });
        return 'ok';
      });
      direct.get('/answer', async (req) => {
        seen.push({ ...(req.query as object) });
        const hook = webhookOf(req);
        return hook.kind === 'ring' ? `ok ${hook.kind} ${hook.CallStatus}` : 'unexpected';
      });
    });
    await app.register(
      async (scoped) => {
        scoped.addHook('preHandler', plivoSignature({ authToken: TOKEN, publicUrl: 'https://public.example.com/voice/' }));
        scoped.post('/proxied', async () => 'proxied ok');
      },
      { prefix: '/behind' },
    );
    origin = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  after(() => app.close());

  async function post(path: string, form: Record<string, string>, headers: Record<string, string>) {
    const res = await request(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.statusCode, body: await res.body.text() };
  }

  const form = {
    Event: 'StartApp', CallUUID: 'abc', From: '14155551212', To: '14155550001', CallStatus: 'in-progress', Direction: 'outbound',
    Note: 'a b&c=d',
  };

  it('lets a correctly signed POST through', async () => {
    seen.length = 0;
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer?x=1`, params: form, authToken: TOKEN });
    assert.deepEqual(await post('/answer?x=1', form, { ...headers }), { status: 200, body: 'ok' });
    assert.deepEqual(seen, [form]);
  });

  it('answers 403 when a parameter was changed in transit', async () => {
    seen.length = 0;
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: form, authToken: TOKEN });
    const res = await post('/answer', { ...form, To: '19005550000' }, { ...headers });
    assert.deepEqual(res, { status: 403, body: 'Forbidden: invalid X-Plivo-Signature-V3\n' });
    assert.deepEqual(seen, []);
  });

  it('answers 403 without the signature headers', async () => {
    assert.deepEqual(await post('/answer', form, {}), { status: 403, body: 'Forbidden: missing X-Plivo-Signature-V3\n' });
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: form, authToken: TOKEN });
    assert.deepEqual(await post('/answer', form, { 'X-Plivo-Signature-V3': headers['X-Plivo-Signature-V3'] }), {
      status: 403,
      body: 'Forbidden: missing X-Plivo-Signature-V3-Nonce\n',
    });
  });

  it('verifies GET webhooks with the parameters in the query', async () => {
    seen.length = 0;
    const query = 'CallUUID=abc&From=1415&To=1416&CallStatus=ringing&Direction=outbound&Event=Ring';
    const url = `${origin}/answer?${query}`;
    const headers = signatureHeaders({ method: 'GET', url, authToken: TOKEN });
    const ok = await request(url, { headers: { ...headers } });
    assert.equal(ok.statusCode, 200);
    assert.equal(await ok.body.text(), 'ok ring ringing');
    assert.deepEqual(seen, [Object.fromEntries(new URLSearchParams(query))]);
    const tampered = await request(`${origin}/answer?${query.replace('abc', 'abd')}`, { headers: { ...headers } });
    assert.equal(tampered.statusCode, 403);
    await tampered.body.dump();
  });

  it('accepts a signature made with any configured token, and a comma-separated header', async () => {
    const old = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: form, authToken: 'old_token', nonce: '1' });
    assert.equal((await post('/answer', form, { ...old })).status, 200);
    const multi = { ...old, 'X-Plivo-Signature-V3': `bogus,${old['X-Plivo-Signature-V3']}` };
    assert.equal((await post('/answer', form, multi)).status, 200);
  });

  it('rebuilds the URL from publicUrl behind a proxy', async () => {
    const publicHeaders = signatureHeaders({
      method: 'POST', url: 'https://public.example.com/voice/behind/proxied', params: form, authToken: TOKEN,
    });
    assert.deepEqual(await post('/behind/proxied', form, { ...publicHeaders }), { status: 200, body: 'proxied ok' });
    // Signed for the local address instead: does not match what the public URL says.
    const localHeaders = signatureHeaders({ method: 'POST', url: `${origin}/behind/proxied`, params: form, authToken: TOKEN });
    assert.equal((await post('/behind/proxied', form, { ...localHeaders })).status, 403);
  });

  it('answers 400 when a verified request is not a valid webhook (typed parameters)', async () => {
    const bad = { ...form, CallStatus: 'answered' };
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: bad, authToken: TOKEN });
    const res = await post('/answer', bad, { ...headers });
    assert.equal(res.status, 400);
    assert.match(res.body, /^Bad Request: invalid webhook parameters: CallStatus.*"answered"/);
  });
});
