// `<Conference>` (plivo.md §4.2; Plivo's Conference XML reference for the defaults): the room is
// the element's body; every attribute of the SDK's whitelist is read here.

import { AttributeReader, isHttpUrl } from './attribute-reader.ts';
import type { ConferenceElement, ConferenceSound } from './elements.ts';
import { contentError, requiredBody } from './nesting.ts';
import type { XmlElementNode } from './xml-reader.ts';

const KNOWN = [
  'muted', 'beep', 'startConferenceOnEnter', 'endConferenceOnExit', 'waitSound', 'enterSound', 'exitSound', 'timeLimit',
  'hangupOnStar', 'maxMembers', 'record', 'recordWhenAlone', 'recordFileFormat', 'action', 'method', 'redirect',
  'digitsMatch', 'callbackUrl', 'callbackMethod', 'stayAlone', 'floorEvent', 'transcriptionType', 'transcriptionUrl',
  'transcriptionMethod', 'relayDTMF',
] as const;

/** Plivo's documented range (1 to 20, default 20); PF allowed up to 200, so larger values are cut to that, with a warning. */
const DEFAULT_MAX_MEMBERS = 20;
const MAX_MAX_MEMBERS = 200;
/** Seconds; Plivo's default conference time limit is a day. */
const DEFAULT_TIME_LIMIT = 86_400;

export function validateConference(node: XmlElementNode, warnings: string[]): ConferenceElement {
  const attrs = new AttributeReader(node, KNOWN, warnings);
  const room = requiredBody(node, 'conference room name');
  let maxMembers = attrs.int('maxMembers', { min: 1 }) ?? DEFAULT_MAX_MEMBERS;
  if (maxMembers > MAX_MAX_MEMBERS) {
    warnings.push(`Conference: maxMembers ${maxMembers} cut to ${MAX_MAX_MEMBERS} (line ${node.pos.line}, column ${node.pos.column})`);
    maxMembers = MAX_MAX_MEMBERS;
  }
  // timeLimit 0 (PF's "no limit") is taken as the default day.
  const timeLimit = attrs.int('timeLimit', { unit: 'seconds', min: 0 }) || DEFAULT_TIME_LIMIT;
  const digitsMatch = (attrs.string('digitsMatch') ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of digitsMatch) {
    if (!/^[0-9*#]+$/.test(d)) attrs.fail('digitsMatch', `patterns must hold only digits, * and #, got "${d}"`);
  }
  const action = attrs.url('action');
  const callbackUrl = attrs.url('callbackUrl');
  const waitSound = attrs.url('waitSound');
  const transcriptionType = attrs.trimmed('transcriptionType');
  const transcriptionUrl = attrs.url('transcriptionUrl');
  const enterSound = sound(attrs, 'enterSound', node);
  const exitSound = sound(attrs, 'exitSound', node);
  return {
    kind: 'Conference',
    pos: node.pos,
    room,
    muted: attrs.bool('muted') ?? false,
    beep: attrs.bool('beep') ?? false,
    startConferenceOnEnter: attrs.bool('startConferenceOnEnter') ?? true,
    endConferenceOnExit: attrs.bool('endConferenceOnExit') ?? false,
    ...(waitSound !== undefined && { waitSound }),
    ...(enterSound !== undefined && { enterSound }),
    ...(exitSound !== undefined && { exitSound }),
    timeLimit,
    hangupOnStar: attrs.bool('hangupOnStar') ?? false,
    maxMembers,
    record: attrs.bool('record') ?? false,
    recordWhenAlone: attrs.bool('recordWhenAlone') ?? false,
    recordFileFormat: attrs.oneOf('recordFileFormat', ['mp3', 'wav'] as const) ?? 'mp3',
    ...(action !== undefined && { action }),
    method: attrs.method('method') ?? 'POST',
    redirect: attrs.bool('redirect') ?? true,
    digitsMatch,
    ...(callbackUrl !== undefined && { callbackUrl }),
    callbackMethod: attrs.method('callbackMethod') ?? 'POST',
    stayAlone: attrs.bool('stayAlone') ?? true,
    floorEvent: attrs.bool('floorEvent') ?? false,
    relayDTMF: attrs.bool('relayDTMF') ?? true,
    ...(transcriptionType !== undefined && { transcriptionType }),
    ...(transcriptionUrl !== undefined && { transcriptionUrl }),
    transcriptionMethod: attrs.method('transcriptionMethod') ?? 'POST',
  };
}

/** `""`, `beep:1`, `beep:2` or a URL that answers Play / Speak / Wait (Plivo's enterSound / exitSound). */
function sound(attrs: AttributeReader, name: string, node: XmlElementNode): ConferenceSound | undefined {
  const v = attrs.trimmed(name);
  if (v === undefined) return undefined;
  if (v === 'beep:1' || v === 'beep:2') return v;
  if (isHttpUrl(v)) return v;
  throw contentError(node, `attribute "${name}" must be "", beep:1, beep:2 or an absolute http(s) URL, got "${v}"`);
}
