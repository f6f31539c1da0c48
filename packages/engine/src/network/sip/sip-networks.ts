/**
 * Several listen addresses (docs/sip.md, "Settings"): one SipNetwork per address, each with its own
 * transports and transaction layer, behind one Network. A call leaves from the address its trunk
 * names (`listen`, default the first), so a carrier that only accepts traffic from one of our
 * addresses sees it from that one; INVITEs arriving at any address reach the one inbound handler.
 * The trunks share one DNS cache.
 */
import type { Clock } from '../../clock.ts';
import { normalizeNumber } from '../../util/phone.ts';
import type { InboundHandler, Network, NetworkLeg, OriginateRequest } from '../network.ts';
import { TrunkResolver } from './resolver.ts';
import { SipAccess, type EndpointDirectory } from './access.ts';
import { destinationDigits, directPeer, SipNetwork } from './sip-network.ts';
import type { SipTimers } from './transactions.ts';
import { listenIndex, listenKey, TrunkError, trunkFor, type ListenAddress, type SipTrunk } from './trunk.ts';

export interface SipNetworksOptions {
  readonly clock: Clock;
  readonly listen: readonly ListenAddress[];
  readonly trunks: readonly SipTrunk[];
  readonly dns?: { readonly servers?: readonly string[]; readonly refreshMs?: number };
  readonly timers?: Partial<SipTimers>;
  readonly userAgent?: string;
  /** UDP receive and send buffers, bytes (transport.ts: default 4 MiB). */
  readonly udpBufferSize?: number;
  /** Networks (CIDRs) INVITEs are taken from besides the trunks' addresses (access.ts). */
  readonly acceptFrom?: readonly string[];
  /** Registered endpoints, once the Endpoints work provides them. */
  readonly endpoints?: EndpointDirectory;
  readonly warn?: (msg: string, data?: Record<string, unknown>) => void;
}

export class SipNetworks implements Network {
  /** In the order of the listen addresses: the first is where calls without a `listen` leave from. */
  readonly networks: readonly SipNetwork[];
  private readonly resolver: TrunkResolver;
  private readonly home = new Map<SipTrunk, SipNetwork>();
  /** One policy for every listen address: a trunk may call in at any of them. */
  readonly access: SipAccess;

  constructor(private readonly opts: SipNetworksOptions) {
    if (opts.listen.length === 0) throw new TrunkError('at least one listen address is needed');
    this.resolver = new TrunkResolver({
      clock: opts.clock,
      ...(opts.dns?.servers ? { servers: opts.dns.servers } : {}),
      ...(opts.dns?.refreshMs !== undefined ? { refreshMs: opts.dns.refreshMs } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
    const resolver = this.resolver;
    this.access = new SipAccess({
      clock: opts.clock,
      acceptFrom: opts.acceptFrom ?? [],
      trunkAddresses: () => opts.trunks.flatMap((t) => resolver.addressesOf(t)),
      ...(opts.endpoints ? { endpoints: opts.endpoints } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
    const owned: SipTrunk[][] = opts.listen.map(() => []);
    for (const t of opts.trunks) {
      const i = listenIndex(opts.listen, t.listen);
      if (i < 0) throw new TrunkError(`trunk "${t.name}": no listen address "${t.listen}" (have ${opts.listen.map(listenKey).join(', ')})`);
      owned[i]!.push(t);
    }
    this.networks = opts.listen.map(
      (listen, i) =>
        new SipNetwork({
          clock: opts.clock,
          listen,
          trunks: owned[i]!,
          resolver: this.resolver,
          access: this.access,
          ...(opts.timers ? { timers: opts.timers } : {}),
          ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
          ...(opts.udpBufferSize !== undefined ? { udpBufferSize: opts.udpBufferSize } : {}),
          ...(opts.warn ? { warn: opts.warn } : {}),
        }),
    );
    owned.forEach((trunks, i) => trunks.forEach((t) => this.home.set(t, this.networks[i]!)));
  }

  /** Binds every address and resolves every trunk; if one fails, none stays bound. */
  async start(): Promise<void> {
    try {
      for (const n of this.networks) await n.start();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** For metrics: kernel UDP drops per listen address, and what the access policy refused. */
  stats(): { udpDrops: Record<string, number>; refused: number; dropped: number } {
    const udpDrops: Record<string, number> = {};
    for (const n of this.networks) {
      const d = n.transports.udpDrops();
      if (d !== undefined) udpDrops[`${n.address}:${n.port}`] = d;
    }
    return { udpDrops, ...this.access.counters };
  }

  onInbound(handler: InboundHandler): void {
    for (const n of this.networks) n.onInbound(handler);
  }

  /** Whether a destination has a route here (a trunk or a SIP URI). */
  routes(to: string): boolean {
    return to.startsWith('sip:') || trunkFor(this.opts.trunks, normalizeNumber(to)) !== undefined;
  }

  originate(req: OriginateRequest): NetworkLeg {
    const first = this.networks[0]!;
    if (directPeer(req.to)) return first.originate(req);
    // The trunk is chosen over all trunks, not per address, so prefixes route as with one address.
    const trunk = trunkFor(this.opts.trunks, destinationDigits(req.to));
    if (!trunk) throw new Error(`no SIP trunk routes ${req.to}`);
    return (this.home.get(trunk) ?? first).originate(req, trunk);
  }

  async close(): Promise<void> {
    this.resolver.close();
    await Promise.all(this.networks.map((n) => n.close()));
  }
}
