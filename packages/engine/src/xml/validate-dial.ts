// Dial and its nouns, Number and User: the heart of dial status reporting (plivo.md §3.1, §3.2).

import { isDialable } from '../util/phone.ts';
import { AttributeReader } from './attribute-reader.ts';
import type { DialElement, DialTarget, NumberNoun, UserNoun } from './elements.ts';
import { contentError, elementChildren, requiredBody } from './nesting.ts';
import type { XmlElementNode } from './xml-reader.ts';

const DIAL_ATTRIBUTES = [
  'action', 'method', 'timeout', 'hangupOnStar', 'timeLimit', 'callerId', 'callerName', 'confirmSound', 'dialMusic',
  'confirmKey', 'redirect', 'callbackUrl', 'callbackMethod', 'digitsMatch', 'digitsMatchBLeg', 'sipHeaders',
  'confirmTimeout',
] as const;
const NUMBER_ATTRIBUTES = ['sendDigits', 'sendOnPreanswer', 'sendDigitsMode', 'callerId', 'callerName'] as const;
const USER_ATTRIBUTES = ['sendDigits', 'sendOnPreanswer', 'sipHeaders', 'callerId', 'callerName'] as const;

/** plivo.md §3.1: the default bridged-call limit, and the 24 h cap. */
export const DEFAULT_TIME_LIMIT = 14400;
export const MAX_TIME_LIMIT = 86400;
const MAX_CALLER_NAME = 50;

export function validateDial(node: XmlElementNode, warnings: string[]): DialElement {
  const attrs = new AttributeReader(node, DIAL_ATTRIBUTES, warnings);
  const action = attrs.url('action');
  // PF: a timeout <= 0 means no ring timeout (plivo.md §3.1).
  const timeout = attrs.int('timeout', { unit: 'seconds' });
  const callerId = readCallerId(attrs);
  const callerName = readCallerName(attrs);
  const confirmSound = attrs.url('confirmSound');
  const confirmKey = readConfirmKey(attrs);
  const dialMusic = readDialMusic(attrs);
  const callbackUrl = attrs.url('callbackUrl');
  const targets = elementChildren(node).map((child) => validateTarget(child, warnings));
  if (targets.length === 0) throw contentError(node, 'at least one <Number> or <User> is required');
  return {
    kind: 'Dial',
    pos: node.pos,
    ...(action !== undefined && { action }),
    method: attrs.method('method') ?? 'POST',
    redirect: attrs.bool('redirect') ?? true,
    ...(timeout !== undefined && timeout > 0 && { timeout }),
    timeLimit: readTimeLimit(attrs, node, warnings),
    hangupOnStar: attrs.bool('hangupOnStar') ?? false,
    ...(callerId !== undefined && { callerId }),
    ...(callerName !== undefined && { callerName }),
    ...(confirmSound !== undefined && { confirmSound }),
    ...(confirmKey !== undefined && { confirmKey }),
    confirmTimeout: attrs.int('confirmTimeout', { unit: 'seconds', min: 1 }) ?? 120,
    ...(dialMusic !== undefined && { dialMusic }),
    ...(callbackUrl !== undefined && { callbackUrl }),
    callbackMethod: attrs.method('callbackMethod') ?? 'POST',
    digitsMatch: readDigitPatterns(attrs, 'digitsMatch'),
    digitsMatchBLeg: readDigitPatterns(attrs, 'digitsMatchBLeg'),
    sipHeaders: readSipHeaders(attrs),
    targets,
  };
}

function validateTarget(node: XmlElementNode, warnings: string[]): DialTarget {
  return node.name === 'Number' ? validateNumber(node, warnings) : validateUser(node, warnings);
}

function validateNumber(node: XmlElementNode, warnings: string[]): NumberNoun {
  const attrs = new AttributeReader(node, NUMBER_ATTRIBUTES, warnings);
  const number = requiredBody(node, 'number');
  if (!isDialable(number)) throw contentError(node, `"${number}" is not a phone number`);
  const sendDigits = readSendDigits(attrs);
  const sendDigitsMode = attrs.trimmed('sendDigitsMode');
  const callerId = readCallerId(attrs);
  const callerName = readCallerName(attrs);
  return {
    kind: 'Number',
    pos: node.pos,
    number,
    ...(sendDigits !== undefined && { sendDigits }),
    sendOnPreanswer: attrs.bool('sendOnPreanswer') ?? false,
    ...(sendDigitsMode !== undefined && { sendDigitsMode }),
    ...(callerId !== undefined && { callerId }),
    ...(callerName !== undefined && { callerName }),
  };
}

function validateUser(node: XmlElementNode, warnings: string[]): UserNoun {
  const attrs = new AttributeReader(node, USER_ATTRIBUTES, warnings);
  const uri = requiredBody(node, 'SIP URI');
  if (!/^sips?:[^\s]+$/i.test(uri)) throw contentError(node, `body must be a SIP URI (sip:user@host), got "${uri}"`);
  const sendDigits = readSendDigits(attrs);
  const callerId = readCallerId(attrs);
  const callerName = readCallerName(attrs);
  return {
    kind: 'User',
    pos: node.pos,
    uri,
    ...(sendDigits !== undefined && { sendDigits }),
    sendOnPreanswer: attrs.bool('sendOnPreanswer') ?? false,
    sipHeaders: readSipHeaders(attrs),
    ...(callerId !== undefined && { callerId }),
    ...(callerName !== undefined && { callerName }),
  };
}

/** PF: <= 0 falls back to the default, >= 24 h is cut to 24 h (plivo.md §3.1). */
function readTimeLimit(attrs: AttributeReader, node: XmlElementNode, warnings: string[]): number {
  const limit = attrs.int('timeLimit', { unit: 'seconds' });
  if (limit === undefined) return DEFAULT_TIME_LIMIT;
  const at = `(line ${node.pos.line}, column ${node.pos.column})`;
  if (limit <= 0) {
    warnings.push(`Dial: timeLimit "${limit}" is not positive; using ${DEFAULT_TIME_LIMIT} ${at}`);
    return DEFAULT_TIME_LIMIT;
  }
  if (limit > MAX_TIME_LIMIT) {
    warnings.push(`Dial: timeLimit "${limit}" is over 24 hours; using ${MAX_TIME_LIMIT} ${at}`);
    return MAX_TIME_LIMIT;
  }
  return limit;
}

/** PF: the literal `none` asks for an empty caller id (plivo.md §3.1). */
function readCallerId(attrs: AttributeReader): string | undefined {
  const v = attrs.string('callerId')?.trim();
  if (v === undefined) return undefined;
  return v.toLowerCase() === 'none' ? '' : v;
}

function readCallerName(attrs: AttributeReader): string | undefined {
  const raw = attrs.string('callerName');
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (v.toLowerCase() === 'none') return '';
  const length = [...v].length;
  if (length > MAX_CALLER_NAME) {
    attrs.fail('callerName', `must be at most ${MAX_CALLER_NAME} characters, got ${length}`);
  }
  return v;
}

function readConfirmKey(attrs: AttributeReader): string | undefined {
  const raw = attrs.string('confirmKey');
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (!/^[0-9*#]$/.test(v)) attrs.fail('confirmKey', `must be one of 0-9, * or #, got "${raw}"`);
  return v;
}

/** A URL of a media document, `real` (the callee's early media) or `none` (silence) (plivo.md §3.1). */
function readDialMusic(attrs: AttributeReader): string | undefined {
  const raw = attrs.string('dialMusic');
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (v === '') return undefined;
  if (/^(real|none)$/i.test(v)) return v.toLowerCase();
  if (attrs.url('dialMusic') === undefined) return undefined;
  return v;
}

function readSendDigits(attrs: AttributeReader): string | undefined {
  const v = attrs.trimmed('sendDigits');
  if (v !== undefined && !/^[0-9*#A-DwW]+$/.test(v)) {
    attrs.fail('sendDigits', `must contain only 0-9, *, #, A-D and w/W pauses, got "${attrs.string('sendDigits')}"`);
  }
  return v;
}

function readDigitPatterns(attrs: AttributeReader, name: string): string[] {
  const raw = attrs.string(name);
  if (raw === undefined) return [];
  const patterns = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of patterns) {
    if (!/^[0-9*#]+$/.test(p)) attrs.fail(name, `must be digit patterns (0-9, *, #) separated by commas, got "${raw}"`);
  }
  return patterns;
}

/** `k=v,k2=v2` (plivo.md §3.1); names are SIP header tokens. */
function readSipHeaders(attrs: AttributeReader): Readonly<Record<string, string>> {
  const raw = attrs.string('sipHeaders');
  const headers: [string, string][] = [];
  if (raw === undefined) return {};
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const name = eq === -1 ? '' : item.slice(0, eq).trim();
    if (!/^[A-Za-z0-9!%'*+._`~-]+$/.test(name)) {
      attrs.fail('sipHeaders', `must be name=value pairs separated by commas, got "${raw}"`);
    }
    headers.push([name, item.slice(eq + 1).trim()]);
  }
  // fromEntries defines own properties, so a header named __proto__ stays a plain entry.
  return Object.fromEntries(headers);
}
