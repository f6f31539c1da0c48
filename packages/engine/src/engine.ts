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
import { SqliteStore } from './store/sqlite-store.ts';
import { Activity } from './util/activity.ts';
import { newAuthId, newAuthToken } from './util/ids.ts';
import { SimulatedNetwork } from './network/simulated/index.ts';
import type { Network } from './network/network.ts';
import type { SipNetwork } from './network/sip/sip-network.ts';
import { SipNetworks } from './network/sip/sip-networks.ts';
import { listenKey } from './network/sip/trunk.ts';
import { RoutedNetwork } from './network/routed-network.ts';
import { SimulatorNumbers } from './numbers/simulator-numbers.ts';
import { HttpSender } from './webhooks/http-sender.ts';
import { Outbox } from './webhooks/outbox.ts';
import { DEFAULT_BACKOFF } from './webhooks/backoff.ts';
import { Registry } from './calls/registry.ts';
import { CallService, type InboundRouter } from './calls/call-service.ts';
import type { EngineDeps } from './calls/engine-deps.ts';
import { buildServer } from './api/server.ts';
import { LiveFeed } from './events/live-feed.ts';
import type { ApiContext } from './api/api-context.ts';
import { SqliteAppStore } from './store/sqlite-app-store.ts';
import { SqliteFlowStore } from './store/sqlite-flow-store.ts';
import { Applications } from './numbers/applications.ts';
import { PhoneNumbers } from './numbers/phone-numbers.ts';
import { InboundRouting } from './numbers/inbound-router.ts';
import { Flows } from './flows/flow-service.ts';
import { FlowRunner } from './flows/flow-runner.ts';
import { undiciHttp } from './flows/http-client.ts';
import { SqliteReportStore } from './store/sqlite-report-store.ts';
import { EngineMetrics } from './reports/metrics.ts';

const require = createRequire(import.meta.url);
/** Shutdown grace is real time whatever clock the calls run on. */
const wallClock = new RealClock();
export const VERSION: string = (require('../package.json') as { version: string }).version;

export interface EngineOptions {
  config: Config;
  clock: Clock;
  /** Defaults to a SqliteStore at config.dbPath. */
  store?: Store;
  logger?: Logger;
  /** Which application answers an inbound call; defaults to the numbers API (numbers/inbound-router.ts). */
  inboundRouter?: InboundRouter;
}

export class Engine {
  readonly activity = new Activity();
  readonly registry = new Registry();
  readonly feed = new LiveFeed();
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
  credentials!: { authId: string; authToken: string };
  /** Applications, numbers, flows and inbound routing (docs/numbers.md, docs/flows.md). */
  apps!: ApiContext['apps'];
  server!: FastifyInstance;
  /** Dial report rollups and report queries (docs/reports.md); SQLite stores only. */
  readonly reports?: SqliteReportStore;
  metrics!: EngineMetrics;
  private started = false;

  constructor(private readonly opts: EngineOptions) {
    const { config, clock } = opts;
    this.log = opts.logger ?? pino({ level: config.logLevel });
    // 'next-turn': the events and delivery outcomes of everything that happened in one turn of the
    // event loop share one commit (docs/performance.md); Journal holds the clock until it lands.
    this.store = opts.store ?? new SqliteStore(config.dbPath, { groupCommit: 'next-turn' });
    if (this.store instanceof SqliteStore) {
      this.reports = new SqliteReportStore(this.store, { onError: (err, callUuid) => this.log.error({ err, callUuid }, 'could not roll up the call for reports') });
    }
    this.simNumbers = new SimulatorNumbers(this.store, clock);
    this.network = new SimulatedNetwork({
      clock,
      seed: config.sim.seed,
      defaultScript: config.sim.defaultScript,
      networkTimeoutMs: config.sim.networkTimeoutMs,
      scriptFor: this.simNumbers.scriptFor,
    });
    this.callNetwork = this.network;
    if (config.sip) {
      this.sipAll = new SipNetworks({
        clock,
        listen: config.sip.listen,
        trunks: config.sip.trunks,
        ...(config.sip.dns ? { dns: config.sip.dns } : {}),
        acceptFrom: config.sip.acceptFrom ?? [],
        userAgent: `Switchboard/${VERSION}`,
        warn: (msg, data) => this.log.warn(data ?? {}, msg),
      });
      this.sipNetworks = this.sipAll.networks;
      this.sip = this.sipNetworks[0];
      const scriptFor = this.simNumbers.scriptFor;
      this.callNetwork = new RoutedNetwork({ simulated: this.network, sip: this.sipAll, isSimulated: (n) => scriptFor(n) !== undefined });
    }
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
    if (this.sipAll) {
      await this.sipAll.start();
      for (const [i, n] of this.sipNetworks.entries()) {
        const listen = this.opts.config.sip!.listen[i]!;
        const trunks = this.opts.config.sip!.trunks.filter((t) => n.servesTrunk(t)).map((t) => t.name);
        this.log.info({ sip: `${n.address}:${n.port}`, listen: listenKey(listen), ...(listen.name ? { name: listen.name } : {}), trunks }, 'SIP listening');
      }
    }
    this.credentials = await this.resolveCredentials();
    this.sender = new HttpSender({
      authToken: this.credentials.authToken,
      mainAuthToken: this.credentials.authToken,
      userAgent: `Switchboard/${VERSION}`,
      // As many connections per host as the outbox lets requests through at once.
      connections: config.webhooks.perHostConcurrency,
    });
    this.outbox = new Outbox({
      store: this.store,
      sender: this.sender,
      clock,
      activity: this.activity,
      log: this.log,
      backoff: { ...DEFAULT_BACKOFF, retryForMs: config.webhooks.retryForMs, maxTimeoutMs: config.webhooks.maxBackoffMs },
      perHostConcurrency: config.webhooks.perHostConcurrency,
      onChange: ({ delivery, attempt }) =>
        this.feed.publish('delivery', clock.now(), delivery.call_uuid, {
          delivery_id: delivery.id,
          seq: delivery.seq,
          webhook: delivery.kind,
          event: delivery.event,
          url: delivery.url,
          status: delivery.status,
          attempts: delivery.attempts,
          ...(attempt
            ? { attempt: attempt.attempt, status_code: attempt.statusCode ?? null, latency_ms: Math.round(attempt.latencyMs), error: attempt.error?.message ?? null }
            : { next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null, last_error: delivery.last_error }),
        }),
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
    };
    this.apps = { ...this.buildApps(deps), routesInbound: !this.opts.inboundRouter };
    const router: InboundRouter = this.opts.inboundRouter ?? this.apps.routing.router;
    this.calls = new CallService(deps, router);
    await this.simNumbers.load();
    const recovered = await this.calls.recoverInterrupted();
    if (recovered > 0) this.log.warn({ recovered }, 'closed calls that were live when the engine stopped');
    await this.outbox.resume();
    const reports = this.reports;
    this.metrics = new EngineMetrics({ feed: this.feed, calls: this.registry, outboxDepth: () => reports?.pendingDeliveries() ?? 0, defaultMetrics: true });
    this.server = await buildServer(
      {
        credentials: this.credentials,
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
        ...(reports ? { reports } : {}),
        metrics: this.metrics,
      },
      { logError: (err, msg) => this.log.error({ err }, msg) },
    );
    this.started = true;
  }

  /** Starts listening; returns the bound port (port 0 picks a free one). */
  async listen(host = this.opts.config.host, port = this.opts.config.port): Promise<number> {
    await this.server.listen({ host, port });
    const addr = this.server.server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** The engine is idle: no request in flight, no queued work (drives the virtual clock in tests). */
  isIdle = (): boolean => this.activity.idle && !this.outbox.busy;

  /**
   * Stops taking calls, lets live calls run for up to `graceMs`, closes the rest with a recorded
   * cause, flushes the outbox as far as it can, and closes everything.
   */
  async stop(graceMs = 0): Promise<void> {
    if (!this.started) {
      await this.store.close();
      return;
    }
    this.started = false;
    this.calls.stopAccepting();
    await this.server.close();
    if (graceMs > 0 && this.registry.size > 0) {
      await Promise.race([this.registry.whenEmpty(), wallClock.sleep(graceMs)]);
    }
    for (const live of this.registry.aLegs()) live.hangup('engine-restart', 'Error');
    await Promise.race([this.registry.whenEmpty(), wallClock.sleep(2000)]);
    await this.outbox.drain(5000);
    this.outbox.close();
    await this.callNetwork.close();
    await this.sender.close();
    this.metrics.close();
    await this.store.close();
  }

  /** Applications, numbers and flows share the SQLite connection (SqliteStore.shared()). */
  private buildApps(deps: EngineDeps): ApiContext['apps'] {
    if (!(this.store instanceof SqliteStore)) throw new Error('applications, numbers and flows need the SQLite store');
    const shared = this.store.shared();
    const appStore = new SqliteAppStore(shared);
    const applications = new Applications(appStore, deps.clock);
    const numbers = new PhoneNumbers(appStore, deps.clock);
    const runner = new FlowRunner({
      clock: deps.clock,
      activity: this.activity,
      store: new SqliteFlowStore(shared),
      log: this.log,
      http: undiciHttp,
      // A flow's initiate_call places its call through the same service as the Call API.
      placeCall: (o) => this.calls.placeProgramCall(o),
    });
    const flows = new Flows(new SqliteFlowStore(shared), runner, deps.clock);
    const routing = new InboundRouting({ applications, numbers, flows, log: this.log, inboundAnswerUrl: this.opts.config.inboundAnswerUrl });
    return { applications, numbers, flows, routing };
  }

  private async resolveCredentials(): Promise<{ authId: string; authToken: string }> {
    const { config } = this.opts;
    if (config.authId && config.authToken) return { authId: config.authId, authToken: config.authToken };
    let authId = await this.store.getSetting('auth_id');
    let authToken = await this.store.getSetting('auth_token');
    if (!authId || !authToken) {
      authId = newAuthId();
      authToken = newAuthToken();
      await this.store.setSetting('auth_id', authId);
      await this.store.setSetting('auth_token', authToken);
      this.log.info({ authId }, 'generated a development account');
    }
    return { authId, authToken };
  }
}
