// GetDigits and GetInput: collect what the caller presses (or says), prompting with nested
// Speak / Play / Wait (plivo.md §4.1, §4.2).

import { AttributeReader } from './attribute-reader.ts';
import type { GetDigitsElement, GetInputElement, InputType, MediaElement } from './elements.ts';
import { elementChildren } from './nesting.ts';
import { validateMedia } from './validate-prompts.ts';
import type { XmlElementNode } from './xml-reader.ts';

const GET_DIGITS_ATTRIBUTES = [
  'action', 'method', 'timeout', 'digitTimeout', 'finishOnKey', 'numDigits', 'retries', 'invalidDigitsSound',
  'validDigits', 'playBeep', 'redirect', 'log',
] as const;

const GET_INPUT_ATTRIBUTES = [
  'action', 'method', 'inputType', 'executionTimeout', 'digitEndTimeout', 'speechEndTimeout', 'finishOnKey',
  'numDigits', 'speechModel', 'hints', 'language', 'interimSpeechResultsCallback',
  'interimSpeechResultsCallbackMethod', 'log', 'redirect', 'profanityFilter',
] as const;

export function validateGetDigits(node: XmlElementNode, warnings: string[]): GetDigitsElement {
  const attrs = new AttributeReader(node, GET_DIGITS_ATTRIBUTES, warnings);
  const action = attrs.url('action');
  const timeout = attrs.int('timeout', { unit: 'seconds', min: 1 }) ?? 5;
  const validDigits = readValidDigits(attrs, node, warnings);
  const invalidDigitsSound = attrs.url('invalidDigitsSound');
  const element: GetDigitsElement = {
    kind: 'GetDigits',
    pos: node.pos,
    ...(action !== undefined && { action }),
    method: attrs.method('method') ?? 'POST',
    timeout,
    digitTimeout: attrs.int('digitTimeout', { unit: 'seconds', min: 1 }) ?? timeout,
    finishOnKey: finishOnKey(attrs),
    numDigits: attrs.int('numDigits', { min: 1 }) ?? 99,
    retries: attrs.int('retries', { min: 1 }) ?? 1,
    redirect: attrs.bool('redirect') ?? true,
    playBeep: attrs.bool('playBeep') ?? false,
    validDigits,
    ...(invalidDigitsSound !== undefined && { invalidDigitsSound }),
    log: attrs.bool('log') ?? true,
    children: prompts(node, warnings),
  };
  return element;
}

export function validateGetInput(node: XmlElementNode, warnings: string[]): GetInputElement {
  const attrs = new AttributeReader(node, GET_INPUT_ATTRIBUTES, warnings);
  const action = attrs.url('action');
  const speechModel = attrs.trimmed('speechModel');
  const hints = attrs.trimmed('hints');
  const interim = attrs.url('interimSpeechResultsCallback');
  return {
    kind: 'GetInput',
    pos: node.pos,
    ...(action !== undefined && { action }),
    method: attrs.method('method') ?? 'POST',
    inputType: inputType(attrs, node, warnings),
    executionTimeout: attrs.int('executionTimeout', { unit: 'seconds', min: 5, max: 60 }) ?? 15,
    digitEndTimeout: endTimeout(attrs, 'digitEndTimeout'),
    speechEndTimeout: endTimeout(attrs, 'speechEndTimeout'),
    finishOnKey: finishOnKey(attrs),
    numDigits: attrs.int('numDigits', { min: 1, max: 32 }) ?? 32,
    redirect: attrs.bool('redirect') ?? true,
    language: attrs.trimmed('language') ?? 'en-US',
    ...(speechModel !== undefined && { speechModel }),
    ...(hints !== undefined && { hints }),
    profanityFilter: attrs.bool('profanityFilter') ?? false,
    ...(interim !== undefined && { interimSpeechResultsCallback: interim }),
    interimSpeechResultsCallbackMethod: attrs.method('interimSpeechResultsCallbackMethod') ?? 'POST',
    log: attrs.bool('log') ?? true,
    children: prompts(node, warnings),
  };
}

/** One key of 0-9, `*`, `#`; empty or `none` turns it off (Plivo's GetDigits/GetInput docs). */
function finishOnKey(attrs: AttributeReader): string {
  const raw = attrs.string('finishOnKey');
  if (raw === undefined) return '#';
  const v = raw.trim();
  if (v === '' || v.toLowerCase() === 'none') return '';
  if (!/^[0-9*#]$/.test(v)) attrs.fail('finishOnKey', `must be one of 0-9, * or #, or empty or none, got "${raw}"`);
  return v;
}

/**
 * The keys GetDigits accepts. `plivo` 4.x's `addGetDigits({ validDigits: ['1', '2', '3'] })` writes
 * `validDigits="1,2,3"`, and Plivo runs it (issue 16): commas and blanks between keys are
 * separators, dropped with a warning. Anything else that is not a key is a value Plivo cannot run.
 */
function readValidDigits(attrs: AttributeReader, node: XmlElementNode, warnings: string[]): string {
  const raw = attrs.string('validDigits');
  if (raw === undefined) return '1234567890*#';
  const keys = raw.replace(/[\s,;]/g, '');
  if (!/^[0-9*#]+$/.test(keys)) attrs.fail('validDigits', `must contain only 0-9, * and #, got "${raw}"`);
  if (keys !== raw) {
    warnings.push(`GetDigits: validDigits "${raw}" read as "${keys}" (separators ignored) ${at(node)}`);
  }
  return keys;
}

/**
 * Plivo's reference marks only `action` as required, and a public IVR that omits inputType runs
 * on Plivo (issue 16): it defaults to `dtmf`, with a warning, because that is what Switchboard
 * can hear and what such apps are written for.
 */
function inputType(attrs: AttributeReader, node: XmlElementNode, warnings: string[]): InputType {
  const raw = attrs.string('inputType');
  if (raw === undefined) {
    warnings.push(`GetInput: no inputType; using dtmf ${at(node)}`);
    return 'dtmf';
  }
  const words = new Set(raw.trim().toLowerCase().split(/\s+/));
  const dtmf = words.delete('dtmf');
  const speech = words.delete('speech');
  if (words.size > 0 || (!dtmf && !speech)) {
    attrs.fail('inputType', `must be dtmf, speech or "dtmf speech", got "${raw}"`);
  }
  return dtmf && speech ? 'dtmf speech' : dtmf ? 'dtmf' : 'speech';
}

function at(node: XmlElementNode): string {
  return `(line ${node.pos.line}, column ${node.pos.column})`;
}

function endTimeout(attrs: AttributeReader, name: string): number | 'auto' {
  const raw = attrs.string(name);
  if (raw === undefined || raw.trim().toLowerCase() === 'auto') return 'auto';
  if (!/^\s*[+-]?[0-9]+\s*$/.test(raw)) attrs.fail(name, `must be auto or a whole number of seconds, got "${raw}"`);
  return attrs.int(name, { unit: 'seconds', min: 2, max: 10 }) ?? 'auto';
}

function prompts(node: XmlElementNode, warnings: string[]): MediaElement[] {
  const out: MediaElement[] = [];
  for (const child of elementChildren(node)) {
    const media = validateMedia(child, warnings);
    if (media !== undefined) out.push(media);
  }
  return out;
}
