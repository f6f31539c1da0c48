/**
 * Flows started by the run API (`POST /v1/account/{auth_id}/phlo/{phlo_id}`, plivo.md §8) with the
 * shipped `examples/flows/callback-request.json`: Initiate Call -> Speak -> a sequential Call
 * Forward -> HTTP Request (JSON) -> Hangup; and the flow API's validation errors, which name the
 * node and the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startHarness, AUTH_ID, type Harness } from './support/harness.ts';

const CUSTOMER = '15557770001';
const AGENT1 = '15550011';
const AGENT2 = '15550012';

async function importExample(h: Harness): Promise<string> {
  const text = await readFile(new URL('../../../examples/flows/callback-request.json', import.meta.url), 'utf8');
  const flow = JSON.parse(text.replaceAll('http://127.0.0.1:3000', h.app.url('').replace(/\/$/, '')));
  const res = await h.api('POST', 'Flow/', flow);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.flow_id as string;
}

async function runFlow(h: Harness, flowId: string, payload: unknown): Promise<{ status: number; body: any }> {
  return h.api('POST', `/v1/account/${AUTH_ID}/phlo/${flowId}`, payload);
}

async function trace(h: Harness, flowId: string, runId: string): Promise<any> {
  const res = await h.api('GET', `Flow/${flowId}/Run/${runId}/`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

test('callback-request.json: the run API calls the customer, tries the agents one by one, reports in JSON, hangs up', async () => {
  const h = await startHarness();
  try {
    const flowId = await importExample(h);
    await h.sim(CUSTOMER, 'ring 3s, answer');
    await h.sim(AGENT1, 'ring 5s, busy');
    await h.sim(AGENT2, 'ring 2s, answer, hangup after 40s');
    const res = await runFlow(h, flowId, { customer: `+${CUSTOMER}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.phlo_id, flowId);
    assert.equal(res.body.message, 'flow run started');
    assert.match(res.body.api_id, /^[0-9a-f-]{36}$/);

    const [report] = await h.waitFor('/callback/report');
    await h.settle();
    assert.equal(report!.headers['content-type'], 'application/json');
    const body = JSON.parse(report!.rawBody);
    assert.equal(body.customer, `+${CUSTOMER}`);
    assert.equal(body.dial_status, 'completed');
    // Answered at 3, spoke ~3 s, agent 1 busy at 3+speak+5, agent 2 answered 2 s later and hung up after 40 s.
    const run = await trace(h, flowId, res.body.api_id);
    assert.equal(run.status, 'completed', run.error);
    assert.equal(run.trigger, 'api_request');
    assert.deepEqual(run.payload, { customer: `+${CUSTOMER}`, agents: '+15550011,+15550012' });
    assert.deepEqual(
      run.trace.map((s: any) => [s.node, s.state]),
      [
        ['Start', 'api_request'],
        ['Call_Customer', 'answered'],
        ['Greeting', 'completed'],
        ['Agents', 'completed'],
        ['Report', 'success'],
        ['Goodbye', null],
      ],
    );
    assert.equal(run.call_uuid, body.call_uuid);
    const [, call, greeting, agents] = run.trace;
    assert.equal(call.duration_ms, 3000);
    assert.equal(agents.duration_ms, 5000 + 2000 + 40000);
    assert.equal(h.at(report!), (call.duration_ms + greeting.duration_ms + agents.duration_ms) / 1000);
    assert.equal(agents.variables.mode, 'sequential');
    const customer = (await h.api('GET', `Call/${run.call_uuid}/`)).body;
    assert.equal(customer.call_direction, 'outbound');
    assert.equal(customer.hangup_cause_name, 'Normal Hangup', 'the Hangup node ended the call');
    const agent = (await h.api('GET', `Call/${body.agent_leg}/`)).body;
    assert.equal(agent.to_number.replace('+', ''), AGENT2);
    assert.equal(agent.parent_call_uuid, run.call_uuid);
  } finally {
    await h.close();
  }
});

test('callback-request.json: a busy customer takes the busy state and reports the cause', async () => {
  const h = await startHarness();
  try {
    const flowId = await importExample(h);
    await h.sim(CUSTOMER, 'ring 1s, busy');
    const res = await runFlow(h, flowId, { customer: CUSTOMER, agents: AGENT1 });
    assert.equal(res.status, 201);
    const [unreached] = await h.waitFor('/callback/unreached');
    await h.settle();
    assert.deepEqual(JSON.parse(unreached!.rawBody), { customer: CUSTOMER, call_status: 'busy', hangup_cause: 'USER_BUSY' });
    assert.equal(h.at(unreached!), 1);
    const run = await trace(h, flowId, res.body.api_id);
    assert.deepEqual(run.trace.map((s: any) => [s.node, s.state, s.next]), [
      ['Start', 'api_request', 'Call_Customer'],
      ['Call_Customer', 'busy', 'Customer_Unreached'],
      ['Customer_Unreached', 'success', null],
    ]);
  } finally {
    await h.close();
  }
});

test('the run API refuses unknown flows, undeclared payload keys, flows without an api_request trigger; needs auth', async () => {
  const h = await startHarness();
  try {
    const flowId = await importExample(h);
    const undeclared = await runFlow(h, flowId, { customer: CUSTOMER, otp: '1234' });
    assert.equal(undeclared.status, 400);
    assert.deepEqual([undeclared.body.code, undeclared.body.param, undeclared.body.error], ['SB_INVALID_PARAM', 'otp', 'otp: is not a payload key the Start node declares (declared: customer, agents)']);
    assert.ok(undeclared.body.api_id);
    assert.equal((await runFlow(h, '00000000-0000-4000-8000-000000000000', {})).status, 404);
    const text = await readFile(new URL('../../../examples/flows/dial-status.json', import.meta.url), 'utf8');
    const inboundOnly = (await h.api('POST', 'Flow/', JSON.parse(text))).body.flow_id;
    const noTrigger = await runFlow(h, inboundOnly, {});
    assert.equal(noTrigger.status, 409);
    assert.equal(noTrigger.body.error, `flow ${inboundOnly}: its Start node has no api_request transition`);
    const unauth = await h.api('POST', `/v1/account/${AUTH_ID}/phlo/${flowId}`, { customer: CUSTOMER }, null);
    assert.equal(unauth.status, 401);
    // The SDK's phlo.get() shape.
    const got = await h.api('GET', `/v1/account/${AUTH_ID}/phlo/${flowId}`);
    assert.deepEqual([got.body.phlo_id, got.body.name], [flowId, 'Callback request']);
    // A flow that cannot take calls cannot be attached to a number.
    const attach = await h.api('POST', 'PhoneNumber/15553330001/', { flow_id: flowId });
    assert.equal(attach.status, 409);
  } finally {
    await h.close();
  }
});

test('Flow API: validation names the node and field of every problem; get, list, update, delete', async () => {
  const h = await startHarness();
  try {
    const bad = await h.api('POST', 'Flow/', {
      name: 'broken',
      nodes: [
        { name: 'Start', type: 'start', transitions: { incoming_call: 'Forward', sms: 'X' } },
        { name: 'Forward', type: 'call_forward', to: [], ring_timeout: 0, mode: 'round-robin', transitions: { completed: 'Nowhere' } },
        { name: 'Report', type: 'http_request', method: 'PATCH', body: { type: 'json', data: { a: '{{ unclosed' } } },
        { name: 'Report', type: 'teleport' },
      ],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'SB_INVALID_FLOW');
    assert.equal(
      bad.body.error,
      'flow: ' +
        [
          'Start.transitions.sms: is not a state of this node (states: incoming_call, api_request)',
          'Forward.to: is required: a number, a comma-separated list, or an array of numbers',
          'Forward.ring_timeout: must be a whole number of seconds from 1 to 600 (got 0)',
          'Forward.mode: must be one of parallel, sequential (got "round-robin")',
          'Report.method: must be one of GET, POST, PUT, DELETE (got "PATCH")',
          'Report.url: is required',
          'Report.body.data.a: is not a valid Liquid template (output "{{ unclosed" not closed, line:1, col:1)',
          'Report.name: is used by another node (node names are unique)',
          'Report.type: must be one of start, call_forward, initiate_call, http_request, play, speak, branch, hangup (got "teleport")',
          'Forward.transitions.completed: names no node of this flow ("Nowhere")',
        ].join('; '),
    );
    assert.equal((await h.api('POST', 'Flow/', '[1]')).body.code, 'SB_INVALID_BODY');

    const flowId = await importExample(h);
    const got = await h.api('GET', `Flow/${flowId}/`);
    assert.equal(got.body.name, 'Callback request');
    assert.equal(got.body.run_url, `/v1/account/${AUTH_ID}/phlo/${flowId}`);
    assert.equal(got.body.definition.nodes.length, 8);
    const renamed = { ...got.body.definition, name: 'Callback v2' };
    assert.equal((await h.api('POST', `Flow/${flowId}/`, renamed)).status, 202);
    const list = await h.api('GET', 'Flow/');
    assert.deepEqual(list.body.objects.map((f: any) => f.name), ['Callback v2']);
    assert.equal((await h.api('DELETE', `Flow/${flowId}/`)).status, 204);
    assert.equal((await h.api('GET', `Flow/${flowId}/`)).status, 404);
  } finally {
    await h.close();
  }
});
