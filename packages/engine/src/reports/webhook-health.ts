/**
 * Webhook health per URL host (docs/reports.md): requests sent, the share answered 2xx, retries
 * (attempts after a delivery's first), deliveries that went dead, and latency percentiles — over
 * attempts sent in a time range.
 */
import { formatTime } from '../util/time.ts';
import { percentile } from './dial-report.ts';
import type { AttemptStatsRow } from '../store/report-store.ts';

export interface HealthSource {
  attemptStats(from: number, to: number): Promise<AttemptStatsRow[]>;
  deadDeliveries(from: number, to: number): Promise<Array<{ url: string; n: number }>>;
}

export interface HostHealth {
  host: string;
  requests: number;
  succeeded: number;
  /** succeeded / requests, 4 decimals; null without requests. */
  success_rate: number | null;
  retries: number;
  dead: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

/** `host:port` of a URL; a URL that does not parse is reported under itself rather than dropped. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export async function webhookHealth(source: HealthSource, from: number, to: number): Promise<{ start: string; end: string; hosts: HostHealth[] }> {
  const byHost = new Map<string, { requests: number; ok: number; retries: number; dead: number; latency: Record<string, number> }>();
  const entry = (host: string) => {
    let e = byHost.get(host);
    if (!e) byHost.set(host, (e = { requests: 0, ok: 0, retries: 0, dead: 0, latency: {} }));
    return e;
  };
  for (const r of await source.attemptStats(from, to)) {
    const e = entry(hostOf(r.url));
    e.requests += r.n;
    e.ok += r.ok;
    e.retries += r.retries;
    if (r.latency_ms !== null) e.latency[r.latency_ms] = (e.latency[r.latency_ms] ?? 0) + r.n;
  }
  for (const d of await source.deadDeliveries(from, to)) entry(hostOf(d.url)).dead += d.n;
  const hosts = [...byHost.entries()]
    .map(([host, e]) => ({
      host,
      requests: e.requests,
      succeeded: e.ok,
      success_rate: e.requests === 0 ? null : Math.round((e.ok / e.requests) * 10_000) / 10_000,
      retries: e.retries,
      dead: e.dead,
      latency_ms: { p50: percentile(e.latency, 0.5), p95: percentile(e.latency, 0.95), p99: percentile(e.latency, 0.99) },
    }))
    .sort((a, b) => b.requests - a.requests || (a.host < b.host ? -1 : 1));
  return { start: formatTime(from), end: formatTime(to), hosts };
}
