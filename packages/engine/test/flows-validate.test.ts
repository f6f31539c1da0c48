/** Flow documents: validation (every problem names node and field, never a throw), Liquid variables, Branch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { validateFlow, describeProblem } from '../src/flows/flow-validate.ts';
import { render } from '../src/flows/templates.ts';
import { holds } from '../src/flows/nodes/branch.ts';
import { dialState } from '../src/flows/nodes/call-forward.ts';
import { dialXml, speakXml } from '../src/flows/call-xml.ts';
import { parseResponse } from '../src/xml/index.ts';

test('the shipped examples validate, with defaults filled in', async () => {
  for (const file of ['dial-status.json', 'callback-request.json']) {
    const doc = JSON.parse(await readFile(new URL(`../../../examples/flows/${file}`, import.meta.url), 'utf8'));
    const v = validateFlow(doc);
    assert.ok(v.ok, file + ': ' + (v.ok ? '' : v.problems.map(describeProblem).join('; ')));
  }
  const v = validateFlow({ name: 'x', nodes: [{ name: 'Start', type: 'start' }, { name: 'F', type: 'call_forward', to: '+1555' }, { name: 'R', type: 'http_request', url: 'http://h/x' }] });
  assert.ok(v.ok);
  assert.deepEqual(v.flow.nodes[1], { name: 'F', type: 'call_forward', to: ['+1555'], ringTimeout: 30, mode: 'parallel', transitions: {} });
  assert.deepEqual(v.flow.nodes[2], { name: 'R', type: 'http_request', method: 'GET', url: 'http://h/x', headers: {}, params: {}, timeout: 10, transitions: {} });
});

test('document-level problems: not an object, no nodes, no or two start nodes, a transition back to start', () => {
  const problems = (input: unknown) => {
    const v = validateFlow(input);
    return v.ok ? [] : v.problems.map(describeProblem);
  };
  assert.deepEqual(problems(null), ['flow: must be a JSON object (got null)']);
  assert.deepEqual(problems({ name: 'x', nodes: [] }), ['nodes: must be a non-empty array of nodes']);
  assert.deepEqual(problems({ nodes: [{ name: 'A', type: 'hangup' }] }), ['name: is required', 'nodes: must hold exactly one start node (found 0)']);
  assert.deepEqual(problems({ name: 'x', nodes: [{ name: 'S', type: 'start', transitions: { api_request: 'T' } }, { name: 'T', type: 'start' }] }), [
    'nodes: must hold exactly one start node (found 2)',
    'S.transitions.api_request: cannot lead back to the start node',
  ]);
  assert.deepEqual(problems({ name: 'x', nodes: [{ name: 'S', type: 'start' }, 'oops', { name: '1bad', type: 'hangup' }] }), [
    'nodes[1].node: must be an object (got a string)',
    '1bad.name: must start with a letter and hold only letters, digits and _ (it is how templates refer to the node: {{Name.variable}})',
  ]);
  assert.deepEqual(problems({ name: 'x', nodes: [{ name: 'S', type: 'start' }, { name: 'B', type: 'branch', conditions: [{ state: 'vip', variable: '{{S.x}}', operator: 'like' }] }] }), [
    'B.conditions[0].operator: must be one of equals, not_equals, contains, starts_with, ends_with, greater_than, less_than, is_empty, is_not_empty (got "like")',
  ]);
  assert.deepEqual(problems({ name: 'x', nodes: [{ name: 'S', type: 'start' }, { name: 'H', type: 'http_request', url: 'http://x', auth: { type: 'oauth2' }, headers: ['a'] }] }), [
    'H.auth.type: must be basic or bearer (got "oauth2")',
    'H.headers: must be an object of key/value pairs (got an array)',
  ]);
  assert.deepEqual(problems({ name: 'x', nodes: [{ name: 'S', type: 'start' }, { name: 'F', type: 'call_forward', to: ['1'], screening: { confirm_key: '12' } }] }), [
    'F.screening.confirm_key: must be one key: 0-9, * or #',
  ]);
});

test('validation never throws, whatever JSON it is given', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const v = validateFlow(value);
      assert.equal(typeof v.ok, 'boolean');
    }),
    { numRuns: 300, seed: 20261124 },
  );
  fc.assert(
    fc.property(fc.array(fc.dictionary(fc.constantFrom('name', 'type', 'to', 'transitions', 'url', 'body', 'conditions', 'auth'), fc.jsonValue())), (nodes) => {
      validateFlow({ name: 'x', nodes });
    }),
    { numRuns: 300, seed: 20261124 },
  );
});

test('validation names a field whose value is an object pretending to be a string', () => {
  // Found by the property above: String() of `{"toString": ""}` throws.
  const v = validateFlow({ name: 'x', nodes: [{ type: { toString: '' } }] });
  assert.equal(v.ok, false);
});

test('Liquid with Plivo variable names; unknown variables render empty', async () => {
  const vars = { Start: { call: { from: '15559990001' }, http: { params: { otp: '779889' } } }, Call_Forward: { dial_status: 'no-answer' } };
  assert.equal(await render('{{Start.call.from}} {{Start.http.params.otp}} {{Call_Forward.dial_status | upcase}}', vars), '15559990001 779889 NO-ANSWER');
  assert.equal(await render('[{{Nope.x}}]', vars), '[]');
  assert.equal(await render('{% if Call_Forward.dial_status == "no-answer" %}retry{% endif %}', vars), 'retry');
});

test('Branch operators and the DialStatus -> Call Forward state table', () => {
  assert.ok(holds('equals', ' completed ', 'completed'));
  assert.ok(holds('greater_than', '10', '9'));
  assert.ok(!holds('greater_than', 'abc', '3'));
  assert.ok(holds('is_empty', '  ', ''));
  assert.ok(holds('starts_with', '+4420', '+44'));
  assert.deepEqual(
    (['completed', 'no-answer', 'busy', 'failed', 'timeout', 'cancel'] as const).map(dialState),
    ['completed', 'no_answer', 'busy', 'failed', 'failed', 'failed'],
  );
});

test('generated XML escapes template output and parses as the Dial / Speak it stands for', () => {
  const dial = parseResponse(dialXml({ targets: ['15550001', 'sip:a@b.c'], timeoutS: 20, callerId: '1555"<x>', confirmKey: '#' }));
  assert.ok(dial.ok);
  const el = dial.document.children[0]!;
  assert.equal(el.kind, 'Dial');
  if (el.kind === 'Dial') {
    assert.deepEqual([el.timeout, el.callerId, el.confirmKey, el.targets.map((t) => t.kind)], [20, '1555"<x>', '#', ['Number', 'User']]);
  }
  const speak = parseResponse(speakXml('a < b & </Speak><Hangup/>', 1));
  assert.ok(speak.ok);
  assert.equal(speak.document.children.length, 1);
});
