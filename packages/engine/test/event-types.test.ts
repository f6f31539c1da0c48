/**
 * Event types in one place (issue 18 item 3): `src/domain/events.ts` lists them; the journal's
 * input is typed by it (tsc), docs/delivery.md's list must equal it, and every event a run of real
 * calls stores is one of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CALL_EVENT_TYPES, DELIVERY_KINDS, EVENT_TYPES, isEventType } from '../src/domain/events.ts';
import { withHarness } from './support/harness.ts';

const DOC = fileURLToPath(new URL('../../../docs/delivery.md', import.meta.url));

test('docs/delivery.md lists exactly the event types and webhook kinds of domain/events.ts, in order', () => {
  const text = readFileSync(DOC, 'utf8');
  const para = text.slice(text.indexOf('Event types ('), text.indexOf('## The live feed'));
  const names = [...para.replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const types = names.slice(0, names.indexOf('webhook.<kind>'));
  const kinds = names.slice(names.indexOf('webhook.<kind>') + 1);
  assert.deepEqual(types, [...CALL_EVENT_TYPES]);
  assert.deepEqual(kinds, [...DELIVERY_KINDS]);
});

test('the union is the lists: no duplicates, webhook kinds prefixed', () => {
  assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length);
  assert.equal(EVENT_TYPES.length, CALL_EVENT_TYPES.length + DELIVERY_KINDS.length);
  assert.ok(isEventType('webhook.ring') && isEventType('dial.ended'));
  assert.ok(!isEventType('webhook.nope') && !isEventType('dial'));
});

test('every event a Dial call with callbacks and an action stores is a known type', async () => {
  await withHarness(async (h) => {
    await h.sim('15550100001', 'ring, answer');
    await h.sim('15550100002', 'ring 1s, answer, hangup after 3s');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>15550100002</Number></Dial></Response>`);
    h.app.on('/action', '<Response><Speak>bye</Speak></Response>');
    const res = await h.call({ to: '15550100001' });
    assert.equal(res.status, 201);
    const [hangup] = await h.waitFor('/hangup');
    await h.settle();
    const [action] = h.app.requests('/action');
    const rows = [...(await h.engine.store.listEvents(hangup!.params.CallUUID!)), ...(await h.engine.store.listEvents(action!.params.DialBLegUUID!))];
    assert.ok(rows.some((r) => r.type === 'dial.ended') && rows.some((r) => r.type === 'dial.answer'), rows.map((r) => r.type).join());
    for (const r of rows) assert.ok(isEventType(r.type), `unknown event type ${r.type}`);
  });
});
