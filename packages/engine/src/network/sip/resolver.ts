/**
 * Where a trunk's INVITEs go (RFC 3263 §4, without NAPTR): an address is used as it is (port
 * 5060 when none is given); a host name with a port is looked up as A, then AAAA; a host name
 * without one is looked up as SRV `_sip._udp.HOST` (`_sip._tcp` for TCP), falling back to A/AAAA
 * on 5060 when the name has no SRV records. Each call gets its own ordering of every address
 * (RFC 3263 §4.3): SRV targets by priority, then a weighted draw among equals (RFC 2782), each
 * target's addresses in turn; the leg tries them in that order until one does not fail. Answers
 * are kept until their TTL runs out, at most `refreshMs` (node:dns does not report an SRV record's
 * own TTL, so an SRV answer lives as long as its targets' addresses), and then resolved again in
 * the background, so a carrier that moves is followed without a restart and no call waits for DNS.
 */
import { Resolver, lookup } from 'node:dns/promises';
import type { Clock, Timer } from '../../clock.ts';
import type { Peer } from './transport.ts';
import { isAddress, TrunkError, type SipTrunk } from './trunk.ts';

export interface TrunkResolverOptions {
  readonly clock: Clock;
  /** DNS servers (`ADDRESS` or `ADDRESS:PORT`); absent = the system's, with /etc/hosts as a last resort. */
  readonly servers?: readonly string[];
  /** The longest an answer is kept before it is resolved again. */
  readonly refreshMs?: number;
  /** How long one DNS query may take. */
  readonly timeoutMs?: number;
  readonly warn?: (msg: string, data?: Record<string, unknown>) => void;
  /** For the weighted choice among SRV targets. */
  readonly random?: () => number;
}

export const DEFAULT_DNS_REFRESH_MS = 300_000;
/** A failed refresh that left the last answer in place is tried again this soon. */
const RETRY_MS = 30_000;
/** A TTL of 0 must not turn into a query loop. */
const MIN_TTL_MS = 1_000;

/** One SRV record (or the A/AAAA answer for a name without SRV), with every address its name has. */
interface Target {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

interface Entry {
  trunk: SipTrunk;
  /** Empty: DNS said the name does not exist (calls on the trunk fail until it does again). */
  targets: Target[];
  expiresAt: number;
  timer?: Timer;
  refreshing?: Promise<void>;
}

/** The DNS said "no such name / no such record" (as opposed to not answering). */
const NO_DATA = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);
const isNoData = (err: unknown) => NO_DATA.has((err as { code?: string }).code ?? '');

class Unresolvable extends Error {}

export class TrunkResolver {
  private readonly dns: Resolver;
  private readonly entries = new Map<string, Entry>();
  private readonly refreshMs: number;
  private closed = false;
  /** DNS servers were given: answers come from them alone. */
  private readonly custom: boolean;

  constructor(private readonly opts: TrunkResolverOptions) {
    this.refreshMs = opts.refreshMs ?? DEFAULT_DNS_REFRESH_MS;
    this.dns = new Resolver({ timeout: opts.timeoutMs ?? 2_000, tries: 2 });
    this.custom = (opts.servers?.length ?? 0) > 0;
    if (this.custom) this.dns.setServers([...opts.servers!]);
  }

  /** Resolves every trunk that needs DNS; a trunk that does not resolve is a TrunkError naming it. */
  async prepare(trunks: readonly SipTrunk[]): Promise<void> {
    for (const trunk of trunks) {
      if (isAddress(trunk.host)) continue;
      const key = keyOf(trunk);
      if (this.entries.has(key)) continue;
      let found: { targets: Target[]; ttlMs: number };
      try {
        found = await this.lookupTrunk(trunk);
      } catch (err) {
        throw new TrunkError(`trunk "${trunk.name}": cannot resolve ${trunk.host} (${describe(trunk)}): ${(err as Error).message}`);
      }
      const entry: Entry = { trunk, targets: found.targets, expiresAt: 0 };
      this.entries.set(key, entry);
      this.settle(entry, found.ttlMs);
    }
  }

  /**
   * Where the next INVITE on this trunk goes, in the order to try them (RFC 3263 §4.3): empty when
   * its name no longer resolves. Never waits: an answer past its time is used once more while a
   * fresh one is fetched.
   */
  peers(trunk: SipTrunk): Peer[] {
    if (isAddress(trunk.host)) return [{ transport: trunk.transport, address: trunk.host.replace(/^\[|\]$/g, ''), port: trunk.port ?? 5060 }];
    const entry = this.entries.get(keyOf(trunk));
    if (!entry) return [];
    if (this.opts.clock.now() >= entry.expiresAt) void this.refresh(entry);
    return srvOrder(entry.targets, this.opts.random ?? Math.random).flatMap((t) => t.addresses.map((address) => ({ transport: trunk.transport, address, port: t.port })));
  }

  /** Every address the trunk has now, unordered, without refreshing: who may send us its INVITEs (access.ts). */
  addressesOf(trunk: SipTrunk): string[] {
    if (isAddress(trunk.host)) return [trunk.host.replace(/^\[|\]$/g, '')];
    return this.entries.get(keyOf(trunk))?.targets.flatMap((t) => t.addresses) ?? [];
  }

  /** Where the trunk's INVITEs go now, as `address:port`, without refreshing: for status and tests. */
  targetsOf(trunk: SipTrunk): string[] {
    if (isAddress(trunk.host)) return this.peers(trunk).map((p) => `${p.address}:${p.port}`);
    return this.entries.get(keyOf(trunk))?.targets.flatMap((t) => t.addresses.map((a) => `${a}:${t.port}`)) ?? [];
  }

  /** The first of `peers`. */
  pick(trunk: SipTrunk): Peer | undefined {
    return this.peers(trunk)[0];
  }

  /** Resolves a trunk again (the refresh timer does this at each answer's expiry). */
  private refresh(entry: Entry): Promise<void> {
    if (this.closed) return Promise.resolve();
    entry.refreshing ??= this.lookupTrunk(entry.trunk)
      .then(
        (found) => {
          entry.targets = found.targets;
          this.settle(entry, found.ttlMs);
        },
        (err: unknown) => {
          if (err instanceof Unresolvable) {
            // The DNS answered that the name is gone: calls on the trunk fail until it is back.
            if (entry.targets.length > 0) this.opts.warn?.('SIP trunk no longer resolves', { trunk: entry.trunk.name, host: entry.trunk.host, err: err.message });
            entry.targets = [];
            this.settle(entry, Math.min(RETRY_MS, this.refreshMs));
          } else {
            // No answer at all (timeout, refused): keep the last one rather than fail calls.
            this.opts.warn?.('SIP trunk DNS refresh failed; keeping the previous answer', { trunk: entry.trunk.name, host: entry.trunk.host, err: String(err) });
            this.settle(entry, Math.min(RETRY_MS, this.refreshMs));
          }
        },
      )
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.timer?.cancel();
    this.entries.clear();
    this.dns.cancel();
  }

  private settle(entry: Entry, ttlMs: number): void {
    if (this.closed) return;
    const ms = Math.max(MIN_TTL_MS, Math.min(ttlMs, this.refreshMs));
    entry.expiresAt = this.opts.clock.now() + ms;
    entry.timer?.cancel();
    entry.timer = this.opts.clock.setTimer(ms, () => void this.refresh(entry));
  }

  /** RFC 3263 §4.2: SRV when no port is given, else (or without SRV records) A/AAAA. */
  private async lookupTrunk(trunk: SipTrunk): Promise<{ targets: Target[]; ttlMs: number }> {
    if (trunk.port === undefined) {
      const name = `_sip._${trunk.transport}.${trunk.host}`;
      let records: Awaited<ReturnType<Resolver['resolveSrv']>> = [];
      try {
        records = await this.dns.resolveSrv(name);
      } catch (err) {
        // With the system's resolver a broken DNS must not hide names /etc/hosts knows: try A.
        if (!isNoData(err) && this.custom) throw err;
      }
      // A lone "." target means the service is decidedly not offered here (RFC 2782).
      const usable = records.filter((r) => r.name !== '' && r.name !== '.');
      if (records.length > 0 && usable.length === 0) throw new Unresolvable(`${name} says the service is not available`);
      if (usable.length > 0) {
        const targets: Target[] = [];
        let ttlMs = this.refreshMs;
        for (const r of usable) {
          try {
            const a = await this.addresses(r.name);
            ttlMs = Math.min(ttlMs, a.ttlMs);
            targets.push({ addresses: a.addresses, port: r.port, priority: r.priority, weight: r.weight });
          } catch (err) {
            if (!(err instanceof Unresolvable)) throw err;
          }
        }
        if (targets.length === 0) throw new Unresolvable(`no SRV target of ${name} resolves`);
        return { targets, ttlMs };
      }
    }
    const a = await this.addresses(trunk.host);
    return { targets: [{ addresses: a.addresses, port: trunk.port ?? 5060, priority: 0, weight: 0 }], ttlMs: a.ttlMs };
  }

  /** A, then AAAA; with the system's DNS, then getaddrinfo (names only /etc/hosts knows). */
  private async addresses(name: string): Promise<{ addresses: string[]; ttlMs: number }> {
    let failure: unknown;
    for (const family of [4, 6] as const) {
      try {
        const recs = family === 4 ? await this.dns.resolve4(name, { ttl: true }) : await this.dns.resolve6(name, { ttl: true });
        if (recs.length > 0) return { addresses: recs.map((r) => r.address), ttlMs: Math.min(...recs.map((r) => r.ttl)) * 1000 };
      } catch (err) {
        if (!isNoData(err)) {
          failure = err;
          break;
        }
      }
    }
    if (!this.custom) {
      try {
        return { addresses: [(await lookup(name)).address], ttlMs: this.refreshMs };
      } catch {
        // Unknown to the system too.
      }
    }
    throw failure ?? new Unresolvable(`${name} has no A or AAAA record`);
  }
}

function keyOf(t: SipTrunk): string {
  return `${t.transport}|${t.host.toLowerCase()}|${t.port ?? ''}`;
}

function describe(t: SipTrunk): string {
  return t.port === undefined ? `SRV _sip._${t.transport}.${t.host}, then A/AAAA` : `A/AAAA, port ${t.port}`;
}

/**
 * RFC 2782's ordering: by priority, lowest first; within a priority, drawn one after another, each
 * draw weighted by `weight` among the targets not yet drawn (uniform when all that remain weigh 0).
 */
export function srvOrder<T extends { readonly priority: number; readonly weight: number }>(targets: readonly T[], random: () => number): T[] {
  const out: T[] = [];
  const priorities = [...new Set(targets.map((t) => t.priority))].sort((a, b) => a - b);
  for (const p of priorities) {
    const group = targets.filter((t) => t.priority === p);
    while (group.length > 0) {
      const i = draw(group, random);
      out.push(group[i]!);
      group.splice(i, 1);
    }
  }
  return out;
}

function draw(group: readonly { readonly weight: number }[], random: () => number): number {
  const total = group.reduce((s, t) => s + t.weight, 0);
  if (total === 0) return Math.min(Math.floor(random() * group.length), group.length - 1);
  let r = random() * total;
  for (let i = 0; i < group.length; i++) {
    r -= group[i]!.weight;
    if (r < 0) return i;
  }
  return group.length - 1;
}
