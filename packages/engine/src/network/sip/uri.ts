/**
 * SIP URIs, name-addr values and Via headers (RFC 3261 §19.1, §20.10, §20.42): just the parts a
 * signalling-only B2BUA reads. Parsers return undefined on garbage instead of throwing.
 */
import { detach } from './message.ts';

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
  /** URI parameters in order, names lower-cased; a flag parameter (`lr`) has value ''. */
  readonly params: ReadonlyMap<string, string>;
  /** What follows `?` (§19.1.1 headers), when present. */
  readonly headers?: string;
}

export function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p.toLowerCase(), '');
    else {
      const v = p.slice(eq + 1).trim();
      // Only a quoted value can lose its quotes: the regex runs for those alone.
      out.set(p.slice(0, eq).trim().toLowerCase(), v.charCodeAt(0) === 0x22 ? v.replace(/^"(.*)"$/, '$1') : v);
    }
  }
  return out;
}

/**
 * A parser that keeps its answers by text. A message's Via, From and To are read several times on
 * its way (validation, transaction key, Via stamping, response routing, dialog lookup) and the
 * same values come back in every message of a dialog. Answers are shared and must not be changed
 * (their types are read-only). Bounded: at `limit` texts the whole table is dropped, which costs
 * one parse per text again and nothing else.
 */
/**
 * Texts per table. The repeats that pay are a message's own (its Via read five times within
 * microseconds) and its transaction's (responses and the ACK within milliseconds); 256 texts hold
 * those at hundreds of calls per second. 1024 per table kept about 1.2 MB of parsed answers
 * (each with its parameter Map) for no more hits.
 */
const KEPT = 256;

function kept<T>(limit: number, parse: (text: string) => T | undefined): (text: string) => T | undefined {
  const table = new Map<string, T | null>();
  return (text) => {
    const known = table.get(text);
    if (known !== undefined) return known ?? undefined;
    // The text is most often cut from a message's head: kept as it is, each entry would keep that
    // whole head (and its answer's strings, cut from the text, too) until the table is dropped.
    const own = detach(text);
    const v = parse(own);
    if (table.size >= limit) table.clear();
    table.set(own, v ?? null);
    return v;
  };
}

export const parseUri: (text: string) => SipUri | undefined = kept(KEPT, uriOf);

function uriOf(text: string): SipUri | undefined {
  // The user part may hold `;`, `?`, `,` and `/` (§25.1 user-unreserved; RFC 4475 §3.1.1.2, §3.1.1.9).
  const m = /^(sips?):(?:([^@]*)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?(.*))?$/i.exec(text.trim());
  if (!m) return undefined;
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return {
    scheme: m[1]!.toLowerCase() as 'sip' | 'sips',
    ...(m[2] !== undefined && m[2] !== '' ? { user: m[2] } : {}),
    host: m[3]!.toLowerCase(),
    ...(port !== undefined ? { port } : {}),
    params: parseParams(m[5] ?? ''),
    ...(m[6] !== undefined ? { headers: m[6] } : {}),
  };
}

/**
 * A user part with its %-escapes decoded (§19.1.2), or undefined when an escape is malformed
 * (`%E0%A4%A`): such a request gets 400 (issue 20). Bytes that are not UTF-8 decode to U+FFFD.
 */
export function unescapeUser(user: string): string | undefined {
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(user)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < user.length; i++) {
    if (user[i] === '%') {
      bytes.push(parseInt(user.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(user[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

export function formatUri(u: SipUri): string {
  let s = `${u.scheme}:${u.user !== undefined ? u.user + '@' : ''}${u.host}${u.port !== undefined ? ':' + u.port : ''}`;
  for (const [k, v] of u.params) s += v === '' ? `;${k}` : `;${k}=${v}`;
  return s;
}

export interface NameAddr {
  readonly display?: string;
  readonly uri: string;
  /** Header parameters (after the `>`, or after the URI when there are no brackets). */
  readonly params: ReadonlyMap<string, string>;
}

/** `"Alice" <sip:a@h>;tag=1`, `<sip:a@h;lr>`, or `sip:a@h;tag=1` (§20.10: params then belong to the header). */
export const parseNameAddr: (text: string) => NameAddr | undefined = kept(KEPT, nameAddrOf);

function nameAddrOf(text: string): NameAddr | undefined {
  const t = text.trim();
  const lt = t.indexOf('<');
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) return undefined;
    const display = t.slice(0, lt).trim().replace(/^"(.*)"$/, '$1');
    return { ...(display ? { display } : {}), uri: t.slice(lt + 1, gt).trim(), params: parseParams(t.slice(gt + 1)) };
  }
  const semi = t.indexOf(';');
  const uri = semi < 0 ? t : t.slice(0, semi);
  if (!uri) return undefined;
  return { uri: uri.trim(), params: parseParams(semi < 0 ? '' : t.slice(semi)) };
}

export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return parseNameAddr(value)?.params.get('tag') || undefined;
}

export interface Via {
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: ReadonlyMap<string, string>;
}

export const parseVia: (text: string) => Via | undefined = kept(KEPT, viaOf);

function viaOf(text: string): Via | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+)(?:\s*:\s*(\d{1,5}))?\s*((?:;.*)?)$/i.exec(text.trim());
  if (!m) return undefined;
  return {
    transport: m[1]!.toUpperCase(),
    host: m[2]!,
    ...(m[3] !== undefined ? { port: Number(m[3]) } : {}),
    params: parseParams(m[4] ?? ''),
  };
}

/** Quotes a display name for a From header (§25.1 quoted-string). */
export function quoteDisplay(name: string): string {
  return `"${name.replace(/["\\\r\n]/g, '')}"`;
}

/** A user part safe to put in a URI: phone digits and unreserved characters pass, the rest is escaped. */
export function escapeUser(user: string): string {
  return user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
