/**
 * One typed config from flags, environment, the config file and defaults, validated at start with
 * a clear message for each bad value. Flags win over the environment, the environment over the
 * file, the file over defaults.
 */
import { availableParallelism, hostname } from 'node:os';
import { parseDurationText } from './duration.ts';
import { isPostgresUrl } from '../store/pg-connection.ts';
import { ConfigError } from './errors.ts';
import { checkCidr, checkSip, fileFlagValue, fileTopLevel, JsonPath, parseFileSip, type ConfigFile, type FileSip } from './config-file.ts';
import { parseTargetRules } from '../webhooks/target-policy.ts';
import { parseListens, parseTrunks, TrunkError, type ListenAddress, type SipTrunk } from '../network/sip/trunk.ts';

export { ConfigError } from './errors.ts';
export { readConfigFile, type ConfigFile } from './config-file.ts';

export interface Config {
  host: string;
  port: number;
  dbPath: string;
  /**
   * `--sqlite-thread`: SQLite's group commits run on a writer thread of their own
   * (store/sqlite-writer.ts). On by default where there are cores for it (SQLITE_THREAD_MIN_CORES).
   */
  sqliteThread: boolean;
  /**
   * `--commit-interval`: on SQLite, the least time from one group commit's start to the next's, so
   * that under a moderate load small groups share a commit (store/group-commit.ts): less CPU for at
   * most that much more latency. 0 (the default) commits every turn.
   */
  commitIntervalMs: number;
  authId?: string;
  authToken?: string;
  /** File of simulated numbers: JSON `{ "+15550001": "ring 2s, answer" }`. */
  simFile?: string;
  sim: {
    seed: number;
    defaultScript: string;
    /** How long a `timeout` number stays silent before RECOVERY_ON_TIMER_EXPIRE (engine.md §4, S12). */
    networkTimeoutMs: number;
  };
  webhooks: {
    /** Beyond Plivo's per-URL policy, how long the outbox keeps retrying a notification (engine.md §3); 0 = never. */
    retryForMs: number;
    maxBackoffMs: number;
    /** Requests in flight to one host at once, so one slow receiver cannot stall the others. */
    perHostConcurrency: number;
    /** `--webhook-allow`: when not empty, only these CIDRs / host names are fetched (webhooks/target-policy.ts). */
    allow: string[];
    /** `--webhook-deny`: CIDRs / host names never fetched; deny wins over allow. */
    deny: string[];
    /** `--webhook-thread`: the HTTP work of webhooks runs on a thread of its own (webhooks/http-thread.ts). */
    thread: boolean;
  };
  media: {
    /** How long a `<Play>` of unknown length lasts on the simulated network. */
    playMs: number;
    /** Speech rate of `<Speak>`, words per minute. */
    speakWordsPerMinute: number;
  };
  /** Billing increment for BillDuration (engine.md §1). */
  billingIncrementS: number;
  /** answer_url for inbound test calls to numbers that have no application (issue-2 default app). */
  inboundAnswerUrl?: string;
  logLevel: string;
  /** This node's id: names the live calls it runs (recovery, takeover: docs/scaling.md). */
  nodeId: string;
  /**
   * Several nodes on one PostgreSQL (docs/scaling.md); absent = one node, as on SQLite. On only
   * with a postgres:// `--db` and a `--cluster-secret`.
   */
  cluster?: {
    /** The URL other nodes forward live-call control to (`--advertise-url`); absent = the bound address. */
    advertiseUrl?: string;
    /** How long a heartbeat keeps the node alive (`--node-lease`). */
    leaseMs: number;
    /** Authenticates the nodes' internal requests to each other (`--cluster-secret`). */
    secret: string;
  };
  /** On SIGTERM/SIGINT, how long live calls may go on before they are closed. */
  graceMs: number;
  /** The front door's limits (docs/security.md). */
  security: {
    /** Failed authentications one client address may make per `authFailWindowMs`; 0 = no limit. */
    authFailLimit: number;
    authFailWindowMs: number;
    /** Calls per second one account may place (Plivo's per-account CPS); 0 = no limit. */
    cpsLimit: number;
    /** `/metrics` needs the main account's credentials too. */
    metricsAuth: boolean;
    /** Live-feed (SSE) connections one account may hold open at once. */
    sseLimit: number;
    /** Fastify's `trustProxy`: addresses of proxies whose X-Forwarded-For names the client; absent = none. */
    trustProxy?: string;
  };
  /** SIP trunks (docs/sip.md); absent = every call runs on the simulated network. */
  sip?: {
    /** One SIP network per address; trunks without `listen` leave from the first. */
    listen: ListenAddress[];
    /** A destination takes the trunk with the longest matching prefix, else one without prefixes. */
    trunks: SipTrunk[];
    /** RFC 3263 resolution of trunk host names: DNS servers (default the system's) and refresh bound. */
    dns?: { servers?: string[]; refreshMs?: number };
    /** Networks (CIDRs) INVITEs are taken from besides the trunks' own addresses (docs/security.md, "SIP"). */
    acceptFrom?: string[];
    /** UDP receive and send buffers, bytes (`sip.udpBuffer`); absent = 4 MiB. */
    udpBuffer?: number;
  };
}

/**
 * The SQLite writer thread is on by default from this many cores: it moves the store's work off
 * the engine's thread but costs a little more CPU in all (the messages, a second thread waking), so
 * it pays where a core is free for it besides the engine's and the webhook thread's. Measured on 2
 * cores (docs/performance.md, "The store's writer thread"), it cut the engine thread's CPU per call
 * by a quarter to a third, and lost SIP throughput to the load generators sharing the cores.
 */
export const SQLITE_THREAD_MIN_CORES = 4;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dbPath: './data/switchboard.db',
  seed: 1,
  defaultScript: 'ring 1s, answer, hangup after 30s',
  networkTimeoutMs: 32_000,
  retryForMs: 24 * 3600_000,
  maxBackoffMs: 600_000,
  perHostConcurrency: 32,
  playMs: 5_000,
  speakWordsPerMinute: 150,
  billingIncrementS: 60,
  logLevel: 'info',
  graceMs: 30_000,
  authFailLimit: 10,
  authFailWindowMs: 60_000,
  sseLimit: 10,
  sipListen: '127.0.0.1:5060',
  nodeId: 'node-1',
  nodeLeaseMs: 10_000,
  commitIntervalMs: 0,
} as const;

/** A longer commit interval would only add latency: a busy engine's commits come closer than this. */
const MAX_COMMIT_INTERVAL_MS = 100;

export type FlagValues = Record<string, string | boolean | undefined>;

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name}: must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

function duration(name: string, raw: string): number {
  const ms = parseDurationText(raw);
  if (ms === undefined) throw new ConfigError(`${name}: must be a duration like 30s, 10m, 24h or a number of seconds, got "${raw}"`);
  return ms;
}

/**
 * Builds the config from parsed flags, an environment (process.env in production) and the parsed
 * config file, if any (readConfigFile).
 */
export function loadConfig(flags: FlagValues, env: NodeJS.ProcessEnv, file?: ConfigFile): Config {
  const data = file ? fileTopLevel(file) : {};
  const root = new JsonPath(file?.name ?? 'config');
  /** The value and the name a message gives it: `--port` for a flag or variable, `config.json: port` for the file. */
  const source = (flag: string, envName: string | undefined): { value: string; label: string } | undefined => {
    const f = flags[flag];
    if (typeof f === 'string') return { value: f, label: `--${flag}` };
    if (f === true) throw new ConfigError(`--${flag}: needs a value`);
    const e = envName === undefined ? undefined : env[envName];
    if (e !== undefined && e !== '') return { value: e, label: `--${flag}` };
    const v = file ? fileFlagValue(data, flag, root) : undefined;
    return v === undefined ? undefined : { value: v, label: `${root.key(flag)}` };
  };
  const pick = (flag: string, envName?: string): string | undefined => source(flag, envName)?.value;
  const intOf = (flag: string, envName: string | undefined, fallback: number, min: number, max: number): number => {
    const s = source(flag, envName);
    return s === undefined ? fallback : int(s.label, s.value, min, max);
  };
  const durationOf = (flag: string, envName: string | undefined, fallback: number): number => {
    const s = source(flag, envName);
    return s === undefined ? fallback : duration(s.label, s.value);
  };

  /** A switch: `--flag` alone, or true/false/1/0/yes/no from a flag, the environment or the file. */
  const bool = (flag: string, envName: string, byDefault = false): boolean => {
    if (flags[flag] === true) return true;
    const s = source(flag, envName);
    if (s === undefined) return byDefault;
    const v = s.value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(`${s.label}: true or false, got "${s.value}"`);
  };

  /** A comma-separated list of CIDRs and host names (webhooks/target-policy.ts), checked here. */
  const targetList = (flag: string, envName: string): string[] => {
    const s = source(flag, envName);
    if (s === undefined) return [];
    try {
      return [...parseTargetRules(s.value).text];
    } catch (err) {
      throw new ConfigError(`${s.label}: ${(err as Error).message}`);
    }
  };

  const hostSrc = source('host', 'SWITCHBOARD_HOST');
  const host = hostSrc?.value ?? DEFAULTS.host;
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(host)) throw new ConfigError(`${hostSrc!.label}: not a host name or address: "${host}"`);
  const port = intOf('port', 'SWITCHBOARD_PORT', DEFAULTS.port, 0, 65535);
  const dbPath = pick('db', 'SWITCHBOARD_DB') ?? DEFAULTS.dbPath;

  const idSrc = source('auth-id', 'SWITCHBOARD_AUTH_ID');
  const tokenSrc = source('auth-token', 'SWITCHBOARD_AUTH_TOKEN');
  const authId = idSrc?.value;
  const authToken = tokenSrc?.value;
  const inFile = (s: { label: string } | undefined) => s === undefined || !s.label.startsWith('--');
  const authLabel = (s: { label: string } | undefined, envName: string) => (s && !s.label.startsWith('--') ? s.label : envName);
  if ((authId === undefined) !== (authToken === undefined)) {
    throw new ConfigError(
      inFile(idSrc) && inFile(tokenSrc)
        ? `${root}: auth-id and auth-token must be set together (or neither, for a generated development pair)`
        : 'SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN must be set together (or neither, for a generated development pair)',
    );
  }
  if (authId !== undefined && !/^[A-Za-z0-9]{6,64}$/.test(authId)) {
    throw new ConfigError(`${authLabel(idSrc, 'SWITCHBOARD_AUTH_ID')}: letters and digits only (Plivo's shape is MA + 18), got "${authId}"`);
  }
  if (authToken !== undefined && authToken.length < 8) throw new ConfigError(`${authLabel(tokenSrc, 'SWITCHBOARD_AUTH_TOKEN')}: at least 8 characters`);

  const logSrc = source('log-level', 'SWITCHBOARD_LOG_LEVEL');
  const logLevel = logSrc?.value ?? DEFAULTS.logLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`${logSrc!.label}: one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  const answerSrc = source('inbound-answer-url', 'SWITCHBOARD_INBOUND_ANSWER_URL');
  const inboundAnswerUrl = answerSrc?.value;
  if (inboundAnswerUrl !== undefined && !/^https?:\/\/\S+$/.test(inboundAnswerUrl)) {
    throw new ConfigError(`${answerSrc!.label}: must be an absolute http(s) URL, got "${inboundAnswerUrl}"`);
  }

  const commitIntervalMs = durationOf('commit-interval', 'SWITCHBOARD_COMMIT_INTERVAL', DEFAULTS.commitIntervalMs);
  if (commitIntervalMs > MAX_COMMIT_INTERVAL_MS) {
    throw new ConfigError(`${source('commit-interval', 'SWITCHBOARD_COMMIT_INTERVAL')!.label}: at most ${MAX_COMMIT_INTERVAL_MS}ms, got ${commitIntervalMs}ms (a number alone is seconds: write 2ms)`);
  }

  const { nodeId, cluster } = clusterConfig(source, durationOf, dbPath, port);

  return {
    sip: sipConfig(pick('sip-listen', 'SWITCHBOARD_SIP_LISTEN'), pick('sip-trunk', 'SWITCHBOARD_SIP_TRUNK'), pick('sip-accept-from', 'SWITCHBOARD_SIP_ACCEPT_FROM'), file && data.sip !== undefined ? parseFileSip(data.sip, root.key('sip')) : undefined, root.key('sip')),
    host,
    port,
    dbPath,
    sqliteThread: bool('sqlite-thread', 'SWITCHBOARD_SQLITE_THREAD', availableParallelism() >= SQLITE_THREAD_MIN_CORES),
    commitIntervalMs,
    authId,
    authToken,
    simFile: pick('sim', 'SWITCHBOARD_SIM_FILE'),
    sim: {
      seed: intOf('seed', 'SWITCHBOARD_SEED', DEFAULTS.seed, 0, 2 ** 31 - 1),
      defaultScript: pick('default-script', 'SWITCHBOARD_DEFAULT_SCRIPT') ?? DEFAULTS.defaultScript,
      networkTimeoutMs: durationOf('network-timeout', 'SWITCHBOARD_NETWORK_TIMEOUT', DEFAULTS.networkTimeoutMs),
    },
    webhooks: {
      retryForMs: durationOf('webhook-retry-for', 'SWITCHBOARD_WEBHOOK_RETRY_FOR', DEFAULTS.retryForMs),
      maxBackoffMs: DEFAULTS.maxBackoffMs,
      perHostConcurrency: intOf('webhook-concurrency', 'SWITCHBOARD_WEBHOOK_CONCURRENCY', DEFAULTS.perHostConcurrency, 1, 10_000),
      allow: targetList('webhook-allow', 'SWITCHBOARD_WEBHOOK_ALLOW'),
      deny: targetList('webhook-deny', 'SWITCHBOARD_WEBHOOK_DENY'),
      thread: bool('webhook-thread', 'SWITCHBOARD_WEBHOOK_THREAD', true),
    },
    media: {
      playMs: durationOf('play-length', 'SWITCHBOARD_PLAY_LENGTH', DEFAULTS.playMs),
      speakWordsPerMinute: DEFAULTS.speakWordsPerMinute,
    },
    billingIncrementS: intOf('billing-increment', 'SWITCHBOARD_BILLING_INCREMENT', DEFAULTS.billingIncrementS, 1, 3600),
    inboundAnswerUrl,
    logLevel,
    nodeId,
    ...(cluster ? { cluster } : {}),
    graceMs: durationOf('grace', 'SWITCHBOARD_GRACE', DEFAULTS.graceMs),
    security: {
      authFailLimit: intOf('auth-fail-limit', 'SWITCHBOARD_AUTH_FAIL_LIMIT', DEFAULTS.authFailLimit, 0, 1_000_000),
      authFailWindowMs: durationOf('auth-fail-window', 'SWITCHBOARD_AUTH_FAIL_WINDOW', DEFAULTS.authFailWindowMs),
      cpsLimit: intOf('cps-limit', 'SWITCHBOARD_CPS_LIMIT', 0, 0, 1_000_000),
      metricsAuth: bool('metrics-auth', 'SWITCHBOARD_METRICS_AUTH'),
      sseLimit: intOf('sse-limit', 'SWITCHBOARD_SSE_LIMIT', DEFAULTS.sseLimit, 1, 100_000),
      trustProxy: pick('trust-proxy', 'SWITCHBOARD_TRUST_PROXY'),
    },
  };
}

type Source = (flag: string, envName: string | undefined) => { value: string; label: string } | undefined;

/**
 * `--node-id`, `--advertise-url`, `--node-lease`, `--cluster-secret` (docs/scaling.md). The cluster
 * is on with a postgres:// `--db` and a secret; a node id not given is `node-1` alone (as before:
 * recovery finds the calls of the last run) and `<hostname>:<port>` in a cluster, stable across
 * restarts of the same node, so a restarted node recovers its own calls.
 */
function clusterConfig(source: Source, durationOf: (flag: string, envName: string | undefined, fallback: number) => number, dbPath: string, port: number): Pick<Config, 'nodeId' | 'cluster'> {
  const idSrc = source('node-id', 'SWITCHBOARD_NODE_ID');
  if (idSrc !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/.test(idSrc.value)) {
    throw new ConfigError(`${idSrc.label}: letters, digits and . _ : @ - (at most 100), got "${idSrc.value}"`);
  }
  const urlSrc = source('advertise-url', 'SWITCHBOARD_ADVERTISE_URL');
  if (urlSrc !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(urlSrc.value)) {
    throw new ConfigError(`${urlSrc.label}: an http(s) URL with no path, like http://10.0.0.5:8080, got "${urlSrc.value}"`);
  }
  const leaseMs = durationOf('node-lease', 'SWITCHBOARD_NODE_LEASE', DEFAULTS.nodeLeaseMs);
  if (leaseMs < 1000 || leaseMs > 600_000) throw new ConfigError(`${source('node-lease', 'SWITCHBOARD_NODE_LEASE')!.label}: between 1s and 10m, got ${leaseMs} ms`);
  const secretSrc = source('cluster-secret', 'SWITCHBOARD_CLUSTER_SECRET');
  if (secretSrc !== undefined && secretSrc.value.length < 16) throw new ConfigError(`${secretSrc.label}: at least 16 characters`);
  if (secretSrc === undefined || !isPostgresUrl(dbPath)) {
    if (secretSrc !== undefined) throw new ConfigError(`${secretSrc.label}: several nodes need a shared PostgreSQL database (--db postgres://...), not a SQLite file`);
    return { nodeId: idSrc?.value ?? DEFAULTS.nodeId };
  }
  if (idSrc === undefined && port === 0) throw new ConfigError('--node-id: needed in a cluster when --port is 0 (the default id is <hostname>:<port>)');
  return {
    nodeId: idSrc?.value ?? `${hostname()}:${port}`,
    cluster: { leaseMs, secret: secretSrc.value, ...(urlSrc ? { advertiseUrl: urlSrc.value.replace(/\/$/, '') } : {}) },
  };
}

/**
 * `--sip-listen` / `--sip-trunk` (flag or environment) replace the file's `sip.listen` /
 * `sip.trunks`; SIP is on when any of them, or the file's `sip` object, is there.
 */
function sipConfig(listenText: string | undefined, trunkText: string | undefined, acceptText: string | undefined, fileSip: FileSip | undefined, at: JsonPath): Config['sip'] {
  if (listenText === undefined && trunkText === undefined && fileSip === undefined) return undefined;
  const parsed = <T>(label: string, parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      if (err instanceof TrunkError) throw new ConfigError(`${label}: ${err.message}`);
      throw err;
    }
  };
  const listen = listenText !== undefined ? parsed('--sip-listen', () => parseListens(listenText)) : (fileSip?.listen ?? parsed('--sip-listen', () => parseListens(DEFAULTS.sipListen)));
  const trunks = trunkText !== undefined ? parsed('--sip-trunk', () => parseTrunks(trunkText)) : (fileSip?.trunks ?? []);
  checkSip(listen, trunks, at, trunkText === undefined && fileSip?.trunks !== undefined, listenText !== undefined);
  // --sip-accept-from replaces the file's list, as --sip-trunk replaces its trunks.
  const acceptFrom =
    acceptText !== undefined ? acceptText.split(',').map((c) => c.trim()).filter(Boolean).map((c) => checkCidr(c, new JsonPath('--sip-accept-from'))) : (fileSip?.acceptFrom ?? []);
  return { listen, trunks, ...(acceptFrom.length > 0 ? { acceptFrom } : {}), ...(fileSip?.udpBuffer !== undefined ? { udpBuffer: fileSip.udpBuffer } : {}), ...(fileSip?.dns ? { dns: fileSip.dns } : {}) };
}
