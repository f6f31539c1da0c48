// The entry points: text from an app in, a typed document (or one XmlError) out.
// One switch maps each element name to its validator; nothing here knows about calls.

import type { Element, MediaDocument, MediaElement, PreAnswerElement, ResponseDocument } from './elements.ts';
import { AttributeReader } from './attribute-reader.ts';
import { elementChildren, textNotAllowed } from './nesting.ts';
import { validateDial } from './validate-dial.ts';
import { validateConference } from './validate-conference.ts';
import { validateDtmf, validateHangup, validateRedirect, validateUnsupported } from './validate-control.ts';
import { validateGetDigits, validateGetInput } from './validate-input.ts';
import { validateRecord } from './validate-record.ts';
import { validateMedia, validatePlay, validateSpeak, validateWait } from './validate-prompts.ts';
import { XmlError } from './xml-error.ts';
import { readXml } from './xml-reader.ts';
import type { XmlElementNode } from './xml-reader.ts';

export type ParseResult =
  | { readonly ok: true; readonly document: ResponseDocument; readonly warnings: string[] }
  | { readonly ok: false; readonly error: XmlError };

export type MediaParseResult =
  | { readonly ok: true; readonly document: MediaDocument; readonly warnings: string[] }
  | { readonly ok: false; readonly error: XmlError };

/**
 * Parses and validates an app's Plivo XML (answer_url, Redirect, Dial action ...).
 * Never throws for bad input: a document Switchboard cannot run comes back as `{ ok: false, error }`.
 */
export function parseResponse(xml: string): ParseResult {
  // An app answers every call with the same few documents: the tree is immutable (deep-frozen)
  // and depends on the text alone, so a document read once is shared. Failures are not kept.
  const known = typeof xml === 'string' ? parsed.get(xml) : undefined;
  if (known !== undefined) return { ok: true, document: known.document, warnings: known.warnings.slice() };
  const result = attempt(xml, (root, warnings): ResponseDocument => {
    const children = elementChildren(root).map((child) => validateElement(child, warnings));
    return { kind: 'Response', children };
  });
  if (result.ok && xml.length <= CACHED_MAX_CHARS) {
    if (parsed.size >= CACHED_DOCUMENTS) parsed.clear();
    parsed.set(xml, { document: result.document, warnings: result.warnings.slice() });
  }
  return result;
}

/** Documents kept by text, and how large one may be to be kept (an answer is usually well under 1 KB). */
const CACHED_DOCUMENTS = 256;
const CACHED_MAX_CHARS = 16 * 1024;
const parsed = new Map<string, { readonly document: ResponseDocument; readonly warnings: readonly string[] }>();

/**
 * Parses the document a Dial `confirmSound` or `dialMusic` URL returns: only Play, Speak and
 * Wait are kept; any other element is dropped with a warning (plivo.md §3.1).
 */
export function parseMediaDocument(xml: string): MediaParseResult {
  return attempt(xml, (root, warnings) => {
    const children: MediaElement[] = [];
    for (const child of root.children) {
      if (child.type === 'text') {
        if (child.text.trim() !== '') throw textNotAllowed(root, child);
        continue;
      }
      const media = validateMedia(child, warnings);
      if (media !== undefined) children.push(media);
      else {
        warnings.push(
          `<${child.name}> dropped: a media document may only hold Play, Speak and Wait ` +
            `(line ${child.pos.line}, column ${child.pos.column})`,
        );
      }
    }
    return { kind: 'Response', children };
  });
}

function attempt<D>(
  xml: string,
  build: (root: XmlElementNode, warnings: string[]) => D,
): { ok: true; document: D; warnings: string[] } | { ok: false; error: XmlError } {
  try {
    if (typeof xml !== 'string') {
      throw new XmlError('malformed', `document must be a string, got ${typeof xml}`, { line: 1, column: 1 });
    }
    const root = readXml(xml);
    if (root.name !== 'Response') {
      throw new XmlError('root', `root element must be <Response>, got <${root.name}>`, root.pos, { element: root.name });
    }
    const warnings: string[] = [];
    new AttributeReader(root, [], warnings); // Response takes no attributes: each one is a warning
    return { ok: true, document: deepFreeze(build(root, warnings)), warnings };
  } catch (error) {
    if (error instanceof XmlError) return { ok: false, error };
    throw error;
  }
}

/** Validates one element already known to be allowed where it stands (checkNesting ran). */
function validateElement(node: XmlElementNode, warnings: string[]): Element {
  switch (node.name) {
    case 'Speak':
      return validateSpeak(node, warnings);
    case 'Play':
      return validatePlay(node, warnings);
    case 'Wait':
      return validateWait(node, warnings);
    case 'Hangup':
      return validateHangup(node, warnings);
    case 'Redirect':
      return validateRedirect(node, warnings);
    case 'GetDigits':
      return validateGetDigits(node, warnings);
    case 'GetInput':
      return validateGetInput(node, warnings);
    case 'Dial':
      return validateDial(node, warnings);
    case 'DTMF':
      return validateDtmf(node, warnings);
    case 'PreAnswer':
      return validatePreAnswer(node, warnings);
    case 'Record':
      return validateRecord(node, warnings);
    case 'Conference':
      return validateConference(node, warnings);
    default:
      // Message, MultiPartyCall, Stream: the nesting table admits no other name here.
      return validateUnsupported(node);
  }
}

/** plivo.md §4.2: no attributes; its children run in early media, before the call is answered. */
function validatePreAnswer(node: XmlElementNode, warnings: string[]): PreAnswerElement {
  new AttributeReader(node, [], warnings);
  const children = elementChildren(node).map((child) => validateElement(child, warnings));
  return { kind: 'PreAnswer', pos: node.pos, children };
}

/** The tree is shared by everything that runs the call; freezing makes "immutable" true at run time too. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
