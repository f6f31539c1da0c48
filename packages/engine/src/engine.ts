/**
 * Puts the engine together: store, clock, network, outbox, calls and the HTTP API. `serve` and the
 * tests both build it here, so what is tested is what runs.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { RealClock, type Clock } from './clock.ts';
import type { Config } from './config/config.ts';
import type { Store } from './store/store.ts';
import { openStore } from './store/open-store.ts';
import { Activity } from './util/activity.ts';
import { Accounts } from './accounts/accounts.ts';
import { SimulatedNetwork } from './network/simulated/index.ts';
import type { Network } from './network/network.ts';
import type { SipNetwork } from './network/sip/sip-network.ts';
import { SipNetworks } from './network/sip/sip-networks.ts';
import { listenKey } from './network/sip/trunk.ts';
import { RoutedNetwork } from './network/routed-network.ts';
import { EndpointNetwork } from './network/endpoint-network.ts';
import { Registrar } from './network/sip/registrar.ts';
import { endpointCallRouter, Endpoints } from './numbers/endpoints.ts';
import { SimulatorNumbers } from './numbers/simulator-numbers.ts';
import { HttpSender } from './webhooks/http-sender.ts';
import { Outbox } from './webhooks/outbox.ts';
import { DEFAULT_BACKOFF } from './webhooks/backoff.ts';
import { Registry } from './calls/registry.ts';
import { CallService } from './calls/call-service.ts';
import type { InboundRouter } from './numbers/inbound-app.ts';
import type { EngineDeps } from './calls/engine-deps.ts';
import { buildServer, type SwitchboardServer } from './api/server.ts';
import { WindowLimiter } from './api/rate-limit.ts';
import { LiveFeed } from './events/live-feed.ts';
import { CallFacts } from './events/call-facts.ts';
import type { ApiContext } from './api/api-context.ts';
import { Applications } from './numbers/applications.ts';
import { PhoneNumbers } from './numbers/phone-numbers.ts';
import { InboundRouting } from './numbers/inbound-router.ts';
import { Flows } from './flows/flow-service.ts';
import { FlowRunner } from './flows/flow-runner.ts';
import { createFlowHttp } from './flows/http-client.ts';
import { parseTargetRules, TargetPolicy, type TargetLookup } from './webhooks/target-policy.ts';
import type { ReportStore } from './store/report-store.ts';
import { EngineMetrics } from './reports/metrics.ts';
import { Recordings } from './calls/recordings.ts';
import { Conferences } from './calls/conference-rooms.ts';
import { recordingsDir } from './api/routes/recordings.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { installForwarding } from './cluster/forward.ts';

const require = createRequire(import.meta.url);
/** Shutdown grace is real time whatever clock the calls run on. */
const wallClock = new RealClock();
export const VERSION: string = (require('../package.json') as { version: string }).version;

export interface EngineOptions {
  config: Config;
  clock: Clock;
  /** Defaults to the store config.dbPath names (a SQLite file, or a postgres:// URL). */
  store?: Store;
  logger?: Logger;
  /** Which application answers an inbound call; defaults to the numbers API (numbers/inbound-router.ts). */
  inboundRouter?: InboundRouter;
  /** Resolves webhook host names (default dns.lookup); tests map names to loopback addresses. */
  webhookLookup?: TargetLookup;
}

export class Engine {
  readonly activity = new Activity();
  readonly registry = new Registry();
  readonly feed = new LiveFeed();
  /** What the metrics count, told by the journal and the outbox (events/call-facts.ts). */
  readonly facts = new CallFacts();
  readonly store: Store;
  readonly log: Logger;
  readonly network: SimulatedNetwork;
  /** The SIP network of the first listen address, when SIP is configured (docs/sip.md). */
  readonly sip?: SipNetwork;
  /** One SIP network per listen address, in the configured order; empty without SIP. */
  readonly sipNetworks: readonly SipNetwork[] = [];
  private readonly sipAll?: SipNetworks;
  /** What calls are placed on: the simulated network, or both networks routed by destination. */
  private readonly callNetwork: Network;
  readonly simNumbers: SimulatorNumbers;
  // These need the account's token, known only once the store is open: set in start().
  outbox!: Outbox;
  calls!: CallService;
  sender!: HttpSender;
  /** The main account and its subaccounts (docs/accounts.md). */
  accounts!: Accounts;
  /** Applications, numbers, flows and inbound routing (docs/numbers.md, docs/flows.md). */
  apps!: ApiContext['apps'];
  server!: SwitchboardServer;
  /** Report queries (docs/reports.md). */
  readonly reports: ReportStore;
  /** SIP endpoints (docs/endpoints.md); their registrar when the engine runs SIP. */
  endpoints!: Endpoints;
  readonly registrar?: Registrar;
  metrics!: EngineMetrics;
  /** Decides every URL the engine fetches (docs/webhooks.md); learns the engine's own addresses as they are bound. */
  targets!: TargetPolicy;
  private flowHttp?: ReturnType<typeof createFlowHttp>;
  /** Recordings and their files (docs/api.md "Recording"); RecordUrl points at this engine. */
  recordings!: Recordings;
  /** Conference rooms of this node (docs/conference.md). */
  conferences!: Conferences;
  /** This node of a cluster on PostgreSQL (docs/scaling.md); absent for a single node. */
  cluster?: ClusterNode;
  /** Resolves, with the reason, if this cluster node is fenced: it has stopped acting and should exit. */
  readonly fenced: Promise<string>;
  private fence!: (why: string) => void;
  private started = false;

  constructor(private readonly opts: EngineOptions) {
    const { config, clock } = opts;
    this.fenced = new Promise((resolve) => (this.fence = resolve));
    this.log = opts.logger ?? pino({ level: config.logLevel });
    // 'next-turn': the events and delivery outcomes of everything that happened in one turn of the
    // event loop share one commit (docs/performance.md); Journal holds the clock until it lands.
    this.store = opts.store ?? openStore(config.dbPath, {
      groupCommit: 'next-turn',
      // SQLite: --commit-interval (off by default) trades a little latency for fewer commits (group-commit.ts).
      commitIntervalMs: config.commitIntervalMs,
      // SQLite: the WAL is copied into the file on the second core, not inside a call's commit.
      checkpointInWorker: true,
      // SQLite: the calls' writes are committed on a thread of their own (docs/performance.md, "The store's writer thread").
      writerThread: config.sqliteThread,
      onWriterUnavailable: (why) => this.log.warn({ why }, 'the SQLite writer thread is not available: writes commit on the engine\'s thread'),
      activity: this.activity,
      // One serving engine per SQLite file (docs/storage.md, "One engine per file").
      exclusive: true,
      // A cluster node paused inside a transaction must not hold the locks its takeover needs.
      ...(config.cluster ? { idleInTransactionMs: config.cluster.leaseMs } : {}),
      // A full disk holds writes in memory until it takes them again (docs/storage.md, "When the disk is full").
      onWriteState: (state, written) =>
        state.ok
          ? this.log.warn({ written }, 'the store writes again: the held writes are stored')
          : this.log.error({ err: state.error, held: state.held }, 'the store cannot write: writes are held in memory and retried, new calls are refused'),
      onRollupError: (err, callUuid) => this.log.error({ err, callUuid }, 'could not roll up the call for reports'),
      // Records whose loss in a crash breaks no promise wait for the next durable write, a read, or
      // this bound (docs/storage.md, "Durability"; docs/performance.md, "Statements per call").
      ...(config.cluster ? {} : { defer: { clock } }),
      onDeferredError: (err) => this.log.error({ err }, 'could not store deferred call records'),
    });
    this.reports = this.store.resources.reports;
    this.simNumbers = new SimulatorNumbers(this.store, clock);
    this.network = new SimulatedNetwork({
      clock,
      seed: config.sim.seed,
      defaultScript: config.sim.defaultScript,
      networkTimeoutMs: config.sim.networkTimeoutMs,
      // An endpoint dialled by <User> plays its own script, as a number does (docs/endpoints.md).
      scriptFor: (to) => this.endpoints?.scriptFor(to) ?? this.simNumbers.scriptFor(to),
    });
    this.callNetwork = this.network;
    if (config.sip) {
      this.sipAll = new SipNetworks({
        clock,
        listen: config.sip.listen,
        trunks: config.sip.trunks,
        ...(config.sip.dns ? { dns: config.sip.dns } : {}),
        acceptFrom: config.sip.acceptFrom ?? [],
        ...(config.sip.udpBuffer !== undefined ? { udpBufferSize: config.sip.udpBuffer } : {}),
        userAgent: `Switchboard/${VERSION}`,
        warn: (msg, data) => this.log.warn(data ?? {}, msg),
      });
      this.sipNetworks = this.sipAll.networks;
      this.sip = this.sipNetworks[0];
      const scriptFor = this.simNumbers.scriptFor;
      this.callNetwork = new RoutedNetwork({ simulated: this.network, sip: this.sipAll, isSimulated: (n) => scriptFor(n) !== undefined });
      const registrar = (this.registrar = new Registrar({ clock, lookup: (u) => this.endpoints?.secrets(u), active: () => (this.endpoints?.size ?? 0) > 0, warn: (msg, data) => this.log.warn(data ?? {}, msg) }));
      this.sipAll.access.endpoints = registrar;
      for (const n of this.sipNetworks) n.registrar = registrar;
    }
    const registrar = this.registrar;
    this.callNetwork = new EndpointNetwork({
      base: this.callNetwork,
      simulated: this.network,
      ...(this.sipAll && registrar ? { sip: { network: this.sipAll, bindings: (u: string) => registrar.live(u) } } : {}),
      endpointFor: (to) => this.endpoints?.forUri(to),
    });
  }

  /** The main account's credentials as they are now (a rotation changes the token). */
  get credentials(): { authId: string; authToken: string } {
    return this.accounts.main;
  }

  get clock(): Clock {
    return this.opts.clock;
  }
  get config(): Config {
    return this.opts.config;
  }

  /** Opens the store, resolves credentials, recovers interrupted calls and resumes the outbox. */
  async start(): Promise<void> {
    const { config, clock } = this.opts;
    await this.store.migrate();
    if (config.cluster && this.store.cluster) {
      // Joins at the end of start(), before anything acts (below): a slow start cannot outlast the lease.
      this.cluster = new ClusterNode({
        store: this.store.cluster,
        nodeId: config.nodeId,
        leaseMs: config.cluster.leaseMs,
        log: this.log,
        clock: wallClock,
        closeCalls: (calls) => this.calls.closeInterrupted(calls),
        deliver: (rows) => this.outbox.resume(rows),
        feed: this.feed,
        reload: { sim: () => this.simNumbers.load(), endpoints: () => this.endpoints.load() },
      });
    }
    this.targets = new TargetPolicy({
      allow: parseTargetRules(config.webhooks.allow.join(',')),
      deny: parseTargetRules(config.webhooks.deny.join(',')),
      ...(this.opts.webhookLookup ? { lookup: this.opts.webhookLookup } : {}),
    });
    if (this.sipAll) {
      await this.sipAll.start();
      for (const [i, n] of this.sipNetworks.entries()) {
        const listen = this.opts.config.sip!.listen[i]!;
        const trunks = this.opts.config.sip!.trunks.filter((t) => n.servesTrunk(t)).map((t) => t.name);
        this.targets.addSelf(n.address, n.port);
        this.log.info({ sip: `${n.address}:${n.port}`, listen: listenKey(listen), ...(listen.name ? { name: listen.name } : {}), trunks }, 'SIP listening');
      }
    }
    this.accounts = await Accounts.open({
      store: this.store,
      subaccounts: this.store.resources.accounts,
      clock,
      config: { ...(config.authId ? { authId: config.authId } : {}), ...(config.authToken ? { authToken: config.authToken } : {}) },
      warn: (data, msg) => this.log.warn(data, msg),
      info: (data, msg) => this.log.info(data, msg),
    });
    this.sender = new HttpSender({
      authToken: this.credentials.authToken,
      mainAuthToken: this.credentials.authToken,
      // Each call's webhooks are signed with its owner's token, looked up per attempt (docs/accounts.md).
      tokensFor: this.accounts.tokensFor,
      userAgent: `Switchboard/${VERSION}`,
      // As many connections per host as the outbox lets requests through at once.
      connections: config.webhooks.perHostConcurrency,
      targets: this.targets,
      // The HTTP work of every attempt off the engine's thread (docs/performance.md, "The webhook thread").
      transport: config.webhooks.thread ? 'thread' : 'inline',
      onThreadUnavailable: (why) => this.log.warn({ why }, 'the webhook thread cannot start: webhooks are sent from the engine\'s thread'),
    });
    this.outbox = new Outbox({
      store: this.store,
      sender: this.sender,
      clock,
      activity: this.activity,
      log: this.log,
      backoff: { ...DEFAULT_BACKOFF, retryForMs: config.webhooks.retryForMs, maxTimeoutMs: config.webhooks.maxBackoffMs },
      perHostConcurrency: config.webhooks.perHostConcurrency,
      callEnded: (uuid) => this.registry.get(uuid)?.leg.ended ?? true,
      ...(this.cluster ? { mayAct: () => this.cluster!.lease.ready() } : {}),
      onChange: ({ delivery, attempt }) => {
        if (attempt) this.facts.attemptEnded(delivery.kind, attempt.result.statusCode ?? null, attempt.result.latencyMs);
        else this.facts.deliveryChanged(delivery.kind, delivery.status);
        // Built only if someone watches the feed (events/live-feed.ts).
        this.feed.publish('delivery', clock.now(), delivery.call_uuid, () => ({
          delivery_id: delivery.id,
          seq: delivery.seq,
          webhook: delivery.kind,
          event: delivery.event,
          url: delivery.url,
          status: delivery.status,
          attempts: attempt ? attempt.number : delivery.attempts,
          ...(attempt
            ? { attempt: attempt.number, status_code: attempt.result.statusCode ?? null, latency_ms: Math.round(attempt.result.latencyMs), error: attempt.result.error?.message ?? null }
            : { next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null, last_error: delivery.last_error }),
        }), delivery.account_id);
      },
    });
    this.recordings = new Recordings({
      store: this.store.resources.recordings,
      dir: recordingsDir(config.dbPath),
      clock,
      onError: (err, id) => this.log.error({ err, recording: id }, 'could not store a recording'),
    });
    this.conferences = new Conferences({
      clock,
      store: this.store.resources.conferences,
      recordings: this.recordings,
      onError: (err, what) => this.log.error({ err, what }, 'could not store a conference change'),
    });
    const deps: EngineDeps = {
      clock,
      store: this.store,
      network: this.callNetwork,
      registry: this.registry,
      activity: this.activity,
      outbox: this.outbox,
      log: this.log,
      media: { playMs: config.media.playMs, speakWordsPerMinute: config.media.speakWordsPerMinute },
      billingIncrementS: config.billingIncrementS,
      nodeId: config.nodeId,
      feed: this.feed,
      facts: this.facts,
      recordings: this.recordings,
      conferences: this.conferences,
    };
    this.apps = { ...this.buildApps(deps), routesInbound: !this.opts.inboundRouter };
    this.endpoints = new Endpoints(this.store.resources.endpoints, this.apps.applications, clock);
    await this.endpoints.load();
    if (this.registrar) this.endpoints.attach(this.registrar);
    const router: InboundRouter = endpointCallRouter(this.endpoints, this.registrar, this.opts.inboundRouter ?? this.apps.routing.router);
    this.calls = new CallService(deps, router);
    await this.simNumbers.load();
    if (!this.cluster) await this.recover();
    const reports = this.reports;
    this.metrics = new EngineMetrics({ facts: this.facts, calls: this.registry, outboxDepth: () => reports.pendingDeliveries(), defaultMetrics: true, storeStatements: () => this.store.statements.snapshot(), ...(this.sipAll ? { sip: () => this.sipAll!.stats() } : {}) });
    this.server = await buildServer(
      {
        credentials: this.credentials,
        ...(this.cluster ? { clusterLiveCalls: () => this.store.listLiveCalls() } : {}),
        accounts: this.accounts,
        clock,
        store: this.store,
        calls: this.calls,
        registry: this.registry,
        activity: this.activity,
        simulator: { network: this.network, numbers: this.simNumbers },
        outbox: this.outbox,
        feed: this.feed,
        version: VERSION,
        apps: this.apps,
        recordings: this.recordings,
        conferences: this.conferences,
        endpoints: { endpoints: this.endpoints, ...(this.registrar ? { registrar: this.registrar } : {}), sipDomain: this.sip ? `${this.sip.address}:${this.sip.port}` : 'switchboard.invalid' },
        ...(reports ? { reports } : {}),
        metrics: this.metrics,
        // The API's URL parameters are checked by this engine's policy (api/params/coerce.ts).
        targets: this.targets,
        limits: {
          ...(config.security.cpsLimit > 0 ? { cps: new WindowLimiter({ limit: config.security.cpsLimit, windowMs: 1000, now: () => Date.now() }) } : {}),
          sseLimit: config.security.sseLimit,
        },
      },
      {
        logError: (err, msg) => this.log.error({ err }, msg),
        accounts: this.accounts,
        ...(config.security.trustProxy !== undefined ? { trustProxy: config.security.trustProxy } : {}),
        frontDoor: {
          failLimit: config.security.authFailLimit,
          failWindowMs: config.security.authFailWindowMs,
          metricsAuth: config.security.metricsAuth,
          onFailure: (f) => {
            this.metrics?.authFailure(f.reason);
            // Never the token; an address already limited is logged once per window by its first 429.
            this.log.warn({ ip: f.ip, reason: f.reason, auth_id: f.authId, method: f.method, route: f.route }, 'authentication failed');
          },
        },
      },
    );
    if (this.cluster && config.cluster && this.store.cluster) {
      // Live-call control for a call another node runs goes to that node (cluster/forward.ts).
      installForwarding(this.server, { nodeId: config.nodeId, secret: config.cluster.secret, store: this.store, cluster: this.store.cluster, registry: this.registry });
      // A new epoch fences whoever ran this node id before; only then are its calls recovered.
      const cluster = this.cluster;
      await cluster.join();
      // Simulator scripts and endpoints are cached per node: a change on one reloads the others.
      this.simNumbers.changed = () => cluster.changed('sim');
      this.endpoints.changed = () => cluster.changed('endpoints');
      cluster.lease.onFenced((why) => {
        // Stops acting at once: nothing more is sent or placed; the survivors own the rest.
        this.outbox.close();
        this.calls.stopAccepting();
        this.fence(why);
      });
      await this.recover();
      cluster.watch();
    }
    this.started = true;
  }

  /** Closes this node's calls that were live when it stopped and resumes what it owed (a cluster node: what it claims). */
  private async recover(): Promise<void> {
    const recovered = await this.calls.recoverInterrupted();
    if (recovered > 0) this.log.warn({ recovered }, 'closed calls that were live when the engine stopped');
    // Not a cluster node: rooms it left open when it stopped are over (they lived in its memory). A dead cluster node's are its takeover's.
    if (!this.cluster) {
      const rooms = await this.store.resources.conferences.closeOpen(this.opts.clock.now(), 'engine-restart');
      if (rooms > 0) this.log.warn({ rooms }, 'closed conferences that were live when the engine stopped');
    }
    await (this.cluster ? this.outbox.resume(await this.cluster.claimOwn()) : this.outbox.resume());
  }

  /** Starts listening; returns the bound port (port 0 picks a free one). */
  async listen(host = this.opts.config.host, port = this.opts.config.port): Promise<number> {
    await this.server.listen({ host, port });
    const addr = this.server.server.address();
    if (typeof addr === 'object' && addr) this.targets.addSelf(addr.address, addr.port);
    if (typeof addr === 'object' && addr) this.recordings.baseUrl = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    if (this.cluster && typeof addr === 'object' && addr) {
      await this.cluster.setAdvertiseUrl(this.opts.config.cluster?.advertiseUrl ?? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`);
    }
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** The engine is idle: no request in flight, no queued work (drives the virtual clock in tests). */
  isIdle = (): boolean => this.activity.idle && !this.outbox.busy;

  /**
   * Drains, then closes everything (docs/cli.md, "Stopping"): /readyz and new calls answer 503 at
   * once and live-feed streams end; live calls may run for up to `graceMs`, and the stop goes on
   * the moment the last one ends; the rest are closed with 8010; the outbox delivers what it can.
   * The HTTP server answers until then, so a client is told 503 rather than refused a connection,
   * and an open stream cannot hold the drain up.
   */
  async stop(graceMs = 0): Promise<void> {
    if (!this.started) {
      await this.store.close();
      return;
    }
    this.started = false;
    this.calls.stopAccepting();
    this.cluster?.drain();
    this.feed.close();
    if (graceMs > 0 && this.registry.size > 0) {
      await this.until(this.registry.whenEmpty(), graceMs, this.graceCut.signal);
    }
    for (const live of this.registry.aLegs()) live.hangup('engine-restart', 'Error');
    await this.until(this.registry.whenEmpty(), 2000);
    await this.outbox.drain(5000);
    await this.server.close();
    this.outbox.close();
    // After the outbox: what it still owes (retries in backoff) is claimed by the others at once.
    await this.cluster?.stop();
    await this.callNetwork.close();
    await this.sender.close();
    await this.flowHttp?.close();
    this.metrics.close();
    await this.store.close();
  }

  /** Ends the grace of a stop under way: live calls are closed with 8010 now (a second SIGTERM). */
  endGrace(): void {
    this.graceCut.abort();
  }

  private readonly graceCut = new AbortController();

  /** Waits for `done`, at most `ms` of real time or until `cut`; leaves no timer behind to hold the process. */
  private async until(done: Promise<void>, ms: number, cut?: AbortSignal): Promise<void> {
    const timer = new AbortController();
    const cutShort = new Promise<void>((resolve) => {
      if (cut?.aborted) resolve();
      cut?.addEventListener('abort', () => resolve(), { once: true });
      timer.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([done, cutShort, wallClock.sleep(ms, timer.signal).catch(() => {})]);
    } finally {
      timer.abort();
    }
  }

  /** Applications, numbers and flows live in the same store as the calls. */
  private buildApps(deps: EngineDeps): ApiContext['apps'] {
    const { apps: appStore, flows: flowStore } = this.store.resources;
    const applications = new Applications(appStore, deps.clock);
    const numbers = new PhoneNumbers(appStore, deps.clock);
    const runner = new FlowRunner({
      clock: deps.clock,
      activity: this.activity,
      store: flowStore,
      log: this.log,
      http: (this.flowHttp = createFlowHttp({ targets: this.targets })),
      // A flow's initiate_call places its call through the same service as the Call API.
      placeCall: (o) => this.calls.placeProgramCall(o),
    });
    const flows = new Flows(flowStore, runner, deps.clock);
    const routing = new InboundRouting({ applications, numbers, flows, log: this.log, inboundAnswerUrl: this.opts.config.inboundAnswerUrl });
    return { applications, numbers, flows, routing };
  }
}
