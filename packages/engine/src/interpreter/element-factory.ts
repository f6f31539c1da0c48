/** The one place that maps an element to its handler (STYLE.md §2). */
import type { Element } from '../xml/elements.ts';
import type { ElementHandler } from './context.ts';
import { speak } from './elements/speak.ts';
import { play } from './elements/play.ts';
import { wait } from './elements/wait.ts';
import { hangup } from './elements/hangup.ts';
import { redirect } from './elements/redirect.ts';
import { getDigits } from './elements/get-digits.ts';
import { getInput } from './elements/get-input.ts';
import { preAnswer } from './elements/pre-answer.ts';
import { dial } from './elements/dial.ts';
import { dtmf } from './elements/dtmf.ts';
import { record } from './elements/record.ts';
import { conference } from './elements/conference.ts';
import { unsupported } from './elements/unsupported.ts';

type Handlers = { [K in Element['kind']]: ElementHandler<Extract<Element, { kind: K }>> };

const HANDLERS: Handlers = {
  Speak: speak,
  Play: play,
  Wait: wait,
  Hangup: hangup,
  Redirect: redirect,
  GetDigits: getDigits,
  GetInput: getInput,
  PreAnswer: preAnswer,
  Dial: dial,
  DTMF: dtmf,
  Record: record,
  Conference: conference,
  Unsupported: unsupported,
};

export function handlerFor(element: Element): ElementHandler<Element> {
  return HANDLERS[element.kind] as ElementHandler<Element>;
}

/**
 * Elements that run before an inbound call is answered (plivo.md §4.2: PreAnswer, Wait, Hangup...).
 * A Dial does too: the caller hears ringback, and the call is answered when a callee is bridged,
 * so a caller whose Dial reaches nobody is never answered (dial-runner.ts).
 */
const BEFORE_ANSWER: ReadonlySet<Element['kind']> = new Set(['PreAnswer', 'Wait', 'Hangup', 'Redirect', 'Dial', 'Unsupported']);

export function needsAnsweredCall(element: Element): boolean {
  return !BEFORE_ANSWER.has(element.kind);
}
