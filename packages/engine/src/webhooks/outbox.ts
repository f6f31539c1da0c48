/**
 * The outbox deliverer (engine.md §3, DESIGN.md "Every status is an event"). Deliveries are rows
 * written in the same transaction as the event that caused them; this worker sends them.
 *
 * - One lane per call: a call's notifications go out in order, one in flight at a time.
 * - Synchronous fetches (answer_url, fallback_url, Redirect, Dial action with redirect="true"...)
 *   never wait behind notifications (issue 13 item 9): they go out at once, through their own
 *   per-host limit and their own connections (`pool: 'sync'`), so a host that is slow to answer
 *   ring or hangup notifications cannot stall a call that waits for its XML. A notification queued
 *   before a fetch still reaches the app first: the fetch waits until every notification of its
 *   call queued or in flight when it came has been answered (or its round failed), at most
 *   `ORDER_WAIT_MS`, and not at all behind a notification in backoff. A fetch for a call that has
 *   ended by the time its turn comes is dropped, never sent.
 * - Each delivery first gets Plivo's per-URL policy (`#ct=&rt=&tt=&rc=&rp=`). A notification whose
 *   policy is spent comes back after a backoff (1 s doubling to the cap) until `retryForMs` is spent,
 *   then it is marked dead; meanwhile the call's later notifications wait behind it, so they still
 *   arrive in order. Synchronous fetches do not wait: a live call cannot wait hours for its XML.
 *   A synchronous fetch reports its failure to the caller.
 * - A delivery is owed once: handing the same row over twice (a restart's recovery and resume, a
 *   replay of something already queued) never sends it twice.
 * - A per-host limit keeps one slow receiver from holding every connection.
 * - Attempts are stamped when they go on the wire, not when they were queued.
 * - A URL the target policy refuses (target-policy.ts) is not retried: a fetch fails at once, a
 *   notification is marked dead with the reason (it can be replayed once the policy allows it).
 */
import { RealClock, type Clock, type Timer } from '../clock.ts';
import type { Activity } from '../util/activity.ts';
import type { DeliveryRow, NewAttempt, NewDelivery, Store } from '../store/store.ts';
import { parseCallbackUrl, type CallbackPolicy } from './callback-policy.ts';
import { isRetryable, type AttemptResult, type WebhookSender } from './http-sender.ts';
import { nextRetryAt, type BackoffPolicy } from './backoff.ts';

export interface FetchResult {
  ok: boolean;
  statusCode?: number;
  body: string;
  contentType?: string;
  /** Why it failed, for the call's error field and the logs. */
  error?: string;
  attempts: number;
}

export interface OutboxLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface OutboxDeps {
  store: Store;
  sender: WebhookSender;
  clock: Clock;
  activity: Activity;
  log: OutboxLogger;
  backoff: BackoffPolicy;
  perHostConcurrency: number;
  /**
   * True when the call a synchronous fetch belongs to has ended (the engine asks its live-call
   * registry); such a fetch is dropped. Absent: never dropped.
   */
  callEnded?: (callUuid: string) => boolean;
  /**
   * Asked before each attempt goes on the wire: resolves true while this node may send (a cluster
   * node's lease holds, docs/scaling.md), false once it may never again (fenced). Absent: always.
   */
  mayAct?: () => Promise<boolean>;
  /**
   * Called after every attempt and status change (live event feed, metrics). After an attempt,
   * `delivery` is the row as the round found it and `attempt.number` the attempt's (the delivery's
   * count of attempts so far): the row is not copied for each attempt, since nothing but a watched
   * feed reads it.
   */
  onChange?: (change: { delivery: DeliveryRow; attempt?: { readonly number: number; readonly result: AttemptResult } }) => void;
  /** Times the bound on how long a fetch waits for earlier notifications to go out; real time by default (it bounds I/O). */
  ioClock?: Clock;
}

/**
 * The longest a synchronous fetch waits for the notifications of its call queued before it. Being
 * on the wire first is not enough: a notification that opens a fresh connection is read by the app
 * after a request sent later on a warm one (the server accepts the connection before it reads
 * from it). So the fetch waits for their answers, which a healthy app gives in milliseconds; the
 * bound keeps a slow one from holding the call's XML for long (issue 13 item 9).
 */
export const ORDER_WAIT_MS = 250;

/** Settles once a notification's round is over: answered, failed, or parked behind a backoff. */
class RoundDone {
  done = false;
  private waiters: Array<() => void> = [];
  mark(): void {
    if (this.done) return;
    this.done = true;
    for (const w of this.waiters) w();
    this.waiters = [];
  }
  wait(): Promise<void> {
    return this.done ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

interface Job {
  row: DeliveryRow;
  /** `row.params` as the object it was stored from, when the caller has it: not parsed back. */
  params?: Readonly<Record<string, string>>;
  settle?: (r: FetchResult) => void;
  /** A call waits for this fetch: drop it if the call ended first (not for replays). */
  forCall?: boolean;
  /** A notification's: settles once its round is over (a later fetch of the call waits for it). */
  roundDone?: RoundDone;
}

interface Lane {
  jobs: Job[];
  running: boolean;
  /** The notification being processed now. */
  current?: Job;
  /** The notification in backoff that later notifications of the call wait behind (engine.md §3: in order per call). */
  blocked?: string;
  /** Notifications that came after `blocked`, in order. */
  parked: Job[];
}


function describe(r: AttemptResult): string {
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  return `HTTP ${r.statusCode}`;
}

class HostLimiter {
  private active = new Map<string, number>();
  private waiting = new Map<string, Array<() => void>>();
  constructor(private readonly limit: number) {}

  /**
   * Takes a slot for `host` when one is free (true); else `wait` for one. Give it back with
   * `release`. Two methods, not one async one: a free slot, the usual case, costs no promise.
   */
  take(host: string): boolean {
    const n = this.active.get(host) ?? 0;
    if (n >= this.limit) return false;
    this.active.set(host, n + 1);
    return true;
  }

  /** Resolves once a released slot is handed to this waiter. */
  wait(host: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const q = this.waiting.get(host) ?? [];
      q.push(resolve);
      this.waiting.set(host, q);
    });
  }

  /** Gives back a slot `acquire` gave: to the next waiting for the host, else to the pool. */
  release(host: string): void {
    const q = this.waiting.get(host);
    const next = q?.shift();
    if (next) next(); // hand the slot over
    else this.active.set(host, (this.active.get(host) ?? 1) - 1);
  }
}

export class Outbox {
  private lanes = new Map<string, Lane>();
  private timers = new Map<string, Timer>();
  private rounds = new Map<string, number>();
  /** Deliveries queued, parked, in flight or waiting for a retry. */
  private owed = new Set<string>();
  /** Notifications and synchronous fetches have separate per-host limits (and connections). */
  private notifyLimiter: HostLimiter;
  private syncLimiter: HostLimiter;
  private syncRunning = 0;
  private closed = false;
  private readonly ioClock: Clock;

  constructor(private readonly deps: OutboxDeps) {
    this.ioClock = deps.ioClock ?? new RealClock();
    this.notifyLimiter = new HostLimiter(deps.perHostConcurrency);
    this.syncLimiter = new HostLimiter(deps.perHostConcurrency);
  }

  /**
   * Hands freshly recorded notifications to their call's lane. `news` are what they were recorded
   * from, when the caller has them: their params objects are used as they are.
   */
  submit(rows: readonly DeliveryRow[], news?: readonly NewDelivery[]): void {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row.synchronous || this.owed.has(row.id)) continue;
      this.owed.add(row.id);
      this.push({ row, ...paramsOf(row, news?.[i]) });
    }
  }

  /** A synchronous request: goes out at once (not behind notifications) and tries per the URL's policy. */
  fetch(row: DeliveryRow, recordedFrom?: NewDelivery): Promise<FetchResult> {
    this.owed.add(row.id);
    return new Promise((resolve) => void this.runSync({ row, ...paramsOf(row, recordedFrom), settle: resolve, forCall: true }));
  }

  /**
   * Sends a delivery again, whatever became of it (the delivery log's Replay): same event id, a
   * fresh signature, attempts numbered on from the last. A replayed request whose XML once drove a
   * call is sent once under its URL policy; its response no longer drives anything.
   */
  async replay(id: string): Promise<DeliveryRow | undefined> {
    const row = await this.deps.store.getDelivery(id);
    if (!row) return undefined;
    const now = this.deps.clock.now();
    const waiting = this.timers.get(id);
    if (this.owed.has(id) && !waiting) return row; // already on its way
    waiting?.cancel();
    this.timers.delete(id);
    this.rounds.delete(id);
    await this.deps.store.updateDelivery(id, { status: 'pending', completed_at: null, next_attempt_at: now });
    const fresh = { ...row, status: 'pending' as const, completed_at: null, next_attempt_at: now };
    this.owed.add(id);
    if (waiting) this.pushFront({ row: fresh });
    else if (row.synchronous) void this.runSync({ row: fresh, settle: () => {} });
    else this.push({ row: fresh });
    return fresh;
  }

  /**
   * Picks up what was owed before a restart: every pending delivery, or the `claimed` ones (a
   * cluster node takes only its own and those claimed from dead nodes). Returns how many were resumed.
   */
  async resume(claimed?: readonly DeliveryRow[]): Promise<number> {
    const rows = claimed ?? (await this.deps.store.listPendingDeliveries());
    const now = this.deps.clock.now();
    let n = 0;
    for (const row of rows) {
      if (row.synchronous) {
        // The call that waited for it is gone with the old process.
        await this.deps.store.updateDelivery(row.id, { status: 'failed', completed_at: now, last_error: 'engine restarted while the request was pending' });
        continue;
      }
      if (this.owed.has(row.id)) continue;
      n++;
      this.owed.add(row.id);
      if (row.next_attempt_at !== null && row.next_attempt_at > now) this.schedule(row, row.next_attempt_at);
      else this.push({ row });
    }
    return n;
  }

  /** True when no lane has work (scheduled retries do not count: they wait on the clock). */
  get busy(): boolean {
    if (this.syncRunning > 0) return true;
    for (const lane of this.lanes.values()) if (lane.running || lane.jobs.length > 0) return true;
    return false;
  }

  /** Resolves when every lane is empty (or `timeoutMs` of real time passed). */
  async drain(timeoutMs = 5000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.busy) {
      if (performance.now() > deadline) return false;
      await new Promise((r) => setImmediate(r));
    }
    return true;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private lane(callUuid: string): Lane {
    let lane = this.lanes.get(callUuid);
    if (!lane) {
      lane = { jobs: [], running: false, parked: [] };
      this.lanes.set(callUuid, lane);
    }
    return lane;
  }

  private push(job: Job): void {
    if (this.closed) {
      job.settle?.({ ok: false, body: '', error: 'engine is shutting down', attempts: 0 });
      return;
    }
    if (!job.settle) job.roundDone = new RoundDone();
    const lane = this.lane(job.row.call_uuid);
    lane.jobs.push(job);
    if (!lane.running) void this.run(job.row.call_uuid, lane);
  }

  /** A retry that is due goes before what queued up behind it. */
  private pushFront(job: Job): void {
    if (this.closed) return;
    const lane = this.lane(job.row.call_uuid);
    lane.jobs.unshift(job);
    if (!lane.running) void this.run(job.row.call_uuid, lane);
  }

  /** A synchronous fetch, outside the call's lane. */
  private async runSync(job: Job): Promise<void> {
    if (this.closed) {
      this.owed.delete(job.row.id);
      job.settle?.({ ok: false, body: '', error: 'engine is shutting down', attempts: 0 });
      return;
    }
    this.syncRunning++;
    const end = this.deps.activity.begin();
    try {
      if (job.forCall) await this.afterQueuedNotifications(job.row.call_uuid);
      await this.process(job);
    } catch (err) {
      this.deps.log.warn({ err, delivery: job.row.id }, 'delivery processing failed');
      job.settle?.({ ok: false, body: '', error: String(err), attempts: 0 });
    } finally {
      this.owed.delete(job.row.id);
      this.syncRunning--;
      end();
    }
  }

  /**
   * Waits until the notifications of the call queued or in flight now have been answered (or
   * `ORDER_WAIT_MS` passed), so that the app has them before the fetch that follows them. Those
   * parked behind a notification in backoff are not waited for: they may wait hours.
   */
  private async afterQueuedNotifications(callUuid: string): Promise<void> {
    const lane = this.lanes.get(callUuid);
    if (!lane) return;
    const pending: RoundDone[] = [];
    for (const job of lane.current ? [lane.current, ...lane.jobs] : lane.jobs) {
      if (job.roundDone && !job.roundDone.done) pending.push(job.roundDone);
    }
    if (pending.length === 0) return;
    let timer: Timer | undefined;
    await Promise.race([
      Promise.all(pending.map((w) => w.wait())),
      new Promise<void>((resolve) => (timer = this.ioClock.setTimer(ORDER_WAIT_MS, resolve))),
    ]);
    timer?.cancel();
  }

  private async drop(job: Job, attempts: number, why: string, made: readonly NewAttempt[] = []): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.recordAttempts(job.row.id, made, { status: 'failed', attempts, completed_at: now, next_attempt_at: null, last_error: why });
    this.changed({ ...job.row, attempts, status: 'failed', completed_at: now, last_error: why });
    job.settle?.({ ok: false, body: '', error: why, attempts });
  }

  private async run(callUuid: string, lane: Lane): Promise<void> {
    lane.running = true;
    const end = this.deps.activity.begin();
    try {
      for (;;) {
        const job = lane.jobs.shift();
        if (!job) break;
        if (!job.settle && lane.blocked !== undefined && lane.blocked !== job.row.id) {
          job.roundDone?.mark();
          lane.parked.push(job);
          continue;
        }
        let outcome: 'done' | 'backoff' = 'done';
        lane.current = job;
        try {
          outcome = await this.process(job);
        } catch (err) {
          // A store failure must not kill the lane; the delivery stays pending for resume().
          this.deps.log.warn({ err, delivery: job.row.id }, 'delivery processing failed');
          job.settle?.({ ok: false, body: '', error: String(err), attempts: 0 });
        } finally {
          lane.current = undefined;
          job.roundDone?.mark();
        }
        if (outcome === 'backoff') {
          lane.blocked = job.row.id;
          continue;
        }
        this.owed.delete(job.row.id);
        if (lane.blocked === job.row.id) {
          lane.blocked = undefined;
          lane.jobs.unshift(...lane.parked);
          lane.parked = [];
        }
      }
    } finally {
      lane.running = false;
      if (lane.jobs.length === 0 && lane.parked.length === 0 && lane.blocked === undefined) this.lanes.delete(callUuid);
      end();
    }
  }

  private async process(job: Job): Promise<'done' | 'backoff'> {
    const { store, sender, clock } = this.deps;
    const row = job.row;
    const { url, policy: given, fetchPolicy, host } = targetOf(row.url);
    const policy = row.synchronous ? fetchPolicy : given;
    const params = job.params ?? (JSON.parse(row.params) as Record<string, string>);
    const startedAt = performance.now();
    let attempts = row.attempts;
    let last: AttemptResult | undefined;
    // The round's attempts are written once, with the delivery's outcome, when the round is over:
    // one write per round instead of two per attempt (docs/performance.md).
    const made: NewAttempt[] = [];

    for (let i = 0; i <= policy.retries; i++) {
      const budgetMs = policy.totalTimeoutMs - (performance.now() - startedAt);
      if (i > 0 && budgetMs <= 0) break;
      attempts++;
      // A node that lost its lease sends nothing more: a survivor has the delivery (docs/scaling.md).
      if (this.deps.mayAct && !(await this.deps.mayAct())) {
        if (made.length > 0) await store.recordAttempts(row.id, made, {});
        throw new Error('this node was fenced (its lease ran out): not sent');
      }
      const limiter = row.synchronous ? this.syncLimiter : this.notifyLimiter;
      if (!limiter.take(host)) await limiter.wait(host);
      // Checked once a slot is ours: the call may have ended while the fetch waited for it.
      if (job.forCall && this.deps.callEnded?.(row.call_uuid)) {
        limiter.release(host);
        await this.drop(job, attempts - 1, 'call ended before the request was sent; not sent', made);
        return 'done';
      }
      // Stamped when it goes on the wire: time spent waiting for a slot is not the attempt's.
      const at = clock.now();
      try {
        last = await sender.send({
          url,
          method: row.method,
          params,
          policy,
          pool: row.synchronous ? 'sync' : 'notify',
          account: row.account_id,
          budgetMs: Math.max(1, budgetMs),
          headers: {
            'X-Switchboard-Event-Id': row.id,
            'X-Switchboard-Sequence': String(row.seq),
            'X-Switchboard-Attempt': String(attempts),
          },
        });
      } finally {
        limiter.release(host);
      }
      made.push({
        delivery_id: row.id,
        attempt: attempts,
        at,
        url: last.requestUrl,
        method: row.method,
        request_headers: last.requestHeadersJson,
        status_code: last.statusCode ?? null,
        response_excerpt: last.storedBody,
        latency_ms: Math.round(last.latencyMs),
        error: last.error ? describe(last) : null,
      });
      this.deps.onChange?.({ delivery: row, attempt: { number: attempts, result: last } });
      if (!isRetryable(last, policy.retryOn)) break;
    }

    const result = last!;
    // The round is over: a fetch of the call that waits for it goes now, not after the write below.
    job.roundDone?.mark();
    const now = clock.now();
    if (result.ok) {
      this.rounds.delete(row.id);
      // A call waiting for this response goes on at once: the write is off its path.
      job.settle?.({ ok: true, statusCode: result.statusCode, body: result.body, contentType: result.contentType, attempts });
      await store.recordAttempts(row.id, made, { status: 'delivered', attempts, completed_at: now, next_attempt_at: null, last_error: null });
      this.changed({ ...row, attempts, status: 'delivered', completed_at: now });
      return 'done';
    }

    const error = describe(result);
    if (job.settle) {
      job.settle({ ok: false, statusCode: result.statusCode, body: result.body, contentType: result.contentType, error, attempts });
      await store.recordAttempts(row.id, made, { status: 'failed', attempts, completed_at: now, last_error: error });
      this.changed({ ...row, attempts, status: 'failed', last_error: error });
      return 'done';
    }

    const round = (this.rounds.get(row.id) ?? 0) + 1;
    // A refused target stays refused: no backoff, the reason is on the delivery for the log.
    const due = result.error?.kind === 'refused' ? undefined : nextRetryAt(this.deps.backoff, round, row.created_at, now, result.retryAfterMs);
    if (due === undefined) {
      this.rounds.delete(row.id);
      await store.recordAttempts(row.id, made, { status: 'dead', attempts, completed_at: now, next_attempt_at: null, last_error: error });
      this.changed({ ...row, attempts, status: 'dead', last_error: error });
      this.deps.log.warn({ delivery: row.id, url: row.url, error }, 'webhook delivery is dead');
      return 'done';
    }
    this.rounds.set(row.id, round);
    await store.recordAttempts(row.id, made, { status: 'pending', attempts, next_attempt_at: due, last_error: error });
    this.changed({ ...row, attempts, next_attempt_at: due, last_error: error });
    this.schedule({ ...row, attempts, next_attempt_at: due, last_error: error }, due);
    return 'backoff';
  }

  private schedule(row: DeliveryRow, at: number): void {
    this.timers.get(row.id)?.cancel();
    const timer = this.deps.clock.setTimer(at - this.deps.clock.now(), () => {
      this.timers.delete(row.id);
      this.pushFront({ row });
    });
    this.timers.set(row.id, timer);
  }

  private changed(delivery: DeliveryRow): void {
    this.deps.onChange?.({ delivery });
  }
}

/** The params a job sends: the recorded object when it is this row's (same id), else parsed from the row. */
function paramsOf(row: DeliveryRow, recordedFrom: NewDelivery | undefined): { params?: Readonly<Record<string, string>> } {
  return recordedFrom?.id === row.id ? { params: recordedFrom.params } : {};
}

/** What a delivery's URL says about sending it: the same for every delivery to that URL. */
interface Target {
  /** The URL without its policy fragment. */
  readonly url: string;
  /** Its policy (`#ct=&rt=&tt=&rc=&rp=`). */
  readonly policy: CallbackPolicy;
  /**
   * The policy of a synchronous fetch. scenarios.md S13: an answer_url that answers 500 is tried
   * again under the default policy, so a request whose XML drives the call also retries 5xx unless
   * the URL sets `rp` itself.
   */
  readonly fetchPolicy: CallbackPolicy;
  /** The per-host limit's key: the host as WHATWG URL parses it. */
  readonly host: string;
}

/** Kept for the few URLs an app uses: a URL and its fragment were parsed for every delivery otherwise. */
const TARGETS = new Map<string, Target>();
const MAX_TARGETS = 1024;

function targetOf(rowUrl: string): Target {
  let target = TARGETS.get(rowUrl);
  if (target) return target;
  const { url, policy } = parseCallbackUrl(rowUrl);
  const fetchPolicy = /[#&]rp=/.test(rowUrl) ? policy : { ...policy, retryOn: new Set([...policy.retryOn, '5xx' as const]) };
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    host = url;
  }
  if (TARGETS.size >= MAX_TARGETS) TARGETS.clear();
  TARGETS.set(rowUrl, (target = { url, policy, fetchPolicy, host }));
  return target;
}
