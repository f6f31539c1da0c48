/**
 * The SQLite writer thread (docs/performance.md, "The store's writer thread"): the group commits
 * whose jobs are plain statements — the deferred records' flush, a new call's row, the merged
 * report rollup; all of a simulated call's writes — run on a connection of their own on a second
 * thread, so that SQLite's B-tree work and the WAL append of every commit leave the engine's thread.
 *
 * One group at a time is in flight: what is submitted meanwhile waits in the group commit and goes
 * as the next group, so the order of writes is the order of submission, and under load each group
 * carries more. Anything that needs the engine's own connection — a read, a write whose result is
 * looked at, a group that failed for another reason than the disk — first waits, synchronously, for
 * the group in flight (`settle`: a few hundred microseconds at most), so it runs on a database that
 * holds every write issued before it, and no two connections ever write at once.
 *
 * The thread starts with the store and is used once it has opened its connection; until then, and
 * for good if it cannot start or dies, groups run on the engine's connection as before. A group in
 * flight when the thread dies counts as stored if its commit had returned (a flag the thread sets
 * right after COMMIT), and otherwise runs again on the engine's connection.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { moduleWorkerBoot } from '../util/eval-worker.ts';
import { cpuSecondsOf } from '../util/proc-cpu.ts';
import type { BoundQuery } from './query-template.ts';

/**
 * Slots of the shared flags: the last group the thread finished (either way), the last it
 * committed, and 1 once the thread is exiting (so that a wait for it ends at once).
 */
export const FINISHED = 0;
export const COMMITTED = 1;
export const GONE = 2;

/** A statement on the wire: the id the thread prepared its SQL under, and its parameters. */
export type WireStatement = readonly [id: number, parameters: readonly unknown[]];
export interface WireError {
  message: string;
  code?: string;
}

export type ToWriter =
  | {
      t: 'group';
      id: number;
      /** SQL first seen in this group, to prepare under these ids; ids to forget once the group has run. */
      sqls: Array<[number, string]>;
      drop: number[];
      jobs: WireStatement[][];
      tail: WireStatement[] | null;
    }
  | { t: 'close' };

export type FromWriter =
  | { t: 'ready'; tid: number | undefined }
  | { t: 'fatal'; message: string }
  | { t: 'done'; id: number; tailError?: WireError }
  | { t: 'failed'; id: number; error: WireError };

/** A group: each job's statements, and a tail whose failure leaves the jobs stored. */
export interface WriterGroup {
  jobs: ReadonlyArray<readonly BoundQuery<unknown>[]>;
  tail?: readonly BoundQuery<unknown>[];
}

export type WriterOutcome = { ok: true; tailError?: Error } | { ok: false; error: Error };

/** What the group commit needs of a writer (group-commit.ts). */
export interface GroupWriter {
  /** Groups may be sent now: the thread has loaded and nothing is in flight. */
  readonly ready: boolean;
  /** A group is in flight (cleared before its `landed` is told). */
  readonly busy: boolean;
  /** Sends a group; `landed` is told how it ended, once. */
  send(group: WriterGroup, landed: (outcome: WriterOutcome) => void): void;
  /** Waits, blocking this thread, until the group in flight has landed (its `landed` is called first). */
  settle(): void;
}

/** SQL texts the thread keeps prepared; the oldest is dropped beyond this. */
const PREPARED_LIMIT = 512;
/** The longest `settle` waits for a thread that does not answer before it counts it as gone. */
const SETTLE_LIMIT_MS = 60_000;

const BOOT = moduleWorkerBoot(import.meta.url, 'sqlite-writer-worker');

export interface SqliteWriterOptions {
  /** Told once, with the reason, when the thread cannot start or is gone: groups run on the engine's thread from then on. */
  onUnavailable?: (why: string) => void;
}

export class SqliteWriter implements GroupWriter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(12));
  private loaded = false;
  /** Settles when the thread has loaded (true) or cannot be used (false). */
  private readonly loading: Promise<boolean>;
  private settleLoading: (ok: boolean) => void = () => {};
  /** Why the thread is not used (it failed to start, or died), once it is not. */
  unavailable: string | undefined;
  private nextId = 1;
  private inFlight: { id: number; landed: (outcome: WriterOutcome) => void } | undefined;
  private readonly sqlIds = new Map<string, number>();
  private nextSqlId = 1;
  private readonly exited: Promise<void>;
  private tid: number | undefined;
  /** Groups sent to the thread, and those it committed (tests, benchmarks). */
  sent = 0;
  groups = 0;

  constructor(
    path: string,
    private readonly options: SqliteWriterOptions = {},
  ) {
    this.loading = new Promise((resolve) => (this.settleLoading = resolve));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(BOOT.source, {
      eval: true,
      name: 'switchboard-sqlite-writer',
      workerData: { ...BOOT.entry, path, port: port2, flags: this.flags.buffer },
      transferList: [port2],
    });
    this.port.on('message', (m: FromWriter) => this.receive(m));
    this.worker.on('message', (m: FromWriter) => this.receive(m));
    this.worker.on('error', (err) => this.lost(`the SQLite writer thread failed: ${err instanceof Error ? err.message : String(err)}`));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.lost('the SQLite writer thread exited'));
    // After the listeners (adding one refs a port again): a loaded, idle thread keeps nothing alive.
    this.worker.unref();
    this.port.unref();
  }

  get ready(): boolean {
    return this.loaded && this.unavailable === undefined && this.inFlight === undefined;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  send(group: WriterGroup, landed: (outcome: WriterOutcome) => void): void {
    if (!this.ready) throw new Error('the SQLite writer thread is not ready');
    const id = this.nextId++;
    const sqls: Array<[number, string]> = [];
    const drop: number[] = [];
    const wire = (qs: readonly BoundQuery<unknown>[]) => qs.map((q): WireStatement => [this.sqlId(q.sql, sqls, drop), q.parameters]);
    const message: ToWriter = { t: 'group', id, sqls, drop, jobs: group.jobs.map(wire), tail: group.tail ? wire(group.tail) : null };
    this.inFlight = { id, landed };
    this.sent++;
    this.port.ref();
    this.port.postMessage(message);
  }

  settle(): void {
    const flight = this.inFlight;
    if (!flight) return;
    const deadline = Date.now() + SETTLE_LIMIT_MS;
    while (this.inFlight === flight) {
      if (Atomics.load(this.flags, FINISHED) >= flight.id) {
        // Its answer was posted before the flag moved: take it off the port now.
        const m = receiveMessageOnPort(this.port);
        if (m) {
          this.receive(m.message as FromWriter);
          continue;
        }
      }
      if (Atomics.load(this.flags, GONE) === 1 && Atomics.load(this.flags, FINISHED) < flight.id) {
        this.lost('the SQLite writer thread exited');
        break;
      }
      if (Date.now() > deadline) {
        this.lost(`the SQLite writer thread did not answer in ${SETTLE_LIMIT_MS / 1000} s`);
        void this.worker.terminate();
        break;
      }
      Atomics.wait(this.flags, FINISHED, Atomics.load(this.flags, FINISHED), 50);
    }
  }

  /** Closes the thread's connection and waits for it to end (the engine's connection should close last). */
  async stop(): Promise<void> {
    this.settle();
    if (this.unavailable === undefined) {
      this.unavailable = 'stopped';
      this.settleLoading(false);
      this.worker.ref();
      this.port.postMessage({ t: 'close' } satisfies ToWriter);
    } else {
      void this.worker.terminate();
    }
    await this.exited;
  }

  /** CPU seconds the thread has used (Linux), or null when unknown (benchmarks). */
  cpuSeconds(): number | null {
    return this.tid === undefined ? null : cpuSecondsOf(`/proc/self/task/${this.tid}/stat`);
  }

  /** Ends the thread as a crash would (tests): a group in flight is settled as `lost` says. */
  async kill(): Promise<void> {
    void this.worker.terminate();
    await this.exited;
  }

  /** Resolves once the thread has loaded (true) or cannot be used (false): tests and benchmarks. */
  async whenLoaded(): Promise<boolean> {
    this.worker.ref();
    try {
      return (await this.loading) && this.unavailable === undefined;
    } finally {
      this.worker.unref();
    }
  }

  private sqlId(sql: string, sqls: Array<[number, string]>, drop: number[]): number {
    let id = this.sqlIds.get(sql);
    if (id !== undefined) {
      // Most recently used last: the oldest dropped is the one unused longest.
      this.sqlIds.delete(sql);
      this.sqlIds.set(sql, id);
      return id;
    }
    id = this.nextSqlId++;
    if (this.sqlIds.size >= PREPARED_LIMIT) {
      const [oldest, oldestId] = this.sqlIds.entries().next().value!;
      this.sqlIds.delete(oldest);
      drop.push(oldestId);
    }
    this.sqlIds.set(sql, id);
    sqls.push([id, sql]);
    return id;
  }

  private receive(m: FromWriter): void {
    if (m.t === 'ready') {
      this.tid = m.tid;
      this.loaded = true;
      this.settleLoading(true);
      return;
    }
    if (m.t === 'fatal') return this.lost(`the SQLite writer thread could not start: ${m.message}`);
    const flight = this.inFlight;
    if (!flight || flight.id !== m.id) return;
    this.inFlight = undefined;
    this.port.unref();
    if (m.t === 'done') {
      this.groups++;
      flight.landed(m.tailError ? { ok: true, tailError: rebuild(m.tailError) } : { ok: true });
    } else {
      flight.landed({ ok: false, error: rebuild(m.error) });
    }
  }

  private lost(why: string): void {
    if (this.unavailable !== undefined) return;
    // What the thread said before it went comes first: its answer for the group in flight, or why it could not start.
    for (let queued = receiveMessageOnPort(this.port); queued; queued = receiveMessageOnPort(this.port)) {
      this.receive(queued.message as FromWriter);
      if (this.unavailable !== undefined) return;
    }
    this.unavailable = why;
    this.settleLoading(false);
    this.options.onUnavailable?.(why);
    const flight = this.inFlight;
    if (!flight) return;
    this.inFlight = undefined;
    this.port.unref();
    // Stored if its COMMIT returned; otherwise nothing of it was (the thread's transaction died with it).
    if (Atomics.load(this.flags, COMMITTED) >= flight.id) flight.landed({ ok: true });
    else flight.landed({ ok: false, error: new Error(why) });
  }
}

/** The thread's error with SQLite's code, so that store-error.ts classifies it as the driver's own. */
function rebuild(e: WireError): Error {
  return Object.assign(new Error(e.message), e.code !== undefined ? { code: e.code } : {});
}
