/**
 * Trunk and listen settings as text: `sip:HOST:PORT[;transport=tcp][;prefix=1555,1666]`, with
 * optional digest credentials as `sip:USER:PASSWORD@HOST:PORT` (the RFC 3261 §19.1.1 userinfo
 * form, accepted here only as configuration; it is never sent). Parsing throws TrunkError.
 */
import type { TransportName } from './transport.ts';

export interface SipTrunk {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: TransportName;
  /** Destinations (digits) starting with one of these go to this trunk; empty = any. */
  readonly prefixes: readonly string[];
  readonly username?: string;
  readonly password?: string;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export class TrunkError extends Error {
  override name = 'TrunkError';
}

export function parseTrunk(text: string): SipTrunk {
  const m = /^sip:(?:([^:@;]+)(?::([^@;]*))?@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+)(?::(\d{1,5}))?((?:;[^;=]+(?:=[^;]*)?)*)$/.exec(text.trim());
  if (!m) throw new TrunkError(`not a trunk URI (sip:HOST:PORT[;transport=tcp]): "${text}"`);
  const port = m[4] === undefined ? 5060 : Number(m[4]);
  if (port < 1 || port > 65535) throw new TrunkError(`port out of range in "${text}"`);
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
    name: `${m[3]}:${port}`,
    host: m[3]!.replace(/^\[|\]$/g, ''),
    port,
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
