/**
 * Bodies of the live-call media API (plivo.md §1.7): `Call/{uuid}/Play/` (`urls`, `length`,
 * `legs`, `loop`, `mix`), `Speak/` (`text`, `voice`, `language`, `legs`, `loop`, `mix`) and `DTMF/`
 * (`digits`, `legs`). Plivo's defaults: `legs=aleg`, `loop=false`, `mix=true`, voice WOMAN in en-US.
 * Other keys (the SDK's `isVoiceRequest`) are ignored.
 */
import type { LiveMediaRequest, MediaLegs } from '../../calls/live-media.ts';
import { invalidParam, missingParam } from '../errors.ts';
import { asParams, bool, optInt, optOneOf, optString, reqString, reqUrl, type Params } from './coerce.ts';

const LEGS = ['aleg', 'bleg', 'both'] as const;
/** Keys 0-9 * # A-D and the pauses w (0.5 s) and W (1 s), as in send_digits (plivo.md §1.3). */
const DTMF = /^[0-9*#A-Dw W]+$/;

function legs(p: Params): MediaLegs {
  return optOneOf(p, 'legs', LEGS) ?? 'aleg';
}

export function parsePlay(body: unknown): LiveMediaRequest {
  const p = asParams(body);
  const text = reqString(p, 'urls');
  const urls = text.split(',').map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) throw missingParam('urls');
  // Each URL is checked as any URL the engine would fetch.
  for (const url of urls) reqUrl({ urls: url }, 'urls');
  const lengthS = optInt(p, 'length', { min: 1, max: 86_400 });
  return { kind: 'play', urls, ...(lengthS !== undefined ? { lengthS } : {}), legs: legs(p), loop: bool(p, 'loop', false), mix: bool(p, 'mix', true) };
}

export function parseSpeak(body: unknown): LiveMediaRequest {
  const p = asParams(body);
  const text = reqString(p, 'text', { maxLength: 10_000 });
  const voice = (optOneOf(p, 'voice', ['WOMAN', 'MAN', 'woman', 'man'] as const) ?? 'WOMAN').toUpperCase();
  const language = optString(p, 'language', { maxLength: 32 }) ?? 'en-US';
  return { kind: 'speak', text, voice, language, legs: legs(p), loop: bool(p, 'loop', false), mix: bool(p, 'mix', true) };
}

export function parseDigits(body: unknown): { digits: string; legs: MediaLegs } {
  const p = asParams(body);
  const digits = reqString(p, 'digits', { maxLength: 256 });
  if (!DTMF.test(digits)) throw invalidParam('digits', `keys 0-9, *, #, A-D and the pauses w and W only, got "${digits}"`);
  return { digits: digits.replace(/ /g, ''), legs: legs(p) };
}
