// Hangup, Redirect and DTMF, which steer the call, and the elements Switchboard recognises but
// cannot run (plivo.md §4.2).

import { AttributeReader, isHttpUrl } from './attribute-reader.ts';
import type { DtmfElement, HangupElement, RedirectElement, UnsupportedElement } from './elements.ts';
import { contentError, noBody, requiredBody, textBody } from './nesting.ts';
import type { XmlElementNode } from './xml-reader.ts';

export function validateHangup(node: XmlElementNode, warnings: string[]): HangupElement {
  const attrs = new AttributeReader(node, ['reason', 'schedule'], warnings);
  noBody(node);
  const reason = readReason(attrs, node, warnings);
  // plivo.md §4.2: schedule is seconds > 0; the document goes on meanwhile.
  const schedule = attrs.int('schedule', { unit: 'seconds', min: 1 });
  return {
    kind: 'Hangup',
    pos: node.pos,
    ...(reason !== undefined && { reason }),
    ...(schedule !== undefined && { schedule }),
  };
}

/**
 * Plivo knows `rejected` and `busy`; any other reason (real apps write `drop`, issue 16) hangs up
 * the normal way, as Plivo does, and is ignored with a warning.
 */
function readReason(attrs: AttributeReader, node: XmlElementNode, warnings: string[]): HangupElement['reason'] {
  const raw = attrs.string('reason');
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (v === 'rejected' || v === 'busy') return v;
  warnings.push(
    `Hangup: unknown reason "${raw}" ignored (Plivo knows rejected and busy); hanging up normally ` +
      `(line ${node.pos.line}, column ${node.pos.column})`,
  );
  return undefined;
}

export function validateRedirect(node: XmlElementNode, warnings: string[]): RedirectElement {
  const attrs = new AttributeReader(node, ['method'], warnings);
  const method = attrs.method('method') ?? 'POST';
  const url = requiredBody(node, 'URL');
  if (!isHttpUrl(url)) throw contentError(node, `body must be an absolute http or https URL, got "${url}"`);
  return { kind: 'Redirect', pos: node.pos, url, method };
}

/** Digits come from the body as the SDK writes them; the `digits` attribute the SDK also allows is the fallback. */
export function validateDtmf(node: XmlElementNode, warnings: string[]): DtmfElement {
  const attrs = new AttributeReader(node, ['digits', 'async'], warnings);
  const body = textBody(node).trim();
  const digits = body !== '' ? body : (attrs.trimmed('digits') ?? '');
  if (digits === '') throw contentError(node, 'digits are missing (the element body is empty)');
  if (!/^[0-9*#A-DwW]+$/.test(digits)) {
    throw contentError(node, `digits must contain only 0-9, *, #, A-D and w/W pauses, got "${digits}"`);
  }
  return { kind: 'DTMF', pos: node.pos, digits, async: attrs.bool('async') ?? true };
}

/** Record, Conference, Stream, MultiPartyCall, Message: kept verbatim for the interpreter to skip with a warning. */
export function validateUnsupported(node: XmlElementNode): UnsupportedElement {
  const attributes = Object.fromEntries(node.attributes.map((a) => [a.name, a.value]));
  return { kind: 'Unsupported', pos: node.pos, name: node.name, attributes, body: textBody(node).trim() };
}
