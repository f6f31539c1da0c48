/**
 * A webhook capture server: records every request an engine sends and answers with scripted
 * replies (STYLE.md §9). End-to-end tests use it as the "app"; `switchboard sink` offers it to
 * users for debugging their integration. A plain `node:http` server, so the bytes it records are
 * exactly what arrived on the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RealClock, type Clock } from '../clock.ts';

export interface CapturedRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  readonly method: string;
  /** Path without the query, e.g. `/hangup`. */
  readonly path: string;
  /** The full URL as the engine requested it: `http://<Host header><request target>`. */
  readonly url: string;
  readonly query: Readonly<Record<string, string>>;
  /** Header names in lower case, as Node delivers them; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Form body for a form POST, otherwise the query; decoded; a repeated key keeps its last value. */
  readonly params: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /** When it arrived, by the injected `now()`. */
  readonly at: number;
}

export interface ScriptedResponse {
  status?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait this long (real time) before answering: read-timeout tests. */
  delayMs?: number;
  /** Close the connection without any answer. */
  drop?: boolean;
}

/** A string is XML served as `200 text/xml`. */
export type Reply = string | ScriptedResponse;
export type ReplyFn = (req: CapturedRequest) => Reply | Promise<Reply>;
/** One reply for every request, a function of the request, or a sequence used in order. */
export type RouteHandler = Reply | ReplyFn | readonly Reply[];
export type RouteMatcher = string | ((req: CapturedRequest) => boolean);

export interface CaptureOptions {
  host?: string;
  port?: number;
  /** Stamps `CapturedRequest.at`; defaults to `Date.now`. */
  now?: () => number;
  /** What unrouted requests get; defaults to `200 <Response/>`. */
  defaultReply?: Reply | ReplyFn;
  /** For delays; defaults to real time (the delay is real I/O latency). */
  clock?: Clock;
}

export const EMPTY_RESPONSE_XML = '<Response/>';

interface Route {
  readonly matches: (req: CapturedRequest) => boolean;
  readonly reply: (req: CapturedRequest) => Reply | Promise<Reply>;
}

interface Waiter {
  readonly predicate: (req: CapturedRequest, all: readonly CapturedRequest[]) => boolean;
  readonly resolve: (req: CapturedRequest) => void;
}

function flatten(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}

function toReplyFn(handler: RouteHandler): (req: CapturedRequest) => Reply | Promise<Reply> {
  if (typeof handler === 'function') return handler as ReplyFn;
  if (Array.isArray(handler)) {
    const seq = handler as readonly Reply[];
    if (seq.length === 0) return () => EMPTY_RESPONSE_XML;
    let next = 0;
    // Once used up, the last reply repeats: a script of [500, ok] stays ok for later retries.
    return () => seq[Math.min(next++, seq.length - 1)]!;
  }
  return () => handler as Reply;
}

export class CaptureServer {
  private readonly server: Server;
  private readonly recorded: CapturedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(req: CapturedRequest) => void>();
  private readonly sockets = new Set<Socket>();
  private readonly closing = new AbortController();
  private readonly now: () => number;
  private readonly clock: Clock;
  private readonly defaultReply: (req: CapturedRequest) => Reply | Promise<Reply>;
  private seq = 0;
  private boundPort = 0;
  private boundHost = '127.0.0.1';

  /** Not listening yet: call `listen()`, or use `CaptureServer.start()`. */
  constructor(private readonly opts: CaptureOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.clock = opts.clock ?? new RealClock();
    this.defaultReply = toReplyFn(opts.defaultReply ?? EMPTY_RESPONSE_XML);
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a capture server on `opts.host` (default `127.0.0.1`) and `opts.port` (default: a free one). */
  static start(opts: CaptureOptions = {}): Promise<CaptureServer> {
    return new CaptureServer(opts).listen();
  }

  async listen(): Promise<this> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.boundHost = host;
    return this;
  }

  get port(): number {
    return this.boundPort;
  }

  /** An absolute URL on this server, e.g. `url('/answer')`. */
  url(path = '/'): string {
    const host = this.boundHost === '0.0.0.0' || this.boundHost === '::' ? '127.0.0.1' : this.boundHost;
    const shown = host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.boundPort}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /**
   * Scripts the answer for a path (exact match on the path without query) or for requests a
   * predicate picks. The latest matching route wins, so a test can re-script a path.
   */
  on(matcher: RouteMatcher, handler: RouteHandler): this {
    const matches = typeof matcher === 'string' ? (r: CapturedRequest) => r.path === matcher : matcher;
    this.routes.unshift({ matches, reply: toReplyFn(handler) });
    return this;
  }

  /** Every request so far in arrival order, or only those on `path`. */
  requests(path?: string): CapturedRequest[] {
    return path === undefined ? [...this.recorded] : this.recorded.filter((r) => r.path === path);
  }

  /** Calls `listener` for each request as it is recorded, before it is answered. */
  onRequest(listener: (req: CapturedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first request (already recorded or yet to come) for which `predicate`
   * holds; `all` is every request recorded so far. Rejects after `timeoutMs` of real time.
   */
  waitFor(
    predicate: (req: CapturedRequest, all: readonly CapturedRequest[]) => boolean,
    timeoutMs = 5000,
  ): Promise<CapturedRequest> {
    for (let i = 0; i < this.recorded.length; i++) {
      const req = this.recorded[i]!;
      if (predicate(req, this.recorded.slice(0, i + 1))) return Promise.resolve(req);
    }
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.waiters.delete(waiter);
        const seen = this.recorded.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
        reject(new Error(`CaptureServer.waitFor: no matching request within ${timeoutMs} ms (received: ${seen})`));
      });
      const waiter: Waiter = {
        predicate,
        resolve: (req) => {
          timer.cancel();
          this.waiters.delete(waiter);
          resolve(req);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets recorded requests (routes stay; `seq` keeps counting). */
  clear(): void {
    this.recorded.length = 0;
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const captured = await this.record(req);
      const route = this.routes.find((r) => r.matches(captured));
      const reply = await (route ? route.reply(captured) : this.defaultReply(captured));
      await this.answer(res, reply);
    } catch (err) {
      // A broken script must show up in the test, not hang it: answer 500 with the reason.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`capture server error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private async record(req: IncomingMessage): Promise<CapturedRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = flatten(new URLSearchParams(q < 0 ? '' : target.slice(q + 1)));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const isForm = (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    const captured: CapturedRequest = Object.freeze({
      seq: ++this.seq,
      method: req.method ?? 'GET',
      path,
      url: `http://${headers['host'] ?? `127.0.0.1:${this.boundPort}`}${target}`,
      query,
      headers,
      params: isForm ? flatten(new URLSearchParams(rawBody)) : req.method === 'GET' ? query : {},
      rawBody,
      at: this.now(),
    });
    this.recorded.push(captured);
    for (const listener of this.listeners) listener(captured);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(captured, this.recorded)) waiter.resolve(captured);
    }
    return captured;
  }

  private async answer(res: ServerResponse, reply: Reply): Promise<void> {
    const r: ScriptedResponse = typeof reply === 'string' ? { body: reply } : reply;
    if (r.delayMs !== undefined && r.delayMs > 0) {
      try {
        await this.clock.sleep(r.delayMs, this.closing.signal);
      } catch {
        return; // closing: the socket is being destroyed anyway
      }
    }
    if (r.drop) {
      res.socket?.destroy();
      return;
    }
    if (res.destroyed) return; // the client gave up while we waited
    const status = r.status ?? 200;
    // A bare `{ status: 500 }` sends no body; a bare success is the empty document.
    const body = r.body ?? (status >= 200 && status < 300 ? EMPTY_RESPONSE_XML : '');
    // 204 and 304 carry no body and must not announce a length (RFC 9110 §8.6).
    const bodiless = status === 204 || status === 304;
    res.writeHead(status, {
      'Content-Type': r.contentType ?? 'text/xml',
      ...(bodiless ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
      ...(r.headers ?? {}),
    });
    res.end(bodiless ? undefined : body);
  }
}
