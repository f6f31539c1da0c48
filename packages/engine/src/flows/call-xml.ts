/**
 * The Plivo XML a flow's call nodes stand for (docs/flows.md, "How a flow drives a call"). A
 * Call Forward is a `<Dial>`, Play and Speak are `<Play>` and `<Speak>`, Hangup is `<Hangup/>`:
 * the flow hands these documents to the same parser and interpreter an answer_url's XML goes
 * through, so a flow's call behaves exactly like the equivalent XML app.
 */

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
}

export interface DialSpec {
  targets: readonly string[];
  timeoutS: number;
  callerId?: string;
  callerName?: string;
  confirmKey?: string;
}

/** One `<Dial>` ringing every target at once (a sequential forward is one of these per target). */
export function dialXml(d: DialSpec): string {
  const nouns = d.targets.map((t) => (/^sips?:/i.test(t) ? `<User>${esc(t)}</User>` : `<Number>${esc(t)}</Number>`)).join('');
  const a = attrs({ timeout: d.timeoutS, callerId: d.callerId, callerName: d.callerName?.slice(0, 50), confirmKey: d.confirmKey });
  return `<Response><Dial${a}>${nouns}</Dial></Response>`;
}

export function playXml(url: string, loop: number): string {
  return `<Response><Play${attrs({ loop })}>${esc(url)}</Play></Response>`;
}

export function speakXml(text: string, loop: number, voice?: string, language?: string): string {
  return `<Response><Speak${attrs({ voice, language, loop })}>${esc(text)}</Speak></Response>`;
}

export function hangupXml(): string {
  return '<Response><Hangup/></Response>';
}
