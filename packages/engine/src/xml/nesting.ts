// Which element may sit inside which: the official SDK's nesting table (plivo.md §4.1), and
// the content checks every validator shares. A known element in the wrong place is
// "X cannot be nested in Y"; a name Plivo does not have is an unknown element.

import { XmlError } from './xml-error.ts';
import type { XmlElementNode, XmlTextNode } from './xml-reader.ts';

/** SSML tags Speak accepts (lowercase, as the SDK writes them), with what each may contain. */
const SSML_ALL = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'] as const;
const SSML_INLINE = ['break', 'emphasis', 'lang', 'phoneme', 'prosody', 'say-as', 'sub', 'w'] as const;

const NESTABLE: Readonly<Record<string, readonly string[]>> = {
  Response: [
    'Speak', 'Play', 'GetDigits', 'GetInput', 'Record', 'Dial', 'Message', 'Redirect', 'Wait', 'Hangup',
    'PreAnswer', 'Conference', 'DTMF', 'MultiPartyCall', 'Stream',
  ],
  PreAnswer: ['Play', 'Speak', 'GetDigits', 'Wait', 'Redirect', 'Message', 'DTMF'],
  GetDigits: ['Speak', 'Play', 'Wait'],
  GetInput: ['Speak', 'Play', 'Wait'],
  Dial: ['Number', 'User'],
  Speak: SSML_ALL,
  break: [],
  emphasis: SSML_INLINE,
  lang: SSML_ALL,
  p: ['break', 'emphasis', 'lang', 'prosody', 's', 'say-as', 'sub', 'w'],
  phoneme: [],
  prosody: SSML_ALL,
  s: SSML_INLINE,
  'say-as': [],
  sub: [],
  w: ['break', 'emphasis', 'phoneme', 'prosody', 'say-as', 'sub'],
  Play: [],
  Wait: [],
  Hangup: [],
  Redirect: [],
  Number: [],
  User: [],
  DTMF: [],
  Record: [],
  Conference: [],
  Message: [],
  MultiPartyCall: [],
  // The SDK's whitelist lets Stream hold the SSML tags (plivo.md §4.1); it is skipped anyway.
  Stream: SSML_ALL,
};

export function isSsmlName(name: string): boolean {
  return (SSML_ALL as readonly string[]).includes(name);
}

/** Throws unless `child` is a known element that may be nested in `parent`. */
export function checkNesting(parent: XmlElementNode, child: XmlElementNode): void {
  if (!Object.hasOwn(NESTABLE, child.name)) {
    const caseless = Object.keys(NESTABLE).find((k) => k.toLowerCase() === child.name.toLowerCase());
    const hint = caseless ? `; element names are case-sensitive: did you mean <${caseless}>?` : '';
    throw new XmlError('unknown-element', `unknown element <${child.name}>${hint}`, child.pos, { element: child.name });
  }
  if (!(NESTABLE[parent.name] ?? []).includes(child.name)) {
    throw new XmlError('nesting', `${child.name} cannot be nested in ${parent.name}`, child.pos, { element: child.name });
  }
}

/** The element children of a container; non-whitespace text in it is an error. */
export function elementChildren(node: XmlElementNode): XmlElementNode[] {
  const out: XmlElementNode[] = [];
  for (const c of node.children) {
    if (c.type === 'element') {
      checkNesting(node, c);
      out.push(c);
    } else if (c.text.trim() !== '') {
      throw textNotAllowed(node, c);
    }
  }
  return out;
}

export function textNotAllowed(node: XmlElementNode, text: XmlTextNode): XmlError {
  return new XmlError('content', `text is not allowed in <${node.name}>, got "${excerpt(text.text)}"`, text.pos, {
    element: node.name,
  });
}

/** The text of an element that holds only text (Play's URL, Number's digits ...), untrimmed. */
export function textBody(node: XmlElementNode): string {
  let text = '';
  for (const c of node.children) {
    if (c.type === 'element') checkNesting(node, c);
    else text += c.text;
  }
  return text;
}

/** Trimmed text body that must not be empty; `what` names it in the error ("URL", "number"). */
export function requiredBody(node: XmlElementNode, what: string): string {
  const body = textBody(node).trim();
  if (body === '') {
    throw new XmlError('content', `${node.name}: ${what} is missing (the element body is empty)`, node.pos, {
      element: node.name,
    });
  }
  return body;
}

/** For elements that take no body (Wait, Hangup, PreAnswer's text): whitespace only. */
export function noBody(node: XmlElementNode): void {
  for (const c of node.children) {
    if (c.type === 'element') checkNesting(node, c);
    else if (c.text.trim() !== '') throw contentError(node, `takes no text, got "${excerpt(c.text)}"`);
  }
}

export function contentError(node: XmlElementNode, reason: string): XmlError {
  return new XmlError('content', `${node.name}: ${reason}`, node.pos, { element: node.name });
}

function excerpt(text: string): string {
  const t = text.trim();
  return t.length > 40 ? `${t.slice(0, 40)}...` : t;
}
