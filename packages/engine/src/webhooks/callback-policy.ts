/**
 * Per-URL webhook timeouts and retries, read from Plivo's `#ct=&rt=&tt=&rc=&rp=&er=` URL fragment
 * (plivo.md §2.1, engine.md §3). The fragment never reaches the wire and is not part of the signed
 * URL, so parsing also strips it. Bad values never fail a call: they are clamped or ignored, and a
 * warning names the key so the app developer can see why their setting did not apply.
 */

export type RetryTrigger = '4xx' | '5xx' | 'ct' | 'rt';

export interface CallbackPolicy {
  /** TCP connect timeout, ms (`ct`, 100-10000, default 2000). */
  readonly connectTimeoutMs: number;
  /** Read timeout: first byte and between packets, ms (`rt`, 100-40000, default 40000). */
  readonly readTimeoutMs: number;
  /** Total time on this URL including retries, ms (`tt`, 100-55000, default 55000). */
  readonly totalTimeoutMs: number;
  /** Retries on the same URL after the first attempt (`rc`, 0-5, default 1). */
  readonly retries: number;
  /** Which failures are retried (`rp`, default `ct,rt`; `all` = all four). */
  readonly retryOn: ReadonlySet<RetryTrigger>;
}

export interface ParsedCallbackUrl {
  /** The URL exactly as configured, minus the `#...` fragment. */
  readonly url: string;
  readonly policy: CallbackPolicy;
  /** One line per fragment setting that was clamped, ignored or not understood. */
  readonly warnings: string[];
}

interface NumericKey {
  readonly field: 'connectTimeoutMs' | 'readTimeoutMs' | 'totalTimeoutMs' | 'retries';
  readonly min: number;
  readonly max: number;
}

// plivo.md §2.1, the table of fragment keys.
const NUMERIC_KEYS: Readonly<Record<string, NumericKey>> = {
  ct: { field: 'connectTimeoutMs', min: 100, max: 10000 },
  rt: { field: 'readTimeoutMs', min: 100, max: 40000 },
  tt: { field: 'totalTimeoutMs', min: 100, max: 55000 },
  rc: { field: 'retries', min: 0, max: 5 },
};

const RETRY_TRIGGERS: readonly RetryTrigger[] = ['4xx', '5xx', 'ct', 'rt'];

// `er` picks a Plivo edge region; a single engine has one, so the value is accepted and ignored.
const EDGE_REGIONS = new Set(['nearest', 'local', 'n_california', 'n_virginia', 'frankfurt', 'singapore', 'mumbai']);

/** Plivo's defaults (plivo.md §2.1). */
export const DEFAULT_CALLBACK_POLICY: CallbackPolicy = Object.freeze({
  connectTimeoutMs: 2000,
  readTimeoutMs: 40000,
  totalTimeoutMs: 55000,
  retries: 1,
  retryOn: new Set<RetryTrigger>(['ct', 'rt']) as ReadonlySet<RetryTrigger>,
});

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parseRetryOn(raw: string, warnings: string[]): ReadonlySet<RetryTrigger> | undefined {
  const out = new Set<RetryTrigger>();
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase())) {
    if (item === '') continue;
    if (item === 'all') RETRY_TRIGGERS.forEach((t) => out.add(t));
    else if ((RETRY_TRIGGERS as readonly string[]).includes(item)) out.add(item as RetryTrigger);
    else warnings.push(`callback URL fragment: rp contains unknown value "${item}" (expected 4xx, 5xx, ct, rt or all); ignored`);
  }
  if (out.size === 0) {
    warnings.push(`callback URL fragment: rp="${raw}" names no retry condition; using the default ct,rt`);
    return undefined;
  }
  return out;
}

/**
 * Splits a callback URL into the URL to request and its delivery policy.
 * Never throws: every problem in the fragment becomes a warning and the default for that key.
 *
 * @example
 * parseCallbackUrl('https://app.example/hangup?x=1#ct=2500&rc=3&rp=5xx')
 * // { url: 'https://app.example/hangup?x=1', policy: { connectTimeoutMs: 2500, retries: 3, ... }, warnings: [] }
 */
export function parseCallbackUrl(url: string): ParsedCallbackUrl {
  const hash = url.indexOf('#');
  const warnings: string[] = [];
  if (hash < 0) return { url, policy: DEFAULT_CALLBACK_POLICY, warnings };

  const base = url.slice(0, hash);
  const fragment = url.slice(hash + 1);
  const numbers: Record<NumericKey['field'], number> = {
    connectTimeoutMs: DEFAULT_CALLBACK_POLICY.connectTimeoutMs,
    readTimeoutMs: DEFAULT_CALLBACK_POLICY.readTimeoutMs,
    totalTimeoutMs: DEFAULT_CALLBACK_POLICY.totalTimeoutMs,
    retries: DEFAULT_CALLBACK_POLICY.retries,
  };
  let retryOn = DEFAULT_CALLBACK_POLICY.retryOn;

  for (const pair of fragment.split('&')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1)).trim();

    const numeric = NUMERIC_KEYS[key];
    if (numeric) {
      if (!/^\d+$/.test(value)) {
        warnings.push(`callback URL fragment: ${key}="${value}" is not a whole number; using the default ${numbers[numeric.field]}`);
        continue;
      }
      const n = Number(value);
      if (n < numeric.min || n > numeric.max) {
        const clamped = Math.min(numeric.max, Math.max(numeric.min, n));
        warnings.push(`callback URL fragment: ${key}=${value} is outside ${numeric.min}-${numeric.max}; using ${clamped}`);
        numbers[numeric.field] = clamped;
      } else {
        numbers[numeric.field] = n;
      }
    } else if (key === 'rp') {
      retryOn = parseRetryOn(value, warnings) ?? DEFAULT_CALLBACK_POLICY.retryOn;
    } else if (key === 'er') {
      if (!EDGE_REGIONS.has(value.toLowerCase())) {
        warnings.push(`callback URL fragment: er="${value}" is not a known edge region; ignored`);
      }
    } else {
      warnings.push(`callback URL fragment: unknown key "${key}" (expected ct, rt, tt, rc, rp or er); ignored`);
    }
  }

  return { url: base, policy: Object.freeze({ ...numbers, retryOn }), warnings };
}

/** True for an absolute `http:` or `https:` URL with a host (the fragment, if any, is allowed). */
export function isValidCallbackUrl(url: string): boolean {
  if (typeof url !== 'string' || url.trim() !== url || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
}
