/**
 * The one policy that decides every URL the engine fetches (DESIGN.md "Deny by default", issue 13
 * item 4): answer, fallback, ring, hangup, action, callback, Redirect, dialMusic / confirmSound and
 * the flow HTTP Request node. Rules, in the order a firewall applies them:
 *
 * 1. Always refused, whatever the lists say: link-local and cloud metadata addresses
 *    (169.254.0.0/16, fe80::/10, fd00:ec2::254), the unspecified addresses (0.0.0.0/8, ::), and the
 *    engine's own listen addresses (HTTP API and SIP, address + port: an app server on another
 *    port of 127.0.0.1 stays reachable).
 * 2. `--webhook-deny` (CIDRs, addresses, host names): a match is refused. Deny always wins.
 * 3. `--webhook-allow`: when given, only a target that matches it is fetched.
 * 4. Anything else is fetched.
 *
 * The decision is made twice: on the URL as written (at the API and before each attempt: scheme,
 * length, host names, IP literals) and on every address the host name resolves to, inside the
 * connector that opens the socket. The socket is then opened to the checked address itself, so a
 * name that resolves differently a moment later (DNS rebinding) cannot slip past the check.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { buildConnector } from 'undici';

/**
 * Longest URL accepted (characters). Plivo publishes no limit for its URL parameters, so this is
 * ours: 2 KB, the size most proxies and browsers handle, so a URL cannot carry a request's megabytes
 * into every delivery row.
 */
export const MAX_URL_LENGTH = 2048;

/** A target the policy refused, and why (the text goes to the API answer, the call and the delivery log). */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  readonly code = 'SB_URL_REFUSED';
}

/** Resolves a host name to every address it has (dns.lookup by default; tests inject their own). */
export type TargetLookup = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export interface TargetRules {
  readonly cidrs: BlockList;
  /** Exact host names, lower case. */
  readonly names: ReadonlySet<string>;
  /** `*.example.com` entries as `.example.com`: any name below it. */
  readonly suffixes: readonly string[];
  /** The entries as written, for messages and docs. */
  readonly text: readonly string[];
}

export interface TargetPolicyOptions {
  allow?: TargetRules;
  deny?: TargetRules;
  lookup?: TargetLookup;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/**
 * Reads a comma-separated list of CIDRs (`10.0.0.0/8`, `fd00::/8`), addresses (`10.1.2.3`) and host
 * names (`hooks.example.com`, or `*.example.com` for every name below it). Throws on a bad entry.
 */
export function parseTargetRules(text: string): TargetRules {
  const cidrs = new BlockList();
  const names = new Set<string>();
  const suffixes: string[] = [];
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const ip = unbracket(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(ip);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      const prefix = slash < 0 ? String(max) : entry.slice(slash + 1);
      const bits = Number(prefix);
      if (!/^\d{1,3}$/.test(prefix) || bits > max) throw new Error(`"${entry}": the prefix length must be 0-${max}`);
      cidrs.addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const name = entry.toLowerCase().replace(/\.$/, '');
    if (name.startsWith('*.') && HOST_NAME.test(name.slice(2))) suffixes.push(name.slice(1));
    else if (HOST_NAME.test(name) && slash < 0) names.add(name);
    else throw new Error(`"${entry}" is neither a CIDR, an IP address nor a host name`);
  }
  return { cidrs, names, suffixes, text: entries };
}

const NO_RULES = parseTargetRules('');

/** Addresses no webhook may reach (rule 1, less the engine's own addresses). */
const ALWAYS_REFUSED: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['169.254.0.0', 16, 'ipv4', 'a link-local / cloud metadata address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
];
const REFUSED = ALWAYS_REFUSED.map(([net, bits, type, why]) => {
  const list = new BlockList();
  list.addSubnet(net, bits, type);
  return { list, why };
});

/** What checkUrl keeps for a URL it let through (a refusal is kept as its reason). */
const ALLOWED = '';
/** How many URL decisions are kept before the cache starts again (distinct URLs per engine are few). */
const DECISIONS_KEPT = 1024;

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `::ffff:169.254.169.254` is 169.254.169.254: compare IPv4-mapped addresses as IPv4. */
function normalize(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const a = unbracket(address).toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  // The WHATWG URL parser writes [::ffff:169.254.169.254] as [::ffff:a9fe:a9fe].
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, type: 'ipv4' };
  }
  return { address: a, type: isIP(a) === 4 ? 'ipv4' : 'ipv6' };
}

function nameMatches(rules: TargetRules, hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return rules.names.has(h) || rules.suffixes.some((s) => h.endsWith(s));
}

function addressMatches(rules: TargetRules, address: string, type: 'ipv4' | 'ipv6'): boolean {
  return rules.cidrs.check(address, type);
}

function isLoopback(address: string, type: 'ipv4' | 'ipv6'): boolean {
  return type === 'ipv4' ? address.startsWith('127.') : address === '::1';
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

export class TargetPolicy {
  private readonly allow: TargetRules;
  private readonly deny: TargetRules;
  private readonly lookup: TargetLookup;
  /** The engine's own listen addresses (`address|port`), added as they are bound. */
  private readonly self = new Set<string>();
  /** Ports the engine listens on at an unspecified address (0.0.0.0 / ::): every local address. */
  private readonly selfAnyPorts = new Set<number>();
  /** checkUrl's decisions by URL text (ALLOWED or why refused); bounded, cleared by addSelf(). */
  private readonly decided = new Map<string, string>();
  /** Set when a decision looked at the machine's network interfaces (not kept, see checkUrl). */
  private readInterfaces = false;

  constructor(opts: TargetPolicyOptions = {}) {
    this.allow = opts.allow ?? NO_RULES;
    this.deny = opts.deny ?? NO_RULES;
    this.lookup = opts.lookup ?? ((h) => dnsLookup(h, { all: true }));
  }

  /** Records one of the engine's listen addresses (HTTP API, SIP), once it is bound. */
  addSelf(address: string, port: number): void {
    this.decided.clear();
    const { address: a, type } = normalize(address);
    if ((type === 'ipv4' && a === '0.0.0.0') || (type === 'ipv6' && a === '::')) this.selfAnyPorts.add(port);
    else this.self.add(`${a}|${port}`);
  }

  /**
   * The URL as written: length, scheme, host names and IP literals. Names that must be resolved
   * first are decided again at connect time (`checkAddress`). Returns why it is refused, or
   * undefined.
   */
  checkUrl(text: string): string | undefined {
    // The same few URLs come back for every call and every attempt: the decision is kept per URL
    // text. addSelf() forgets them all; a decision that read the machine's interfaces (a port the
    // engine listens on at 0.0.0.0 / ::) is never kept, as those can change.
    const known = this.decided.get(text);
    if (known !== undefined) return known === ALLOWED ? undefined : known;
    this.readInterfaces = false;
    const why = this.decideUrl(text);
    if (!this.readInterfaces) {
      if (this.decided.size >= DECISIONS_KEPT) this.decided.clear();
      this.decided.set(text, why ?? ALLOWED);
    }
    return why;
  }

  private decideUrl(text: string): string | undefined {
    if (text.length > MAX_URL_LENGTH) return `URL is ${text.length} characters long; the limit is ${MAX_URL_LENGTH}`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'not an absolute URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol}" is not http: or https:`;
    const host = unbracket(url.hostname);
    if (host === '') return 'the URL has no host';
    const port = url.port === '' ? defaultPort(url.protocol) : Number(url.port);
    if (isIP(host) !== 0) return this.checkAddress(host, port, undefined);
    if (nameMatches(this.deny, host)) return `host ${host} is on the webhook deny list`;
    if (this.allow.text.length > 0 && !nameMatches(this.allow, host) && !this.hasCidrs(this.allow)) {
      return `host ${host} is not on the webhook allow list`;
    }
    return undefined;
  }

  /** One address about to be connected to (`hostname` is the name it was resolved from, if any). */
  checkAddress(address: string, port: number, hostname: string | undefined): string | undefined {
    const { address: a, type } = normalize(address);
    const shown = hostname && hostname !== a ? `${hostname} (${a})` : a;
    for (const { list, why } of REFUSED) if (list.check(a, type)) return `${shown} is ${why}`;
    if (this.isSelf(a, type, port)) return `${shown}:${port} is the engine's own listen address`;
    if (hostname !== undefined && nameMatches(this.deny, hostname)) return `host ${hostname} is on the webhook deny list`;
    if (addressMatches(this.deny, a, type)) return `${shown} is on the webhook deny list`;
    if (this.allow.text.length > 0) {
      const allowed = (hostname !== undefined && nameMatches(this.allow, hostname)) || addressMatches(this.allow, a, type);
      if (!allowed) return `${shown} is not on the webhook allow list`;
    }
    return undefined;
  }

  /**
   * Resolves `hostname` and checks every address it has: one refused address refuses the name (a
   * client could pick any of them). Returns the address to connect to.
   */
  async resolve(hostname: string, port: number): Promise<string> {
    const host = unbracket(hostname);
    if (isIP(host) !== 0) {
      const why = this.checkAddress(host, port, undefined);
      if (why) throw new TargetRefusedError(`refused by the webhook target policy: ${why}`);
      return host;
    }
    const addresses = await this.lookup(host);
    if (addresses.length === 0) throw Object.assign(new Error(`${host}: no address`), { code: 'ENOTFOUND' });
    for (const { address } of addresses) {
      const why = this.checkAddress(address, port, host);
      if (why) throw new TargetRefusedError(`refused by the webhook target policy: ${why}`);
    }
    return addresses[0]!.address;
  }

  /** An undici connector that opens sockets only to addresses this policy checked (`checkedConnector`). */
  connector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
    return checkedConnector((hostname, port) => this.resolve(hostname, port), options);
  }

  private hasCidrs(rules: TargetRules): boolean {
    return rules.text.some((t) => isIP(unbracket(t.split('/')[0]!)) !== 0);
  }

  private isSelf(address: string, type: 'ipv4' | 'ipv6', port: number): boolean {
    if (this.self.has(`${address}|${port}`)) return true;
    if (!this.selfAnyPorts.has(port)) return false;
    this.readInterfaces = true;
    if (isLoopback(address, type)) return true;
    for (const list of Object.values(networkInterfaces())) {
      for (const i of list ?? []) if (normalize(i.address).address === address) return true;
    }
    return false;
  }
}

/**
 * An undici connector that opens sockets only to addresses `resolve` checked: undici's own
 * connector, given the resolved address instead of the name (TLS still verifies and sends SNI for
 * the name, which undici takes from the Host). `resolve` is `TargetPolicy.resolve`, called directly
 * or, on the webhook thread, through the engine's thread (http-thread.ts).
 */
export function checkedConnector(
  resolve: (hostname: string, port: number) => Promise<string>,
  options: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const base = buildConnector(options);
  return (opts, callback) => {
    const port = opts.port ? Number(opts.port) : defaultPort(opts.protocol);
    resolve(opts.hostname, port).then(
      (address) => {
        const servername = opts.servername ?? (isIP(unbracket(opts.hostname)) === 0 ? unbracket(opts.hostname) : undefined);
        base({ ...opts, hostname: address, ...(servername !== undefined ? { servername } : {}) }, callback);
      },
      (err: unknown) => callback(err as Error, null),
    );
  };
}

/**
 * The policy of the engine serving the current API request. The API (api/server.ts) runs each route
 * handler inside `withTargetPolicy`, so the parameter readers (`api/params/coerce.ts`) refuse a URL
 * with the same rules the sender applies, without every route passing it down.
 *
 * The scope is synchronous: it covers the handler until its first `await`, and every route reads
 * its parameters before that. (It was an AsyncLocalStorage; on Node 20 that turns on async_hooks'
 * promise hooks for the whole process, a cost on every promise of every call, issue 18 item 4.)
 */
let scoped: TargetPolicy | undefined;

/** Runs `fn` with `policy` as the current one (nested scopes restore the outer one). */
export function withTargetPolicy<T>(policy: TargetPolicy, fn: () => T): T {
  const outer = scoped;
  scoped = policy;
  try {
    return fn();
  } finally {
    scoped = outer;
  }
}

/** Outside any engine (unit tests of the parsers): the built-in rules, no lists, no own addresses. */
const DEFAULT_POLICY = new TargetPolicy();

export function currentTargetPolicy(): TargetPolicy {
  return scoped ?? DEFAULT_POLICY;
}
