/**
 * Initiate Call (plivo.md §8): places an outbound call; `answered` continues the flow on it, the
 * others (no_answer, busy, failed) say why it never connected. From then on the call nodes act
 * on this call.
 */
import type { InitiateCallNode, InitiateState } from '../flow-schema.ts';
import { FlowCall } from '../flow-call.ts';
import { formatTime } from '../../util/time.ts';
import type { CallRow } from '../../store/store.ts';
import { isDialable } from '../../util/phone.ts';
import { FlowNodeError, type NodeResult, type RunContext } from '../run-context.ts';

function unansweredState(status: CallRow['call_status']): InitiateState {
  if (status === 'busy') return 'busy';
  if (status === 'no-answer') return 'no_answer';
  return 'failed';
}

export async function initiateCall(node: InitiateCallNode, rc: RunContext): Promise<NodeResult> {
  const from = (await rc.render(node.from)).trim();
  const to = (await rc.render(node.to)).trim();
  if (!isDialable(to)) throw new FlowNodeError(`${node.name}.to: "${to}" is not a number or SIP URI`);
  if (!from) throw new FlowNodeError(`${node.name}.from: rendered empty`);
  let onAnswer!: (call: FlowCall) => void;
  const answered = new Promise<FlowCall>((r) => (onAnswer = r));
  const placed = await rc.placeCall({
    from,
    to,
    ringTimeoutS: node.ringTimeout,
    program: (ctx) => {
      const call = new FlowCall(ctx);
      onAnswer(call);
      return call.settled();
    },
  });
  const first = await rc.waitOnClock(Promise.race([answered, placed.done.then((row) => ({ row }))]));
  if (first instanceof FlowCall) {
    rc.call?.finish();
    rc.call = first;
    const row = first.row();
    return { state: 'answered', variables: { uuid: row.call_uuid, from: row.from_number, to: row.to_number, call_status: 'in-progress', direction: 'outbound', answer_time: formatTime(row.answer_time) } };
  }
  const row = first.row;
  return {
    state: unansweredState(row.call_status),
    variables: { uuid: row.call_uuid, from: row.from_number, to: row.to_number, call_status: row.call_status, hangup_cause: row.hangup_cause ?? '', direction: 'outbound' },
  };
}
