/**
 * SIP messages as plain data (RFC 3261 §7). Header names are kept in their canonical long form,
 * lower-cased, one entry per value: a `Via: a, b` line becomes two `via` entries, so the top Via is
 * always `headers[i]` of the first `via`. The serialiser restores the usual capitalisation.
 */

export type Header = readonly [name: string, value: string];

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly Header[];
  readonly body: string;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly Header[];
  readonly body: string;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * A lookup table keyed by names a peer chooses: no prototype, so a header named `constructor` or
 * `__proto__` finds nothing instead of an inherited property.
 */
function table(entries: Record<string, string>): Readonly<Record<string, string | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, entries));
}

/** RFC 3261 §7.3.3 compact forms, plus the common ones of RFC 3515/3841/4028. */
export const COMPACT = table({
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  u: 'allow-events',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
});

/** Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1). */
export const MULTI_VALUE = new Set(['via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require', 'unsupported']);

const SPELLING = table({
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'record-route': 'Record-Route',
  'mime-version': 'MIME-Version',
  rseq: 'RSeq',
  rack: 'RAck',
  'min-se': 'Min-SE',
});

/**
 * Spellings and canonical names already worked out, per name: every message spells a dozen headers
 * and `header()` canonicalises its argument on every call. Bounded (a peer may invent names): past
 * the limit a name is worked out each time, as before.
 */
const SPELLED = new Map<string, string>();
const CANONICAL = new Map<string, string>();
const MAX_NAMES = 512;

/** `content-type` -> `Content-Type`; `x-ph-foo` keeps the case it was given. */
export function spell(name: string): string {
  let out = SPELLED.get(name);
  if (out !== undefined) return out;
  out = SPELLING[name] || name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  if (SPELLED.size < MAX_NAMES) SPELLED.set(name, out);
  return out;
}

export function canonicalName(raw: string): string {
  let out = CANONICAL.get(raw);
  if (out !== undefined) return out;
  const lower = raw.trim().toLowerCase();
  out = COMPACT[lower] ?? lower;
  if (CANONICAL.size < MAX_NAMES) CANONICAL.set(raw, out);
  return out;
}

/**
 * The same text as one flat string, keeping nothing else alive. A header value is cut from its
 * message's head, and V8 keeps a cut of 13 characters or more as a view of the whole string (a
 * sliced string): a Call-ID, tag or URI kept for a call's life would keep the datagram's head with
 * it. A string built by `+` or a template is a tree of its parts (a concatenated string: 32 bytes
 * a node, and every part kept), until something flattens it. Shorter strings are flat copies
 * already. An array join writes a new flat string (a heap snapshot shows it; `s + ''`, `slice`
 * and a one-element join do not). Costs one copy: for what is kept, not for what a message
 * passes through.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : [text.slice(0, 1), text.slice(1)].join('');
}

/** First value of a header, if present. */
export function header(msg: { readonly headers: readonly Header[] }, name: string): string | undefined {
  const n = canonicalName(name);
  for (const [k, v] of msg.headers) if (k === n) return v;
  return undefined;
}

/** Every value of a header, in order. */
export function headers(msg: { readonly headers: readonly Header[] }, name: string): string[] {
  const n = canonicalName(name);
  const out: string[] = [];
  for (const [k, v] of msg.headers) if (k === n) out.push(v);
  return out;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export function parseCSeq(value: string | undefined): CSeq | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9!%*_+`'~.-]+)\s*$/.exec(value);
  if (!m) return undefined;
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) return undefined;
  return { seq, method: m[2]!.toUpperCase() };
}

export function cseqOf(msg: SipMessage): CSeq | undefined {
  return parseCSeq(header(msg, 'cseq'));
}

/** A request built by us: headers given in order, body optional. */
export function request(method: string, uri: string, hdrs: readonly Header[], body = ''): SipRequest {
  return { kind: 'request', method, uri, headers: hdrs, body };
}

export function response(status: number, reason: string, hdrs: readonly Header[], body = ''): SipResponse {
  return { kind: 'response', status, reason, headers: hdrs, body };
}

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  183: 'Session Progress',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  406: 'Not Acceptable',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}
