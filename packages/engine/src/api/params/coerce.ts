/**
 * Reading one request parameter. Bodies come as JSON with typed values (the official SDK keeps
 * numbers and booleans), as JSON with strings, or form-decoded (all strings, repeated keys as
 * arrays); every helper accepts all three (plivo.md §1.1, engine.md §1 "REST bodies").
 *
 * Conventions shared by all helpers:
 * - absent means `undefined`, `null` or a string that is empty after trimming;
 * - strings are trimmed before they are read;
 * - a problem throws an ApiError whose message starts with the parameter's name.
 */
import { invalidBody, invalidParam, missingParam, urlRefused } from '../errors.ts';
import { currentTargetPolicy, MAX_URL_LENGTH } from '../../webhooks/target-policy.ts';

export type Params = Readonly<Record<string, unknown>>;
export type HttpMethod = 'GET' | 'POST';

/**
 * The request body as a parameter map. No body at all (`undefined`/`null`, e.g. a DELETE without
 * one) reads as `{}` so the caller reports the missing parameter by name; any other non-object
 * is SB_INVALID_BODY.
 */
export function asParams(body: unknown): Params {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw invalidBody(`must be a JSON object or a form-encoded body (got ${describe(body)})`);
  }
  return body as Params;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'raw bytes';
  if (typeof value === 'string') return 'a string';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * The value exactly as received, own keys only: a body without `constructor` must not read as
 * having Object's.
 */
export function raw(p: Params, name: string): unknown {
  return Object.hasOwn(p, name) ? p[name] : undefined;
}

/** The raw value, or undefined when absent; a repeated form/query key is an error, not a guess. */
function single(p: Params, name: string): unknown {
  const value = raw(p, name);
  if (Array.isArray(value)) {
    if (value.length === 1) return isAbsent(value[0]) ? undefined : value[0];
    throw invalidParam(name, 'given more than once');
  }
  return isAbsent(value) ? undefined : value;
}

/** True when the parameter carries a value (see the absent convention above). */
export function has(p: Params, name: string): boolean {
  const value = raw(p, name);
  if (Array.isArray(value)) return value.some((v) => !isAbsent(v));
  return !isAbsent(value);
}

/** A string parameter; JSON numbers are accepted and written in decimal (a number like 14155551212). */
export function optString(p: Params, name: string, opts: { maxLength?: number; trim?: boolean } = {}): string | undefined {
  const value = single(p, name);
  if (value === undefined) return undefined;
  let s: string;
  if (typeof value === 'string') s = opts.trim === false ? value : value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) s = String(value);
  else throw invalidParam(name, `must be a string (got ${describe(value)})`);
  if (opts.maxLength !== undefined) {
    const length = [...s].length;
    if (length > opts.maxLength) {
      throw invalidParam(name, `must be at most ${opts.maxLength} characters (got ${length})`);
    }
  }
  return s;
}

export function reqString(p: Params, name: string, opts: { maxLength?: number; trim?: boolean } = {}): string {
  const s = optString(p, name, opts);
  if (s === undefined) throw missingParam(name);
  return s;
}

/** `true`/`false` as JSON booleans or as strings in any case. */
export function optBool(p: Params, name: string): boolean | undefined {
  const value = single(p, name);
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  throw invalidParam(name, `must be true or false (got ${show(value)})`);
}

export function bool(p: Params, name: string, fallback: boolean): boolean {
  return optBool(p, name) ?? fallback;
}

export interface IntRange {
  min?: number;
  max?: number;
}

/** A whole number, as a JSON number or a decimal string (`30`, `"30"`, `"+30"`); checked against the range. */
export function optInt(p: Params, name: string, range: IntRange = {}): number | undefined {
  const value = single(p, name);
  if (value === undefined) return undefined;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) n = Number(value.trim());
  else throw invalidParam(name, `must be a whole number (got ${show(value)})`);
  if (!Number.isSafeInteger(n)) throw invalidParam(name, `must be a whole number (got ${show(value)})`);
  const { min, max } = range;
  if (min !== undefined && max !== undefined && (n < min || n > max)) {
    throw invalidParam(name, `must be between ${min} and ${max} (got ${n})`);
  }
  if (min !== undefined && n < min) throw invalidParam(name, `must be at least ${min} (got ${n})`);
  if (max !== undefined && n > max) throw invalidParam(name, `must be at most ${max} (got ${n})`);
  return n;
}

export function int(p: Params, name: string, fallback: number, range: IntRange = {}): number {
  return optInt(p, name, range) ?? fallback;
}

/**
 * True for an absolute http: or https: URL with a host, written out as such: the WHATWG parser
 * alone would repair `http:///x` into `http://x/`, and a URL we repaired is not the one the app
 * signs and checks.
 */
export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/[^/?#\s]\S*$/i.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/**
 * A webhook URL. Returned exactly as given (trimmed): the app verifies signatures over the URL it
 * configured, so normalising it here would break them (plivo.md §6). At most MAX_URL_LENGTH
 * characters, and it must pass the engine's webhook target policy as far as the URL itself tells
 * (IP literals, host names on the lists; names are resolved and checked again when fetched).
 */
export function optUrl(p: Params, name: string): string | undefined {
  const s = optString(p, name, { maxLength: MAX_URL_LENGTH });
  if (s === undefined) return undefined;
  if (!isHttpUrl(s)) throw invalidParam(name, 'must be an absolute http(s) URL');
  const refused = currentTargetPolicy().checkUrl(s);
  if (refused !== undefined) throw urlRefused(name, refused);
  return s;
}

export function reqUrl(p: Params, name: string): string {
  const s = optUrl(p, name);
  if (s === undefined) throw missingParam(name);
  return s;
}

/** GET or POST in any case, returned in upper case. */
export function method(p: Params, name: string, fallback: HttpMethod = 'POST'): HttpMethod {
  const s = optString(p, name);
  if (s === undefined) return fallback;
  const m = s.toUpperCase();
  if (m === 'GET' || m === 'POST') return m;
  throw invalidParam(name, `must be GET or POST (got ${show(s)})`);
}

/** One of a fixed set of words, matched case-insensitively and returned as listed. */
export function optOneOf<T extends string>(p: Params, name: string, allowed: readonly T[]): T | undefined {
  const s = optString(p, name);
  if (s === undefined) return undefined;
  const found = allowed.find((a) => a.toLowerCase() === s.toLowerCase());
  if (found === undefined) throw invalidParam(name, `must be ${orList(allowed)} (got ${show(s)})`);
  return found;
}

function orList(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** A value quoted for an error message, cut short so a huge body cannot flood the answer. */
export function show(value: unknown): string {
  if (typeof value === 'object' && value !== null) return describe(value);
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
