/** The test kit itself: exact virtual times, per-call waits, a clear timeout, and a clean close. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startSwitchboard } from '../src/index.ts';

/** A bare Node app: a Dial with a 20 s timeout to whatever number the query names. */
function app(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://app');
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    if (url.pathname === '/answer') {
      res.end(`<Response><Dial timeout="20" action="http://${req.headers.host}/action"><Number>${url.searchParams.get('to')}</Number></Dial></Response>`);
    } else res.end('<Response/>');
  });
}

test('a Dial timeout on the virtual clock: exact times, one wait per call, webhooks in order, a clear timeout', async () => {
  const sb = await startSwitchboard({ clock: 'virtual', numbers: { '+15550010': 'no-answer', '+15550011': 'ring 4s, busy' } });
  try {
    const base = await sb.serve(app);
    const first = await sb.call({ to: '+15550001', answer_url: `${base}/answer?to=%2B15550010`, hangup_url: `${base}/hangup` });
    const second = await sb.call({ to: '+15550002', answer_url: `${base}/answer?to=%2B15550011`, hangup_url: `${base}/hangup` });
    const busy = await sb.webhook('action', {}, { call: second.uuid });
    const noAnswer = await sb.webhook('action', {}, { call: first.uuid });
    assert.equal(busy.params.DialStatus, 'busy');
    assert.equal(noAnswer.params.DialStatus, 'no-answer');
    // The caller rings 1 s and answers (the kit's default script); the Dial gives up 20 s later.
    assert.equal(noAnswer.at - (await sb.webhook('answer', {}, { call: first.uuid })).at, 20_000);
    assert.equal(busy.at - (await sb.webhook('answer', {}, { call: second.uuid })).at, 4_000);
    await sb.settle();
    assert.deepEqual(sb.webhooks().filter((w) => w.callUuid === noAnswer.callUuid).map((w) => w.kind), ['answer', 'action', 'hangup']);
    assert.equal(sb.webhooks('hangup').length, 2);
    await assert.rejects(sb.webhook('action', { DialStatus: 'completed' }, { timeoutMs: 50 }), {
      message: /^no action webhook with \{"DialStatus":"completed"\} within 50 ms; received: answer\(StartApp/,
    });
  } finally {
    await sb.close();
  }
});
