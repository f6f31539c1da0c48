/**
 * Trunk and listen settings, and the per-trunk rules a carrier imposes on what goes over the wire.
 * As text (`--sip-trunk`): `sip:HOST[:PORT][;transport=tcp][;prefix=1555,1666]`, with optional
 * digest credentials as `sip:USER:PASSWORD@HOST:PORT` (the RFC 3261 §19.1.1 userinfo form, accepted
 * here only as configuration; it is never sent). The config file gives the same and more as JSON
 * (config/config-file.ts). Parsing throws TrunkError.
 */
import { isIP } from 'node:net';
import type { TransportName } from './transport.ts';

/** What the carrier accepts as the calling number (the From user part). */
export interface CallerIdRules {
  /** `e164`: digits only (`15550001111`); `+e164`: with the plus (`+15550001111`). */
  readonly format: 'e164' | '+e164';
  /** Sent instead of a caller ID the carrier would not accept (digits). */
  readonly default?: string;
  /** Caller IDs (digits) the carrier accepts start with one of these; absent = any. */
  readonly allowed?: readonly string[];
}

/** How the dialled number is rewritten for the carrier (the Request-URI and To user part). */
export interface DialRules {
  /** Removed from the front of the number when it starts with it. */
  readonly strip?: string;
  /** Put in front after stripping. */
  readonly prepend?: string;
}

export interface SipTrunk {
  readonly name: string;
  readonly host: string;
  /** Absent: RFC 3263 picks it (SRV for a host name, 5060 for an address). */
  readonly port?: number;
  readonly transport: TransportName;
  /** Destinations (digits) starting with one of these go to this trunk; empty = any. */
  readonly prefixes: readonly string[];
  readonly username?: string;
  readonly password?: string;
  readonly callerId?: CallerIdRules;
  readonly dial?: DialRules;
  /** The listen address calls on this trunk leave from (its name or HOST:PORT); absent = the first. */
  readonly listen?: string;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** What a trunk's `listen` may call it, besides `HOST:PORT`. */
  readonly name?: string;
}

export class TrunkError extends Error {
  override name = 'TrunkError';
}

export function parseTrunk(text: string): SipTrunk {
  const m = /^sip:(?:([^:@;]+)(?::([^@;]*))?@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+)(?::(\d{1,5}))?((?:;[^;=]+(?:=[^;]*)?)*)$/.exec(text.trim());
  if (!m) throw new TrunkError(`not a trunk URI (sip:HOST:PORT[;transport=tcp]): "${text}"`);
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new TrunkError(`port out of range in "${text}"`);
  let transport: TransportName = 'udp';
  let prefixes: string[] = [];
  for (const p of (m[5] ?? '').split(';').filter(Boolean)) {
    const [k, v = ''] = p.split('=');
    const key = k!.toLowerCase();
    if (key === 'transport') {
      if (v.toLowerCase() !== 'udp' && v.toLowerCase() !== 'tcp') throw new TrunkError(`transport must be udp or tcp in "${text}"`);
      transport = v.toLowerCase() as TransportName;
    } else if (key === 'prefix') {
      prefixes = v.split(',').map((x) => x.replace(/^\+/, '')).filter(Boolean);
      if (prefixes.some((x) => !/^\d+$/.test(x))) throw new TrunkError(`prefix must be digits in "${text}"`);
    } else throw new TrunkError(`unknown trunk parameter "${key}" in "${text}"`);
  }
  return {
    name: port === undefined ? m[3]! : `${m[3]}:${port}`,
    host: m[3]!.replace(/^\[|\]$/g, ''),
    ...(port !== undefined ? { port } : {}),
    transport,
    prefixes,
    ...(m[1] !== undefined ? { username: decodeURIComponent(m[1]), password: decodeURIComponent(m[2] ?? '') } : {}),
  };
}

/** Several trunks, comma separated. */
export function parseTrunks(text: string): SipTrunk[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reduce<string[]>((acc, part) => {
      // A prefix list `;prefix=1,2` contains commas: glue such pieces back onto their trunk.
      if (!part.startsWith('sip:') && acc.length > 0) acc[acc.length - 1] += ',' + part;
      else acc.push(part);
      return acc;
    }, [])
    .map(parseTrunk);
}

export function parseListen(text: string): ListenAddress {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new TrunkError(`not HOST:PORT: "${text}"`);
  const port = Number(m[2]);
  if (port > 65535) throw new TrunkError(`port out of range: "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Several listen addresses, comma separated. */
export function parseListens(text: string): ListenAddress[] {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new TrunkError(`not HOST:PORT: "${text}"`);
  return parts.map(parseListen);
}

/** `HOST:PORT` of a listen address, the form a trunk's `listen` names it by. */
export function listenKey(l: ListenAddress): string {
  return `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
}

/** Which listen address (index) a trunk leaves from; -1 when its `listen` names none. */
export function listenIndex(listens: readonly ListenAddress[], ref: string | undefined): number {
  if (ref === undefined) return 0;
  const bare = ref.trim();
  return listens.findIndex((l) => l.name === bare || listenKey(l) === bare || `${l.host}:${l.port}` === bare);
}

/** The trunk for a destination: longest matching prefix, else a trunk without prefixes. */
export function trunkFor(trunks: readonly SipTrunk[], digits: string): SipTrunk | undefined {
  let best: SipTrunk | undefined;
  let bestLen = -1;
  for (const t of trunks) {
    for (const p of t.prefixes) {
      if (digits.startsWith(p) && p.length > bestLen) {
        best = t;
        bestLen = p.length;
      }
    }
  }
  return best ?? trunks.find((t) => t.prefixes.length === 0) ?? (trunks.length === 1 ? trunks[0] : undefined);
}

/** The destination's user part as the carrier wants it: strip a leading prefix, then prepend. */
export function dialedUser(trunk: SipTrunk, digits: string): string {
  const { strip, prepend } = trunk.dial ?? {};
  const rest = strip && digits.startsWith(strip) ? digits.slice(strip.length) : digits;
  return `${prepend ?? ''}${rest}`;
}

/**
 * The caller ID (From user part) as the carrier accepts it, or undefined when it accepts none:
 * one outside `allowed` becomes `default`, then the format applies. `from` is in the engine's
 * normal form (digits, or a SIP URI, judged by its user part). Without rules it passes unchanged.
 */
export function callerIdFor(trunk: SipTrunk, from: string): string | undefined {
  const rules = trunk.callerId;
  if (!rules) return from;
  const user = /^sips?:/i.test(from) ? (/^sips?:([^@;]+)@/i.exec(from)?.[1] ?? '') : from;
  const digits = user.trim().replace(/^\+/, '');
  const isNumber = /^\d+$/.test(digits);
  let chosen = digits;
  if (rules.allowed !== undefined && !(isNumber && rules.allowed.some((p) => digits.startsWith(p)))) {
    if (rules.default === undefined) return undefined;
    chosen = rules.default;
  } else if (!isNumber) {
    // A name, not a number: there is nothing to format.
    return from;
  }
  return rules.format === '+e164' ? `+${chosen}` : chosen;
}

/** Whether the host is a literal address (no DNS). */
export function isAddress(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}
