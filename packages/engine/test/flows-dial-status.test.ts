/**
 * The seed's PHLO as shipped (`examples/flows/dial-status.json`, plivo.md §8): Start (incoming
 * call) -> Call Forward -> HTTP Request on every dial outcome. Imported through the Flow API,
 * attached to a number, and driven by inbound calls whose callee answers, is busy, does not
 * answer, or fails; the HTTP Request node must post the dial status each time, and every run keeps
 * a node-by-node trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startHarness, type Harness } from './support/harness.ts';

const N = '15553330001';
const CALLER = '15559990001';
const CALLEE = '15550002';

async function importExample(h: Harness): Promise<string> {
  const text = await readFile(new URL('../../../examples/flows/dial-status.json', import.meta.url), 'utf8');
  // The example posts to the seed app's address; point it at this rig's app server.
  const flow = JSON.parse(text.replaceAll('http://127.0.0.1:3000', h.app.url('').replace(/\/$/, '')));
  const res = await h.api('POST', 'Flow/', flow);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.flow_id as string;
}

interface Case {
  script: string;
  state: string;
  posted: Record<string, string>;
  bridged: boolean;
  /** Virtual second the HTTP Request arrives. */
  at: number;
}

const CASES: Record<string, Case> = {
  answers: { script: 'ring 2s, answer, hangup after 10s', state: 'completed', posted: { DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING' }, bridged: true, at: 12 },
  busy: { script: 'busy', state: 'busy', posted: { DialStatus: 'busy', DialRingStatus: 'false', DialHangupCause: 'USER_BUSY' }, bridged: false, at: 0 },
  'does not answer': { script: 'no-answer', state: 'no_answer', posted: { DialStatus: 'no-answer', DialRingStatus: 'true', DialHangupCause: 'NO_ANSWER' }, bridged: false, at: 30 },
  fails: { script: 'fail UNALLOCATED_NUMBER', state: 'failed', posted: { DialStatus: 'failed', DialRingStatus: 'false', DialHangupCause: 'UNALLOCATED_NUMBER' }, bridged: false, at: 0 },
};

test('dial-status.json: imported, attached to a number, reports every dial outcome through its HTTP Request node', async () => {
  const h = await startHarness();
  try {
    const flowId = await importExample(h);
    // Attached the way Plivo attaches a PHLO: its id as the number's app_id.
    assert.equal((await h.api('POST', `PhoneNumber/${N}/`, { app_id: flowId })).status, 201);
    const num = await h.api('GET', `Number/${N}/`);
    assert.equal(num.body.flow_id, flowId);
    assert.equal(num.body.app_id, null);

    let expectedPosts = 0;
    for (const [name, c] of Object.entries(CASES)) {
      await h.sim(CALLEE, c.script);
      const t0 = h.t();
      const res = await h.api('POST', 'Simulator/Call/', { from: CALLER, to: N, script: 'hangup after 60s' });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.routing, { number: N, action: 'flow', flow_id: flowId }, name);
      const posts = await h.waitFor('/dialstatus/action/', ++expectedPosts);
      await h.settle();
      const post = posts[expectedPosts - 1]!;
      assert.equal(post.method, 'POST');
      assert.equal(post.headers['content-type'], 'application/x-www-form-urlencoded', name);
      assert.equal(h.at(post) - t0, c.at, `${name}: posted at`);
      const { DialALegUUID, DialBLegUUID, ...rest } = post.params;
      assert.deepEqual(rest, c.posted, name);

      // The A leg is the inbound call; the B leg is the callee's leg when one answered.
      const runs = await h.api('GET', `Flow/${flowId}/Run/?limit=1`);
      const run = (await h.api('GET', `Flow/${flowId}/Run/${runs.body.objects[0].run_id}/`)).body;
      assert.equal(run.status, 'completed', name);
      assert.equal(run.trigger, 'incoming_call');
      assert.equal(run.call_uuid, DialALegUUID, name);
      const a = (await h.api('GET', `Call/${DialALegUUID}/`)).body;
      assert.equal(a.call_direction, 'inbound');
      assert.equal(a.to_number.replace('+', ''), N);
      if (c.bridged) {
        const b = (await h.api('GET', `Call/${DialBLegUUID}/`)).body;
        assert.equal(b.parent_call_uuid, DialALegUUID);
        assert.equal(b.to_number.replace('+', ''), CALLEE);
      } else assert.equal(DialBLegUUID, '', name);

      assert.deepEqual(
        run.trace.map((s: any) => [s.node, s.state, s.next]),
        [
          ['Start', 'incoming_call', 'Call_Forward'],
          ['Call_Forward', c.state, 'Dial_Status'],
          ['Dial_Status', 'success', null],
        ],
        name,
      );
      const forward = run.trace[1];
      assert.equal(forward.variables.dial_status, c.posted.DialStatus);
      assert.equal(forward.variables.dial_a_leg_uuid, DialALegUUID);
      assert.equal(forward.duration_ms, c.at * 1000, `${name}: the forward's duration`);
      assert.equal(run.trace[2].variables.status_code, 200);
      assert.equal(run.trace[0].variables.call.from, CALLER);
    }
    assert.equal(h.engine.registry.size, 0, 'every call ended');
  } finally {
    await h.close();
  }
});
