/** Hangup: ends the call (Plivo's `<Hangup/>`) and the run. Without a call it just ends the run. */
import type { HangupNode } from '../flow-schema.ts';
import { hangupXml } from '../call-xml.ts';
import type { NodeResult, RunContext } from '../run-context.ts';

export async function hangup(_node: HangupNode, rc: RunContext): Promise<NodeResult> {
  if (rc.call?.live) await rc.waitOnClock(rc.call.run(hangupXml()));
  return {};
}
