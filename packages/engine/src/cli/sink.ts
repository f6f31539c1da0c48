/**
 * `switchboard sink`: the webhook capture server offered to users (STYLE.md §9). Point an engine's
 * answer/hangup/callback URLs at it and watch each webhook arrive, one line per request, with its
 * signature checked when the auth token is known.
 */
import { readFile } from 'node:fs/promises';
import { validateV3Signature } from '@switchboard/sdk/signature';
import { CaptureServer, EMPTY_RESPONSE_XML, type CapturedRequest } from '../webhooks/capture.ts';

export interface SinkOptions {
  host: string;
  port: number;
  /** When known, each line says whether `X-Plivo-Signature-V3` validates (plivo.md §6). */
  authToken?: string;
  /** The XML to answer with: a literal document (starts with `<`) or a file path. */
  respond?: string;
  log: (line: string) => void;
  /** Timestamps in the log; defaults to `Date.now`. */
  now?: () => number;
}

export interface Sink {
  readonly port: number;
  close(): Promise<void>;
}

// The parameters that tell one webhook from another at a glance (plivo.md §2, §3.4).
const KEY_PARAMS = [
  'Event',
  'CallStatus',
  'DialAction',
  'DialStatus',
  'DialBLegStatus',
  'HangupCause',
  'Digits',
  'CallUUID',
  'From',
  'To',
  'Duration',
] as const;

export type SignatureVerdict = 'valid' | 'invalid' | 'missing';

/** Checks a captured request the way a Plivo app would, with the SDK's validator. */
export function checkSignature(req: CapturedRequest, authToken: string): SignatureVerdict {
  const header = req.headers['x-plivo-signature-v3'];
  const nonce = req.headers['x-plivo-signature-v3-nonce'];
  if (header === undefined || nonce === undefined) return 'missing';
  if (req.method !== 'GET' && req.method !== 'POST') return 'invalid';
  try {
    const params = req.method === 'POST' ? { ...req.params } : {};
    return validateV3Signature(req.method, req.url, nonce, authToken, header, params) ? 'valid' : 'invalid';
  } catch {
    return 'invalid'; // e.g. a Host header that makes no URL: unverifiable is not valid
  }
}

/** One log line: time, method, path, the key parameters, how many others, the signature verdict. */
export function formatSinkLine(req: CapturedRequest, authToken?: string): string {
  const parts = [new Date(req.at).toISOString(), req.method, req.path];
  const shown = new Set<string>();
  for (const key of KEY_PARAMS) {
    const value = req.params[key];
    if (value === undefined) continue;
    shown.add(key);
    parts.push(`${key}=${value === '' ? '""' : value}`);
  }
  const others = Object.keys(req.params).filter((k) => !shown.has(k)).length;
  if (others > 0) parts.push(`(+${others} more)`);
  if (authToken !== undefined) parts.push(`sig=${checkSignature(req, authToken)}`);
  return parts.join(' ');
}

async function loadReply(respond: string | undefined): Promise<string> {
  if (respond === undefined) return EMPTY_RESPONSE_XML;
  if (respond.trimStart().startsWith('<')) return respond;
  try {
    return await readFile(respond, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`switchboard sink: cannot read --respond file "${respond}": ${reason}`, { cause: err });
  }
}

/** Starts the sink; resolves once it listens (on `port`, or a free one when `port` is 0). */
export async function runSink(opts: SinkOptions): Promise<Sink> {
  const reply = await loadReply(opts.respond);
  const capture = await CaptureServer.start({
    host: opts.host,
    port: opts.port,
    ...(opts.now ? { now: opts.now } : {}),
    defaultReply: reply,
  });
  capture.onRequest((req) => {
    opts.log(formatSinkLine(req, opts.authToken));
    // A sink runs for hours: keep nothing, the log is the record.
    capture.clear();
  });
  return { port: capture.port, close: () => capture.close() };
}
