/**
 * Call Forward (plivo.md §8): bridges numbers into the call. `parallel` is one Dial ringing them
 * all (the first to answer wins); `sequential` is one Dial per number, each ringing for the ring
 * timeout, until one answers. The state comes from the DialStatus of the last Dial:
 * completed -> completed, no-answer -> no_answer, busy -> busy (busy or rejected),
 * failed / timeout / cancel -> failed.
 */
import type { CallForwardNode, DialState } from '../flow-schema.ts';
import type { DialResult } from '../../domain/dial.ts';
import { dialXml } from '../call-xml.ts';
import { FlowNodeError, type NodeResult, type RunContext } from '../run-context.ts';

export function dialState(status: DialResult['status']): DialState {
  switch (status) {
    case 'completed':
      return 'completed';
    case 'no-answer':
      return 'no_answer';
    case 'busy':
      return 'busy';
    default:
      return 'failed';
  }
}

export async function callForward(node: CallForwardNode, rc: RunContext): Promise<NodeResult> {
  const call = rc.requireCall(node.name);
  const targets: string[] = [];
  for (const t of node.to) {
    for (const part of (await rc.render(t)).split(',')) if (part.trim()) targets.push(part.trim());
  }
  if (targets.length === 0) throw new FlowNodeError(`${node.name}.to: rendered to no number`);
  const callerId = node.from === undefined ? undefined : await rc.render(node.from);
  const callerName = node.callerName === undefined ? undefined : await rc.render(node.callerName);
  const groups = node.mode === 'parallel' ? [targets] : targets.map((t) => [t]);
  let result: DialResult | undefined;
  for (const group of groups) {
    if (!call.live) break;
    const xml = dialXml({ targets: group, timeoutS: node.ringTimeout, callerId, callerName, confirmKey: node.screening?.confirmKey });
    const { dial } = await rc.waitOnClock(call.run(xml));
    if (dial) result = dial;
    if (dial?.status === 'completed' || dial?.status === 'cancel') break;
  }
  // The caller left before any Dial could start: nothing was forwarded.
  result ??= { status: 'cancel', rang: false, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' };
  const a = call.row();
  return {
    state: dialState(result.status),
    variables: {
      dial_status: result.status,
      dial_ring_status: result.rang ? 'true' : 'false',
      dial_hangup_cause: result.hangupCause,
      dial_a_leg_uuid: a.call_uuid,
      dial_b_leg_uuid: result.bLegUuid,
      from: callerId ?? a.from_number,
      to: targets.join(','),
      mode: node.mode,
    },
  };
}
