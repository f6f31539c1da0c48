/**
 * `sip_headers` of Make a Call: `k=v,k2=v2`, sent on the SIP INVITE and echoed on every webhook as
 * `X-PH-<k>` (plivo.md §1.3, engine.md §1 "Parameters on every webhook of a call").
 *
 * Plivo drops non-conforming pairs instead of failing the call; we do the same but say what was
 * dropped and why, so the app's developer can see it (DESIGN.md "Errors are answers").
 */
import { invalidParam } from '../errors.ts';
import { show } from './coerce.ts';

export const SIP_HEADER_PREFIX = 'X-PH-';
/** Plivo's support article: a name of at most 24 characters, a value of at most 120. */
export const MAX_SIP_HEADER_NAME = 24;
export const MAX_SIP_HEADER_VALUE = 120;

const NAME = /^[A-Za-z0-9-]+$/;
const VALUE = /^[A-Za-z0-9%_-]+$/;

export interface SipHeaders {
  /** `X-PH-<Name>` -> value, in the order given; the name keeps the case the app used. */
  headers: Record<string, string>;
  /** One line per dropped pair, each starting with `sip_headers:`. */
  warnings: string[];
}

/**
 * Reads `k=v,k2=v2` (or, from JSON, an object of string values). A name already starting with
 * `X-PH-` is not prefixed twice. The first of two pairs with the same name (ignoring case) wins.
 */
export function parseSipHeaders(value: unknown, param = 'sip_headers'): SipHeaders {
  const result: SipHeaders = { headers: {}, warnings: [] };
  if (value === undefined || value === null) return result;
  let pairs: Array<[string, string, string]>; // name, value, the pair as written (for warnings)
  if (typeof value === 'string') {
    pairs = value
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? [part.trim(), '', part.trim()] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim(), part.trim()];
      });
    // A pair without "=" is caught below as an empty value.
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    pairs = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      const s = typeof v === 'string' || typeof v === 'number' ? String(v) : '';
      return [k.trim(), s.trim(), `${k}=${s}`];
    });
  } else {
    throw invalidParam(param, `must be a string like name1=value1,name2=value2 (got ${show(value)})`);
  }

  const seen = new Set<string>();
  for (const [rawName, v, written] of pairs) {
    const name = rawName.toUpperCase().startsWith(SIP_HEADER_PREFIX) ? rawName.slice(SIP_HEADER_PREFIX.length) : rawName;
    const why = checkPair(name, v);
    if (why !== undefined) {
      result.warnings.push(`${param}: dropped ${show(written)} (${why})`);
      continue;
    }
    if (seen.has(name.toLowerCase())) {
      result.warnings.push(`${param}: dropped ${show(written)} (the header ${SIP_HEADER_PREFIX}${name} is already set)`);
      continue;
    }
    seen.add(name.toLowerCase());
    result.headers[SIP_HEADER_PREFIX + name] = v;
  }
  return result;
}

function checkPair(name: string, value: string): string | undefined {
  if (name === '') return 'empty name';
  if (!NAME.test(name)) return 'name may hold only letters, digits and -';
  if (name.length > MAX_SIP_HEADER_NAME) return `name longer than ${MAX_SIP_HEADER_NAME} characters`;
  if (value === '') return 'empty value';
  if (!VALUE.test(value)) return 'value may hold only letters, digits, %, - and _';
  if (value.length > MAX_SIP_HEADER_VALUE) return `value longer than ${MAX_SIP_HEADER_VALUE} characters`;
  return undefined;
}
