/**
 * Prometheus metrics (prom-client) at `/metrics` (docs/reports.md, "Metrics"). Counters are told
 * call events and delivery outcomes as they are recorded (events/call-facts.ts), as typed fields:
 * counting builds nothing, and the live feed builds its payloads only for someone watching; gauges
 * (live calls, outbox depth) are read when scraped; API request metrics come from a Fastify hook.
 * One registry per engine, so tests can run several.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CAUSES, type EndReason } from '../domain/causes.ts';
import type { CallFactListener, CallFacts } from '../events/call-facts.ts';
import type { EventType } from '../domain/events.ts';

/** What the metrics read of the live calls (calls/registry.ts gives it; reports/ does not import calls/). */
export interface LiveCallCount {
  /** Live legs, A and B. */
  readonly size: number;
  aLegs(): readonly unknown[];
}

export interface MetricsDeps {
  /** Told every call event and delivery outcome of this node. */
  facts: CallFacts;
  calls: LiveCallCount;
  /** Deliveries still owed; read at scrape time. */
  outboxDepth: () => number | Promise<number>;
  /** Node process metrics (CPU, memory, event loop lag); off in tests for exact expositions. */
  defaultMetrics?: boolean;
  /** SIP figures read at scrape time (docs/sip.md): kernel UDP drops per listen address, refused and dropped requests. */
  sip?: () => { udpDrops: Readonly<Record<string, number>>; refused: number; dropped: number };
  /** SQL statements the store has sent, by kind (store/statement-counter.ts); read at scrape time. */
  storeStatements?: () => Readonly<Record<string, number>>;
}

/** Seconds: webhooks from a local app (ms) to a slow one near Plivo's 40 s read timeout (engine.md §3). */
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const API_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A metric's children by their label values, made once: prom-client validates and hashes the
 * labels object on every `inc`/`observe`, a dozen times a call; a child found by one string key
 * does neither. Label values are bounded (routes, kinds, causes), and so is the map.
 */
class Children<C> {
  private readonly byKey = new Map<string, C>();
  constructor(private readonly make: (values: readonly string[]) => C) {}

  of(...values: string[]): C {
    const key = values.join('\u0000');
    let child = this.byKey.get(key);
    if (child === undefined) {
      child = this.make(values);
      this.byKey.set(key, child);
    }
    return child;
  }
}

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly unsubscribe: () => void;
  private readonly legsEnded: Counter<'leg' | 'status'>;
  private readonly dials: Counter<'status'>;
  private readonly hangups: Counter<'leg' | 'cause' | 'code' | 'source'>;
  private readonly webhookLatency: Histogram<'webhook'>;
  private readonly webhookAttempts: Counter<'webhook' | 'outcome'>;
  private readonly webhookFailures: Counter<'webhook' | 'reason'>;
  private readonly webhookDead: Counter<'webhook'>;
  private readonly apiRequests: Counter<'method' | 'route' | 'status_code'>;
  private readonly apiDuration: Histogram<'method' | 'route'>;
  private readonly authFailures: Counter<'reason'>;
  private readonly children: {
    legsEnded: Children<Counter.Internal>;
    hangups: Children<Counter.Internal>;
    dials: Children<Counter.Internal>;
    webhookAttempts: Children<Counter.Internal>;
    webhookFailures: Children<Counter.Internal>;
    webhookLatency: Children<Histogram.Internal<'webhook'>>;
    apiRequests: Children<Counter.Internal>;
    apiDuration: Children<Histogram.Internal<'method' | 'route'>>;
  };

  constructor(deps: MetricsDeps) {
    const registers = [this.registry];
    this.legsEnded = new Counter({ name: 'switchboard_calls_ended_total', help: 'Call legs ended, by leg (a: the call, b: placed by <Dial>) and final CallStatus.', labelNames: ['leg', 'status'], registers });
    this.dials = new Counter({ name: 'switchboard_dials_total', help: 'Dials ended, by DialStatus.', labelNames: ['status'], registers });
    this.hangups = new Counter({ name: 'switchboard_hangups_total', help: 'Call legs ended, by leg, HangupCause, HangupCauseCode and HangupSource.', labelNames: ['leg', 'cause', 'code', 'source'], registers });
    new Gauge({
      name: 'switchboard_live_calls',
      help: 'Call legs live on this node now, by leg.',
      labelNames: ['leg'],
      registers,
      collect() {
        const a = deps.calls.aLegs().length;
        this.set({ leg: 'a' }, a);
        this.set({ leg: 'b' }, deps.calls.size - a);
      },
    });
    new Gauge({
      name: 'switchboard_outbox_depth',
      help: 'Webhook deliveries still owed (pending: queued, in flight or waiting for a retry).',
      registers,
      async collect() {
        this.set(await deps.outboxDepth());
      },
    });
    if (deps.sip) {
      const sip = deps.sip;
      // Counters kept by the SIP layer (and the kernel): each scrape adds what they grew by.
      const seen = new Map<string, number>();
      const grow = (c: Counter<string>, key: string, labels: Record<string, string>, now: number) => {
        const before = seen.get(key) ?? 0;
        if (now >= before) c.inc(labels, now - before);
        seen.set(key, Math.max(before, now));
      };
      new Counter({
        name: 'switchboard_sip_udp_receive_drops_total',
        help: 'SIP datagrams the kernel dropped because the UDP receive buffer was full, by listen address (/proc/net/udp drops).',
        labelNames: ['listen'],
        registers,
        collect() {
          for (const [listen, n] of Object.entries(sip().udpDrops)) grow(this, `drops|${listen}`, { listen }, n);
        },
      });
      new Counter({
        name: 'switchboard_sip_refused_total',
        help: 'SIP requests from untrusted sources: forbidden (INVITE answered 403) or flood (dropped over the per-source limit).',
        labelNames: ['reason'],
        registers,
        collect() {
          const s = sip();
          grow(this, 'forbidden', { reason: 'forbidden' }, s.refused);
          grow(this, 'flood', { reason: 'flood' }, s.dropped);
        },
      });
    }
    if (deps.storeStatements) {
      const read = deps.storeStatements;
      const seen = new Map<string, number>();
      new Counter({
        name: 'switchboard_store_statements_total',
        help: 'SQL statements sent to the store, by kind: the verb and the table ("insert events"), BEGIN and COMMIT included (docs/performance.md).',
        labelNames: ['kind'],
        registers,
        collect() {
          // The store keeps the counts; each scrape adds what they grew by.
          for (const [kind, n] of Object.entries(read())) {
            const before = seen.get(kind) ?? 0;
            if (n > before) this.inc({ kind }, n - before);
            seen.set(kind, Math.max(before, n));
          }
        },
      });
    }
    this.webhookLatency = new Histogram({ name: 'switchboard_webhook_request_duration_seconds', help: 'Webhook request latency per attempt, by webhook kind.', labelNames: ['webhook'], buckets: WEBHOOK_BUCKETS, registers });
    this.webhookAttempts = new Counter({ name: 'switchboard_webhook_attempts_total', help: 'Webhook attempts, by webhook kind and outcome (success: 2xx; http_error; network_error).', labelNames: ['webhook', 'outcome'], registers });
    this.webhookFailures = new Counter({ name: 'switchboard_webhook_failures_total', help: 'Webhook attempts that failed, by webhook kind and reason.', labelNames: ['webhook', 'reason'], registers });
    this.webhookDead = new Counter({ name: 'switchboard_webhook_dead_total', help: 'Webhook deliveries given up on (dead), by webhook kind.', labelNames: ['webhook'], registers });
    this.apiRequests = new Counter({ name: 'switchboard_api_requests_total', help: 'HTTP API requests, by method, route and status code.', labelNames: ['method', 'route', 'status_code'], registers });
    this.apiDuration = new Histogram({ name: 'switchboard_api_request_duration_seconds', help: 'HTTP API request duration, by method and route.', labelNames: ['method', 'route'], buckets: API_BUCKETS, registers });
    this.authFailures = new Counter({ name: 'switchboard_auth_failures_total', help: 'API requests refused at the front door, by reason (missing, bad, account: wrong credentials or account; limited: the address is rate-limited).', labelNames: ['reason'], registers });
    // Positional label values, in each metric's labelNames order.
    this.children = {
      legsEnded: new Children((v) => this.legsEnded.labels(...v)),
      hangups: new Children((v) => this.hangups.labels(...v)),
      dials: new Children((v) => this.dials.labels(...v)),
      webhookAttempts: new Children((v) => this.webhookAttempts.labels(...v)),
      webhookFailures: new Children((v) => this.webhookFailures.labels(...v)),
      webhookLatency: new Children((v) => this.webhookLatency.labels(...v)),
      apiRequests: new Children((v) => this.apiRequests.labels(...v)),
      apiDuration: new Children((v) => this.apiDuration.labels(...v)),
    };
    if (deps.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.unsubscribe = deps.facts.listen(this.counter());
  }

  /** One request refused at the front door (docs/security.md). */
  authFailure(reason: string): void {
    this.authFailures.inc({ reason });
  }

  private counter(): CallFactListener {
    return {
      eventRecorded: (leg, type, callStatus, data) => this.eventRecorded(leg, type, callStatus, data),
      attemptEnded: (webhook, code, latencyMs) => {
        const outcome = code !== null && code >= 200 && code < 300 ? 'success' : code !== null ? 'http_error' : 'network_error';
        this.children.webhookAttempts.of(webhook, outcome).inc();
        if (outcome !== 'success') this.children.webhookFailures.of(webhook, outcome).inc();
        // Whole milliseconds, as the delivery log and the live feed state them.
        this.children.webhookLatency.of(webhook).observe(Math.round(latencyMs) / 1000);
      },
      deliveryChanged: (webhook, status) => {
        if (status === 'dead') this.webhookDead.inc({ webhook });
      },
    };
  }

  private eventRecorded(leg: 'a' | 'b', type: EventType, callStatus: string | undefined, data: unknown): void {
    if (type === 'leg.ended') {
      if (callStatus) this.children.legsEnded.of(leg, callStatus).inc();
      const d = (data ?? {}) as { reason?: string; source?: string };
      const row = d.reason !== undefined ? CAUSES[d.reason as EndReason] : undefined;
      if (row) this.children.hangups.of(leg, row.cause, String(row.code), d.source ?? row.source).inc();
    } else if (type === 'dial.ended') {
      const status = (data as { status?: unknown } | undefined)?.status;
      if (typeof status === 'string') this.children.dials.of(status).inc();
    }
  }

  /** Counts every HTTP request by its route template (bounded label values), 'unmatched' for a 404. */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      if (route === '/metrics') return; // scrapes would swamp the figures they read
      this.children.apiRequests.of(req.method, route, String(reply.statusCode)).inc();
      this.children.apiDuration.of(req.method, route).observe(reply.elapsedTime / 1000);
    });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.unsubscribe();
    this.registry.clear();
  }
}
