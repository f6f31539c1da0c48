/** The one place that maps a node type to its handler (as interpreter/element-factory.ts does for XML). */
import type { FlowNode } from '../flow-schema.ts';
import type { NodeResult, RunContext } from '../run-context.ts';
import { branch } from './branch.ts';
import { callForward } from './call-forward.ts';
import { hangup } from './hangup.ts';
import { httpRequest } from './http-request.ts';
import { initiateCall } from './initiate-call.ts';
import { play, speak } from './prompt.ts';

export async function runNode(node: FlowNode, rc: RunContext): Promise<NodeResult> {
  switch (node.type) {
    case 'start':
      // The runner takes the start node's trigger itself; a transition can never lead here.
      return {};
    case 'call_forward':
      return callForward(node, rc);
    case 'initiate_call':
      return initiateCall(node, rc);
    case 'http_request':
      return httpRequest(node, rc);
    case 'play':
      return play(node, rc);
    case 'speak':
      return speak(node, rc);
    case 'branch':
      return branch(node, rc);
    case 'hangup':
      return hangup(node, rc);
  }
}
