/**
 * Points the OFFICIAL `plivo` package at a local engine without touching its code: the SDK builds
 * every voice URL from a hard-coded `https://api.plivo.com` and ignores `options.url` for them
 * (plivo.md §7.3), so this takes the third way of §7.3 inside the test process. Node's
 * `https.request` is wrapped; a request for one of Plivo's API hosts goes to the engine over plain
 * HTTP with its method, path, headers and body unchanged. Every other request passes through.
 *
 * It works because axios (through follow-redirects) looks `https.request` up on the module object
 * at the moment of each request, and ESM's default import of `node:https` is that same object.
 */
import http from 'node:http';
import https from 'node:https';

/** One request the SDK made, as it left the process. */
export interface ReroutedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/Account/MA.../Call/0f3c...?status=live`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Reroute {
  /** Requests sent to the engine since install, oldest first. */
  readonly requests: readonly ReroutedRequest[];
  /** Puts the original `https.request` back; safe to call twice. */
  restore(): void;
}

export const PLIVO_API_HOSTS: readonly string[] = ['api.plivo.com', 'phlorunner.plivo.com'];

type RequestFn = typeof https.request;

let installed: RequestFn | undefined;

function hostOf(options: https.RequestOptions, url: URL | undefined): string {
  if (url) return url.hostname;
  if (typeof options.hostname === 'string') return options.hostname;
  // `host` may carry a port (`api.plivo.com:443`).
  return typeof options.host === 'string' ? options.host.replace(/:\d+$/, '') : '';
}

function flatHeaders(headers: https.RequestOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || Array.isArray(headers)) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/**
 * Sends requests for `hosts` (default: Plivo's API hosts) to `target`, e.g.
 * `http://127.0.0.1:41234`. Throws when a reroute is already installed: two would hide each
 * other and the second restore would bring back the wrong function.
 *
 * @example
 * const reroute = reroutePlivo(h.base);
 * try { await new plivo.Client(id, token).calls.list({}); } finally { reroute.restore(); }
 */
export function reroutePlivo(target: string, hosts: readonly string[] = PLIVO_API_HOSTS): Reroute {
  if (installed !== undefined) throw new Error('reroutePlivo: already installed; restore the first one');
  const to = new URL(target);
  if (to.protocol !== 'http:') throw new Error(`reroutePlivo: target must be an http: URL (got ${target})`);
  const original = https.request;
  const requests: ReroutedRequest[] = [];

  const wrapped = function (this: unknown, ...args: unknown[]): http.ClientRequest {
    let url: URL | undefined;
    let options: https.RequestOptions = {};
    let callback: ((res: http.IncomingMessage) => void) | undefined;
    for (const arg of args) {
      if (typeof arg === 'string' || arg instanceof URL) url = new URL(arg);
      else if (typeof arg === 'function') callback = arg as (res: http.IncomingMessage) => void;
      else if (arg !== null && typeof arg === 'object') options = arg as https.RequestOptions;
    }
    if (!hosts.includes(hostOf(options, url))) return (original as (...a: unknown[]) => http.ClientRequest).apply(https, args);

    const path = url ? `${url.pathname}${url.search}` : (options.path ?? '/');
    const headers = flatHeaders(options.headers);
    requests.push({ method: (options.method ?? 'GET').toUpperCase(), path, headers });
    const plain: http.RequestOptions = {
      method: options.method ?? 'GET',
      path,
      headers: options.headers ?? {},
      protocol: 'http:',
      hostname: to.hostname,
      port: Number(to.port || 80),
      // The SDK's keep-alive https.Agent cannot carry plain HTTP; a fresh connection per request
      // also leaves nothing open when the engine stops.
      agent: false,
    };
    if (options.timeout !== undefined) plain.timeout = options.timeout;
    if (options.signal !== undefined) plain.signal = options.signal;
    return callback ? http.request(plain, callback) : http.request(plain);
  } as RequestFn;

  https.request = wrapped;
  installed = wrapped;
  let restored = false;
  return {
    requests,
    restore() {
      if (restored) return;
      // Someone wrapped it after us: putting ours back in their place would drop their wrapper.
      if (https.request !== wrapped) throw new Error('reroutePlivo: https.request was replaced after install; not restoring');
      restored = true;
      https.request = original;
      installed = undefined;
    },
  };
}
