/** Play Audio and Speak: the call hears them (simulated audio: they take their media time, docs/simulated-network.md). */
import type { PlayNode, SpeakNode } from '../flow-schema.ts';
import { playXml, speakXml } from '../call-xml.ts';
import type { NodeResult, RunContext } from '../run-context.ts';

export async function play(node: PlayNode, rc: RunContext): Promise<NodeResult> {
  const call = rc.requireCall(node.name);
  const url = await rc.render(node.url);
  await rc.waitOnClock(call.run(playXml(url, node.loop)));
  return { state: 'completed', variables: { url } };
}

export async function speak(node: SpeakNode, rc: RunContext): Promise<NodeResult> {
  const call = rc.requireCall(node.name);
  const text = await rc.render(node.text);
  await rc.waitOnClock(call.run(speakXml(text, node.loop, node.voice, node.language)));
  return { state: 'completed', variables: { text } };
}
