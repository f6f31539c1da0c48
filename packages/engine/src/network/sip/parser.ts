/**
 * Parsing SIP messages: tolerant of what real peers send (RFC 3261 §7; compact names, folded lines,
 * bare LF line ends, comma-joined values, any header-name case), and never throwing. A malformed
 * request still yields what could be read so the caller can answer it with 400 (§8.2.2 / §21.4.1).
 */
import { canonicalName, MULTI_VALUE, parseCSeq, type Header, type SipMessage } from './message.ts';
import { parseUri, parseVia } from './uri.ts';

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | {
      readonly ok: false;
      readonly error: string;
      /** Set when the start line was a request: enough to send a 400 back, if its Via is readable. */
      readonly request?: { readonly method: string; readonly uri: string; readonly headers: readonly Header[] };
      /** The status to answer with: 400 unless another is due (505 for another SIP version). */
      readonly status?: number;
    };

const MAX_MESSAGE = 65_535;
const TOKEN = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/** Headers that may appear once (§20); a second is a 400. */
const SINGLE = ['call-id', 'from', 'to', 'cseq', 'content-length', 'content-type', 'max-forwards'];
/** A bit per SINGLE header, to count them in the one pass over the headers. */
const SINGLE_BIT: Readonly<Record<string, number>> = Object.assign(Object.create(null), Object.fromEntries(SINGLE.map((n, i) => [n, 1 << i])));

/**
 * Header names as written on the wire (`Via`, `v`, `CSeq`) to their canonical form: a peer uses a
 * handful of spellings, so each is checked against TOKEN and lower-cased once. Bounded: names past
 * the limit (a peer inventing names) are still checked, just not kept.
 */
const NAMES = new Map<string, string>();
const MAX_NAMES = 512;
function headerName(raw: string): string | undefined {
  const known = NAMES.get(raw);
  if (known !== undefined) return known;
  if (!TOKEN.test(raw)) return undefined;
  const name = canonicalName(raw);
  if (NAMES.size < MAX_NAMES) NAMES.set(raw, name);
  return name;
}


/**
 * A From / To / Contact value as §20.10 and §25.1 allow it: quotes balanced, a display name that is
 * a quoted string or tokens, no spaces inside `<...>` (RFC 4475 §3.1.2.14), and an addr-spec
 * without brackets holding no `,` or `?` (§20.10; RFC 4475 §3.1.2.13). Any URI scheme is fine
 * (§3.3.4).
 */
export function wellFormedAddress(value: string): boolean {
  const v = value.trim();
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    if (quoted && v[i] === '\\') i++;
    else if (v[i] === '"') quoted = !quoted;
  }
  if (quoted) return false;
  const m = /^((?:"(?:[^"\\]|\\.)*")|[A-Za-z0-9\-.!%*_+`'~ \t]*?)\s*<([^<>]*)>(.*)$/.exec(v);
  if (m) return m[2]!.length > 0 && !/\s/.test(m[2]!) && /^\s*(;|$)/.test(m[3]!);
  if (v.includes('<') || v.includes('>') || v.startsWith('"')) return false;
  const addr = v.split(';', 1)[0]!.trim();
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(addr) && !/[,?]/.test(addr);
}

/** Splits at commas that are outside quotes and angle brackets (RFC 3261 §7.3.1). */
export function splitCommas(value: string, keepEmpty = false): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return keepEmpty ? out : out.filter((v) => v.length > 0);
}

function headerEnd(buf: Buffer): { at: number; sep: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, sep: 4 };
  return { at: lf, sep: 2 };
}

/**
 * One header line (continuations already joined) added to `hdrs`; the error, if it is malformed.
 * Top-level rather than a closure in parseMessage: under tsx (esbuild's keepNames) each closure
 * created costs a defineProperty call, per message.
 */
function addHeader(line: string, hdrs: Header[]): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return 'header without a colon';
  const rawName = line.slice(0, colon).trim();
  const name = headerName(rawName);
  if (name === undefined) return `bad header name "${rawName.slice(0, 40)}"`;
  const value = line.slice(colon + 1).trim();
  if (!MULTI_VALUE.has(name)) {
    hdrs.push([name, value]);
    return undefined;
  }
  // Most values hold one element: without a comma, splitCommas would return the value itself.
  if (value.indexOf(',') < 0) {
    if (value !== '') hdrs.push([name, value]);
    // `Via: ;a` or an empty Via (RFC 4475 §3.1.2.1): an empty element is not a header value.
    return value === '' || value.charCodeAt(0) === 0x3b ? `empty value in ${name}` : undefined;
  }
  const parts = splitCommas(value, true);
  for (const v of parts) if (v !== '') hdrs.push([name, v]);
  // `Via: a;;,;,,` (RFC 4475 §3.1.2.1): an empty element is not a header value.
  return parts.some((v) => v === '' || v.charCodeAt(0) === 0x3b) ? `empty value in ${name}` : undefined;
}

function failure(partial: { method: string; uri: string; headers: Header[] } | undefined, why: string, status?: number): ParseResult {
  return partial ? { ok: false, error: why, request: partial, ...(status !== undefined ? { status } : {}) } : { ok: false, error: why };
}

/** Parses one datagram (or one framed stream message). */
export function parseMessage(buf: Buffer): ParseResult {
  if (buf.length > MAX_MESSAGE) return { ok: false, error: 'message too large' };
  // Keep-alive CRLFs (RFC 5626 §3.5.1) and leading blank lines are not messages.
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const data = start ? buf.subarray(start) : buf;
  const end = headerEnd(data);
  const head = (end ? data.subarray(0, end.at) : data).toString('utf8');
  const rawBody = end ? data.subarray(end.at + end.sep) : Buffer.alloc(0);
  // A lone CR ends a line too: tolerant in, and nothing we re-send can smuggle one into a value.
  const lines = head.split(/\r\n|\n|\r/);
  const first = lines.length > 0 ? lines[0]! : '';

  // Start line (§7.1 / §7.2). A request line is exactly `Method SP Request-URI SP SIP-Version`
  // (§25.1): extra or trailing spaces, LWS inside the URI or a bracketed URI are 400s (RFC 4475
  // §3.1.2.7-10), but the headers are still read so that the 400 can go back along the Via.
  let startLine: { kind: 'request'; method: string; uri: string } | { kind: 'response'; status: number; reason: string } | undefined;
  let lineError: { error: string; status?: number } | undefined;
  const resp = /^SIP\/(\d+\.\d+)\s+(\d{3})(?:\s+(.*))?$/i.exec(first.trim());
  if (resp) {
    if (resp[1] !== '2.0') return { ok: false, error: `unsupported version SIP/${resp[1]}` };
    const status = Number(resp[2]);
    if (status < 100 || status > 699) return { ok: false, error: `bad status ${status}` };
    startLine = { kind: 'response', status, reason: (resp[3] ?? '').trim() };
  } else {
    if (/^SIP\//i.test(first)) return { ok: false, error: 'bad status line' };
    const words = first.split(' ');
    const method = words[0] ?? '';
    if (!TOKEN.test(method)) return { ok: false, error: 'bad start line' };
    let uri = '';
    for (let i = 1; i < words.length; i++) if (words[i] !== '') {
      uri = words[i]!;
      break;
    }
    startLine = { kind: 'request', method: method.toUpperCase(), uri };
    const req = /^([^ ]+) ([^ <>\s]+) SIP\/(\d+\.\d+)$/.exec(first);
    if (!req) lineError = { error: 'bad request line' };
    else if (req[3] !== '2.0') lineError = { error: `unsupported version SIP/${req[3]}`, status: 505 };
  }

  // Headers, unfolding continuation lines (§7.3.1).
  const hdrs: Header[] = [];
  let error: string | undefined;
  let pending: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && pending !== undefined) pending += ' ' + line.trim();
    else {
      if (pending !== undefined) {
        const e = addHeader(pending, hdrs);
        error ??= e;
      }
      pending = line;
    }
  }
  if (pending !== undefined) {
    const e = addHeader(pending, hdrs);
    error ??= e;
  }

  const partial = startLine.kind === 'request' ? { method: startLine.method, uri: startLine.uri, headers: hdrs } : undefined;
  if (lineError) return failure(partial, lineError.error, lineError.status);
  if (error) return failure(partial, error);

  // One pass over the headers for what the checks below read: the first value of each header they
  // need and how many of each single-valued header there are (a second is a 400).
  let via: string | undefined, from: string | undefined, to: string | undefined, callId: string | undefined;
  let cseqText: string | undefined, mf: string | undefined, cl: string | undefined;
  let seen = 0;
  let twice = 0;
  for (const [k, v] of hdrs) {
    const bit = SINGLE_BIT[k];
    if (bit !== undefined) {
      if (seen & bit) twice |= bit;
      seen |= bit;
    }
    switch (k) {
      case 'via': via ??= v; break;
      case 'from': from ??= v; break;
      case 'to': to ??= v; break;
      case 'call-id': callId ??= v; break;
      case 'cseq': cseqText ??= v; break;
      case 'max-forwards': mf ??= v; break;
      case 'content-length': cl ??= v; break;
    }
  }
  // The mandatory headers of §8.1.1 that every layer above relies on (an empty first value counts as none).
  if (!via) return failure(partial, 'missing via header');
  if (!from) return failure(partial, 'missing from header');
  if (!to) return failure(partial, 'missing to header');
  if (!callId) return failure(partial, 'missing call-id header');
  if (!cseqText) return failure(partial, 'missing cseq header');
  // Headers that hold one value (§7.3.1, §20): two of them is a 400 (RFC 4475 §3.3.8, §3.3.9).
  if (twice) for (const n of SINGLE) if (twice & SINGLE_BIT[n]!) return failure(partial, `more than one ${n} header`);
  const cseq = parseCSeq(cseqText);
  if (!cseq) return failure(partial, 'bad CSeq');
  if (mf !== undefined && !(/^\d{1,9}$/.test(mf) && Number(mf) <= 255)) return failure(partial, 'bad Max-Forwards');
  if (!wellFormedAddress(from)) return failure(partial, 'bad from header');
  if (!wellFormedAddress(to)) return failure(partial, 'bad to header');
  for (const [k, v] of hdrs) if (k === 'contact' && v !== '*' && !wellFormedAddress(v)) return failure(partial, 'bad contact header');
  for (const [k, v] of hdrs) if (k === 'via' && !parseVia(v)) return failure(partial, 'bad via header');
  if (startLine.kind === 'request' && /^sips?:/i.test(startLine.uri)) {
    // A SIP Request-URI must parse and may not carry headers (RFC 4475 §3.1.2.11).
    const u = parseUri(startLine.uri);
    if (!u || u.headers) return failure(partial, 'bad Request-URI');
  }
  if (startLine.kind === 'request' && cseq.method !== startLine.method && !(startLine.method === 'ACK' && cseq.method === 'ACK')) {
    return failure(partial, 'CSeq method does not match the request method');
  }

  // Body: Content-Length frames it; a datagram may carry less (error) or trailing bytes (ignored, §18.3).
  let body = rawBody;
  if (cl !== undefined) {
    if (!/^\s*\d{1,7}\s*$/.test(cl)) return failure(partial, 'bad Content-Length');
    const n = Number(cl);
    if (n > rawBody.length) return failure(partial, 'body shorter than Content-Length');
    body = rawBody.subarray(0, n);
  }
  const text = body.toString('utf8');
  const message: SipMessage =
    startLine.kind === 'request'
      ? { kind: 'request', method: startLine.method, uri: startLine.uri, headers: hdrs, body: text }
      : { kind: 'response', status: startLine.status, reason: startLine.reason, headers: hdrs, body: text };
  return { ok: true, message };
}

/**
 * Frames messages on a stream transport (RFC 3261 §18.3: Content-Length is mandatory there; a
 * missing one counts as 0). Feed it chunks; it returns each complete message's bytes.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { messages: Buffer[]; error?: string } {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const messages: Buffer[] = [];
    for (;;) {
      let s = 0;
      while (s < this.buffer.length && (this.buffer[s] === 0x0d || this.buffer[s] === 0x0a)) s++;
      if (s) this.buffer = this.buffer.subarray(s);
      const end = headerEnd(this.buffer);
      if (!end) {
        if (this.buffer.length > MAX_MESSAGE) return { messages, error: 'header section too large' };
        return { messages };
      }
      const head = this.buffer.subarray(0, end.at).toString('utf8');
      const m = /(?:^|\n)\s*(?:content-length|l)\s*:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (len > MAX_MESSAGE) return { messages, error: 'body too large' };
      const total = end.at + end.sep + len;
      if (this.buffer.length < total) return { messages };
      messages.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
  }
}
