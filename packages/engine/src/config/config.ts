/**
 * One typed config from flags, environment and defaults, validated at start with a clear
 * message for each bad value. Flags win over the environment, the environment over defaults.
 */
import { parseDurationText } from './duration.ts';
import { parseListen, parseTrunks, TrunkError, type ListenAddress, type SipTrunk } from '../network/sip/trunk.ts';

export interface Config {
  host: string;
  port: number;
  dbPath: string;
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
  nodeId: string;
  /** SIP trunks (docs/sip.md); absent = every call runs on the simulated network. */
  sip?: {
    listen: ListenAddress;
    /** Several trunks are comma separated; a destination takes the trunk whose `;prefix=` matches. */
    trunks: SipTrunk[];
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

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
} as const;

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

/** Builds the config from parsed flags and an environment (process.env in production). */
export function loadConfig(flags: FlagValues, env: NodeJS.ProcessEnv): Config {
  const pick = (flag: string, envName: string): string | undefined => {
    const f = flags[flag];
    if (typeof f === 'string') return f;
    if (f === true) throw new ConfigError(`--${flag}: needs a value`);
    const e = env[envName];
    return e === undefined || e === '' ? undefined : e;
  };

  const host = pick('host', 'SWITCHBOARD_HOST') ?? DEFAULTS.host;
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(host)) throw new ConfigError(`--host: not a host name or address: "${host}"`);
  const portRaw = pick('port', 'SWITCHBOARD_PORT');
  const port = portRaw === undefined ? DEFAULTS.port : int('--port', portRaw, 0, 65535);
  const dbPath = pick('db', 'SWITCHBOARD_DB') ?? DEFAULTS.dbPath;

  const authId = pick('auth-id', 'SWITCHBOARD_AUTH_ID');
  const authToken = pick('auth-token', 'SWITCHBOARD_AUTH_TOKEN');
  if ((authId === undefined) !== (authToken === undefined)) {
    throw new ConfigError('SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN must be set together (or neither, for a generated development pair)');
  }
  if (authId !== undefined && !/^[A-Za-z0-9]{6,64}$/.test(authId)) {
    throw new ConfigError(`SWITCHBOARD_AUTH_ID: letters and digits only (Plivo's shape is MA + 18), got "${authId}"`);
  }
  if (authToken !== undefined && authToken.length < 8) throw new ConfigError('SWITCHBOARD_AUTH_TOKEN: at least 8 characters');

  const seedRaw = pick('seed', 'SWITCHBOARD_SEED');
  const retryRaw = pick('webhook-retry-for', 'SWITCHBOARD_WEBHOOK_RETRY_FOR');
  const netTimeoutRaw = pick('network-timeout', 'SWITCHBOARD_NETWORK_TIMEOUT');
  const playRaw = pick('play-length', 'SWITCHBOARD_PLAY_LENGTH');
  const billingRaw = pick('billing-increment', 'SWITCHBOARD_BILLING_INCREMENT');
  const perHostRaw = pick('webhook-concurrency', 'SWITCHBOARD_WEBHOOK_CONCURRENCY');
  const logLevel = pick('log-level', 'SWITCHBOARD_LOG_LEVEL') ?? DEFAULTS.logLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`--log-level: one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  const inboundAnswerUrl = pick('inbound-answer-url', 'SWITCHBOARD_INBOUND_ANSWER_URL');
  if (inboundAnswerUrl !== undefined && !/^https?:\/\/\S+$/.test(inboundAnswerUrl)) {
    throw new ConfigError(`--inbound-answer-url: must be an absolute http(s) URL, got "${inboundAnswerUrl}"`);
  }

  const sipListen = pick('sip-listen', 'SWITCHBOARD_SIP_LISTEN');
  const sipTrunk = pick('sip-trunk', 'SWITCHBOARD_SIP_TRUNK');
  let sip: Config['sip'];
  if (sipListen !== undefined || sipTrunk !== undefined) {
    try {
      sip = { listen: parseListen(sipListen ?? '127.0.0.1:5060'), trunks: sipTrunk === undefined ? [] : parseTrunks(sipTrunk) };
    } catch (err) {
      if (err instanceof TrunkError) throw new ConfigError(`${sipTrunk !== undefined && err.message.includes('trunk') ? '--sip-trunk' : '--sip-listen'}: ${err.message}`);
      throw err;
    }
  }

  return {
    sip,
    host,
    port,
    dbPath,
    authId,
    authToken,
    simFile: pick('sim', 'SWITCHBOARD_SIM_FILE'),
    sim: {
      seed: seedRaw === undefined ? DEFAULTS.seed : int('--seed', seedRaw, 0, 2 ** 31 - 1),
      defaultScript: pick('default-script', 'SWITCHBOARD_DEFAULT_SCRIPT') ?? DEFAULTS.defaultScript,
      networkTimeoutMs: netTimeoutRaw === undefined ? DEFAULTS.networkTimeoutMs : duration('--network-timeout', netTimeoutRaw),
    },
    webhooks: {
      retryForMs: retryRaw === undefined ? DEFAULTS.retryForMs : duration('--webhook-retry-for', retryRaw),
      maxBackoffMs: DEFAULTS.maxBackoffMs,
      perHostConcurrency: perHostRaw === undefined ? DEFAULTS.perHostConcurrency : int('--webhook-concurrency', perHostRaw, 1, 10_000),
    },
    media: {
      playMs: playRaw === undefined ? DEFAULTS.playMs : duration('--play-length', playRaw),
      speakWordsPerMinute: DEFAULTS.speakWordsPerMinute,
    },
    billingIncrementS: billingRaw === undefined ? DEFAULTS.billingIncrementS : int('--billing-increment', billingRaw, 1, 3600),
    inboundAnswerUrl,
    logLevel,
    nodeId: env.SWITCHBOARD_NODE_ID ?? 'node-1',
  };
}
