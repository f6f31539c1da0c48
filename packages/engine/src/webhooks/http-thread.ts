/**
 * The webhook thread: where `HttpSender` (transport `thread`) runs its attempts' HTTP work (signing,
 * undici, reading the answer) so that it does not share the engine's one JavaScript thread with
 * the calls (docs/performance.md, "The webhook thread").
 *
 * One worker per process, started with the first sender and shared by every sender in it (each
 * registers as a client with its own connections and agents). It holds nothing that must survive
 * it: the outbox owns every delivery, so a thread that dies fails its attempts in flight as
 * `other` errors, which the outbox retries like any network failure, and the next attempt starts
 * a new thread. Attempts go to a thread only once it has loaded; until then (the first few hundred
 * ms of a process, or after a thread died) they run on the calling thread, and so does every
 * attempt of a process where no thread can start (one failed before it loaded).
 *
 * The engine keeps what the thread cannot know: the account's tokens and the target policy. A
 * socket is opened only after the worker asked this thread to resolve and check its host
 * (`resolve` messages), so the policy and its DNS-rebinding guard hold unchanged.
 */
import { Worker } from 'node:worker_threads';
import { commonJsWorkerSource, moduleWorkerBoot } from '../util/eval-worker.ts';
import { describe, type AttemptResult, type WireRequest } from './http-attempt.ts';
import { TargetRefusedError } from './target-policy.ts';

/** Why the engine refused or could not resolve a host, as the worker rebuilds the error. */
export interface ResolveFailure {
  readonly message: string;
  readonly code?: string;
  readonly refused: boolean;
}

export type ToThread =
  | { readonly t: 'open'; readonly client: number; readonly connections: number; readonly maxStored: number; readonly userAgent: string }
  | { readonly t: 'send'; readonly id: number; readonly client: number; readonly req: WireRequest; readonly abortable: boolean }
  | { readonly t: 'abort'; readonly id: number; readonly message: string }
  | { readonly t: 'close'; readonly id: number; readonly client: number }
  | { readonly t: 'resolved'; readonly id: number; readonly address?: string; readonly error?: ResolveFailure }
  | { readonly t: 'cpu'; readonly id: number };

export type FromThread =
  | { readonly t: 'result'; readonly id: number; readonly result: AttemptResult }
  | { readonly t: 'closed'; readonly id: number }
  | { readonly t: 'cpu'; readonly id: number; readonly seconds: number | null }
  | { readonly t: 'resolve'; readonly id: number; readonly client: number; readonly hostname: string; readonly port: number }
  | { readonly t: 'ready' }
  | { readonly t: 'fatal'; readonly message: string };

export interface ThreadClientOptions {
  /** Keep-alive connections per origin and pool. */
  readonly connections: number;
  readonly maxStored: number;
  readonly userAgent: string;
  /** `TargetPolicy.resolve`: the address a socket may open to, or a refusal. */
  readonly resolve: (hostname: string, port: number) => Promise<string>;
  /**
   * Runs an attempt on the calling thread: used when the thread cannot start (`unavailable` says
   * why, once), so webhooks go out all the same.
   */
  readonly inline: (req: WireRequest, signal?: AbortSignal) => Promise<AttemptResult>;
  readonly unavailable?: (why: string) => void;
}

export interface ThreadClient {
  send(req: WireRequest, signal?: AbortSignal): Promise<AttemptResult>;
  /** Closes this client's connections on the thread (the thread itself stays for the others). */
  close(): Promise<void>;
}

// The worker's entry, http-thread-worker.ts, started as util/eval-worker.ts starts a module of this package.
const BOOT = moduleWorkerBoot(import.meta.url, 'http-thread-worker');

interface Waiter {
  readonly done: (m: FromThread) => void;
  readonly fail: (why: string) => void;
}

interface Client {
  readonly id: number;
  readonly opts: ThreadClientOptions;
  /** The thread generation this client was opened in (a new thread needs it opened again). */
  openedIn: number;
}

class WebhookThread {
  private worker: Worker | undefined;
  private generation = 0;
  /** Whether the current thread has loaded its module (before that, nothing sent to it has run). */
  private ready = false;
  /** Attempts handed to a thread so far, and the messages that carried them and the rest (tests, benchmarks). */
  attempts = 0;
  posts = 0;
  /** Settles when the current thread has loaded (true) or failed to (false). */
  private loaded: Promise<boolean> = Promise.resolve(false);
  private settleLoaded: (ok: boolean) => void = () => {};
  /** Why no thread can start here (set when one failed before it was ready): attempts run inline. */
  unavailable: string | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /**
   * Messages for the thread not yet posted, and the thread they are for. Each `postMessage` is an
   * event dispatched on the other side, and often a wake-up of its loop, whatever it carries: the
   * attempts one job starts (an outbox turn starts several) go as one message, posted when the job
   * ends (a microtask, so nothing waits for a later turn). The thread batches its answers the same
   * way (docs/performance.md, "Fewer, larger messages to the webhook thread").
   */
  private outgoing: ToThread[] = [];
  private outgoingTo: Worker | undefined;
  private readonly clients = new Map<number, Client>();

  register(opts: ThreadClientOptions): Client {
    const client: Client = { id: this.nextId++, opts, openedIn: -1 };
    this.clients.set(client.id, client);
    // Started now, so that it has loaded (a few hundred ms) before the first webhook is due.
    this.startIfNeeded();
    return client;
  }

  /**
   * Whether attempts go to the thread: only once it has loaded. Until then, and when no thread can
   * start here, they run on the calling thread, so no webhook ever waits for the thread to load.
   */
  usable(): boolean {
    if (this.unavailable !== undefined) return false;
    this.startIfNeeded();
    return this.ready;
  }

  private startIfNeeded(): void {
    if (this.worker || this.unavailable !== undefined) return;
    try {
      this.start();
    } catch (err) {
      // The Worker constructor itself refused (no thread can be made here): never the engine's end.
      this.unavailable = `the webhook thread could not start: ${describe(err)}`;
      for (const c of this.clients.values()) c.opts.unavailable?.(this.unavailable);
    }
  }

  /**
   * Posts what `build` makes to the running thread and hands its answer to `waiter`; for a client,
   * opens it there first if this thread has not seen it.
   */
  request(client: Client | undefined, build: (id: number) => ToThread, waiter: Waiter): number {
    const worker = this.worker!;
    if (client && client.openedIn !== this.generation) {
      const { connections, maxStored, userAgent } = client.opts;
      this.post({ t: 'open', client: client.id, connections, maxStored, userAgent });
      client.openedIn = this.generation;
    }
    const id = this.nextId++;
    // The thread is unref'd while idle (it never keeps a process alive by itself); an attempt in
    // flight holds the process open, as its socket would on the engine's thread.
    if (this.waiting.size === 0) worker.ref();
    this.waiting.set(id, waiter);
    this.post(build(id));
    return id;
  }

  /** Ends the thread; its attempts in flight fail as `other` (see `lost`). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker) await worker.terminate();
  }

  /** Queues `msg` for the running thread (nothing when none runs); see `outgoing`. */
  post(msg: ToThread): void {
    const worker = this.worker;
    if (!worker) return;
    if (this.outgoingTo !== worker) {
      // A batch for a thread that has since gone: its attempts were failed by `lost`.
      this.outgoing = [];
      this.outgoingTo = worker;
    }
    if (this.outgoing.length === 0) queueMicrotask(this.flush);
    this.outgoing.push(msg);
  }

  private readonly flush = (): void => {
    const batch = this.outgoing;
    if (batch.length === 0) return;
    this.outgoing = [];
    if (this.outgoingTo !== this.worker) return;
    this.posts++;
    this.outgoingTo!.postMessage(batch);
  };

  /** Closes `client` on the thread; resolves once its connections are closed. */
  async unregister(client: Client): Promise<void> {
    this.clients.delete(client.id);
    if (!this.worker || client.openedIn !== this.generation) return;
    await new Promise<void>((resolve) => {
      this.request(client, (id) => ({ t: 'close', id, client: client.id }), { done: () => resolve(), fail: () => resolve() });
    });
  }

  /** Whether attempts go to a thread now, once the one starting has loaded or failed to. */
  async whenLoaded(): Promise<boolean> {
    this.startIfNeeded();
    if (this.unavailable !== undefined) return false;
    if (this.ready) return true;
    // Someone waits for it: the loading thread holds the process open meanwhile.
    const worker = this.worker!;
    worker.ref();
    try {
      return await this.loaded;
    } finally {
      if (this.worker === worker && this.waiting.size === 0) worker.unref();
    }
  }

  /** CPU seconds the thread has used (Linux), or null when unknown or not started. */
  async cpuSeconds(): Promise<number | null> {
    if (!this.worker) return null;
    return new Promise((resolve) => {
      this.request(undefined, (id) => ({ t: 'cpu', id }), { done: (m) => resolve(m.t === 'cpu' ? m.seconds : null), fail: () => resolve(null) });
    });
  }

  private start(): Worker {
    if (bootOverride instanceof Error) throw bootOverride;
    const worker = new Worker(typeof bootOverride === 'string' ? commonJsWorkerSource(bootOverride) : BOOT.source, { eval: true, workerData: BOOT.entry, name: 'switchboard-webhooks' });
    const generation = ++this.generation;
    this.worker = worker;
    this.ready = false;
    this.loaded = new Promise((resolve) => (this.settleLoaded = resolve));
    // The thread posts its messages in batches (http-thread-worker.ts); a module that failed to
    // load posts one alone (util/eval-worker.ts).
    worker.on('message', (m: FromThread | FromThread[]) => {
      if (!Array.isArray(m)) return this.receive(worker, m);
      for (const one of m) this.receive(worker, one);
    });
    worker.on('error', (err) => this.lost(worker, generation, `the webhook thread failed: ${describe(err)}`));
    worker.on('exit', (code) => this.lost(worker, generation, `the webhook thread exited (code ${code})`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  }

  private receive(worker: Worker, m: FromThread): void {
    if (m.t === 'resolve') {
      const client = this.clients.get(m.client);
      const answer = client ? client.opts.resolve(m.hostname, m.port) : Promise.reject(new Error('the sender is closed'));
      // Only to the thread that asked: a thread started since numbers its lookups afresh.
      const reply = (msg: ToThread) => {
        if (this.worker === worker) this.post(msg);
      };
      answer.then(
        (address) => reply({ t: 'resolved', id: m.id, address }),
        (err: unknown) => reply({ t: 'resolved', id: m.id, error: resolveFailure(err) }),
      );
      return;
    }
    if (m.t === 'ready') {
      this.ready = true;
      this.settleLoaded(true);
      return;
    }
    if (m.t === 'fatal') {
      void worker.terminate();
      return this.lost(worker, this.generation, `the webhook thread could not start: ${m.message}`);
    }
    const waiter = this.waiting.get(m.id);
    if (!waiter) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) worker.unref();
    waiter.done(m);
  }

  /** The thread is gone: its attempts in flight fail (the outbox retries them); the next one starts anew. */
  private lost(worker: Worker, generation: number, why: string): void {
    if (this.worker !== worker || this.generation !== generation) return;
    this.worker = undefined;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    if (!this.ready) {
      // It never loaded, so it ran nothing (attempts wait for `ready`): every attempt goes inline.
      this.unavailable = why;
      for (const c of this.clients.values()) c.opts.unavailable?.(why);
    }
    this.settleLoaded(false);
    for (const w of waiting) w.fail(why);
  }
}

function resolveFailure(err: unknown): ResolveFailure {
  const code = (err as { code?: unknown } | null)?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
    refused: err instanceof TargetRefusedError,
  };
}

let shared: WebhookThread | undefined;
/** Tests: what the next thread runs instead of its module, or what starting it throws (`bootWebhookThreadWith`). */
let bootOverride: string | Error | undefined;
const thread = (): WebhookThread => (shared ??= new WebhookThread());

/** A sender's door to the process's webhook thread (started with the first sender). */
export function openThreadClient(opts: ThreadClientOptions): ThreadClient {
  const t = thread();
  const client = t.register(opts);
  return {
    send(req, signal) {
      if (!t.usable()) return opts.inline(req, signal);
      t.attempts++;
      return new Promise<AttemptResult>((resolve) => {
        const waiter = new AttemptWaiter(t, req, signal, resolve);
        waiter.id = t.request(client, (id) => ({ t: 'send', id, client: client.id, req, abortable: signal !== undefined }), waiter);
        waiter.watch();
      });
    },
    close: () => t.unregister(client),
  };
}

/**
 * One attempt on the thread, waiting for its result: one object per attempt, its methods the
 * class's (the engine's thread sends every webhook through here).
 */
class AttemptWaiter implements Waiter {
  id = 0;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly thread: WebhookThread,
    private readonly req: WireRequest,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (r: AttemptResult) => void,
  ) {}

  /** Tells the thread when the caller aborts (once the attempt has its id). */
  watch(): void {
    const signal = this.signal;
    if (!signal) return;
    this.onAbort = () => this.thread.post({ t: 'abort', id: this.id, message: describe(signal.reason) });
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  done(m: FromThread): void {
    this.unwatch();
    this.resolve((m as Extract<FromThread, { t: 'result' }>).result);
  }

  fail(message: string): void {
    this.unwatch();
    this.resolve(lostAttempt(this.req, message));
  }

  private unwatch(): void {
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

/** An attempt the thread took with it: an `other` failure, as a dropped connection would be. */
function lostAttempt(req: WireRequest, message: string): AttemptResult {
  return { ok: false, body: '', bodyTruncated: false, storedBody: '', latencyMs: 0, error: { kind: 'other', message }, requestUrl: req.url, requestHeadersJson: '{}' };
}

/**
 * Starts the process's webhook thread if it is not running, and answers once attempts go to it
 * (true) or will run on the calling thread because it cannot start (false). Tests use it to know
 * which way an attempt goes.
 */
export function webhookThreadReady(): Promise<boolean> {
  return thread().whenLoaded();
}

/** Attempts handed to a webhook thread so far in this process (tests, benchmarks). */
export function webhookThreadAttempts(): number {
  return shared?.attempts ?? 0;
}

/** Messages posted to webhook threads so far in this process, each carrying one or more attempts (tests, benchmarks). */
export function webhookThreadPosts(): number {
  return shared?.posts ?? 0;
}

/** CPU seconds the webhook thread has used so far (benchmarks), or null when it has not started. */
export function webhookThreadCpuSeconds(): Promise<number | null> {
  return shared ? shared.cpuSeconds() : Promise.resolve(null);
}

/**
 * Ends the process's webhook thread, if it runs: its attempts in flight fail as `other` errors (the
 * outbox retries them) and the next attempt starts a new one. For a process that embeds engines and
 * wants its thread gone now rather than at exit (it is unref'd), and for tests.
 */
export function stopWebhookThread(): Promise<void> {
  return shared ? shared.stop() : Promise.resolve();
}

/**
 * Tests: the next thread started runs `source` (CommonJS) instead of loading its module, e.g. one
 * that throws to stand for a thread that cannot load; an Error is thrown by the start itself, as
 * when no thread can be made; undefined goes back to the module. Either way the process may try a
 * thread again.
 */
export function bootWebhookThreadWith(source: string | Error | undefined): void {
  bootOverride = source;
  if (shared) shared.unavailable = undefined;
}
