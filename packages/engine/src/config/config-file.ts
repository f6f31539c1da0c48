/**
 * The config file (`--config FILE`, docs/cli.md and docs/sip.md): JSON whose top-level keys are
 * serve's long flag names, plus a `sip` object with listen addresses, trunks and their rules.
 * Everything is checked here, and every problem is a ConfigError naming the file and the JSON path
 * (`config.json: sip.trunks[1].port: must be 1-65535, got 70000`).
 */
import { readFile } from 'node:fs/promises';
import { parseDurationText } from './duration.ts';
import { ConfigError } from './errors.ts';
import { AccessError, parseCidr } from '../network/sip/access.ts';
import { listenIndex, listenKey, parseTrunk, TrunkError, type CallerIdRules, type DialRules, type ListenAddress, type SipTrunk } from '../network/sip/trunk.ts';

/** A parsed config file: its contents and the name messages give it (the path as the user wrote it). */
export interface ConfigFile {
  readonly name: string;
  readonly data: unknown;
}

/** Top-level keys that hold a flag's value; `number` ones also take a JSON number. */
export const FILE_FLAGS: Readonly<Record<string, 'string' | 'number' | 'boolean'>> = {
  host: 'string',
  port: 'number',
  db: 'string',
  'auth-id': 'string',
  'auth-token': 'string',
  'auth-fail-limit': 'number',
  'auth-fail-window': 'number',
  'cps-limit': 'number',
  'metrics-auth': 'boolean',
  'sse-limit': 'number',
  'trust-proxy': 'string',
  sim: 'string',
  seed: 'number',
  'default-script': 'string',
  'network-timeout': 'number',
  'play-length': 'number',
  'billing-increment': 'number',
  'webhook-retry-for': 'number',
  'webhook-concurrency': 'number',
  'webhook-allow': 'string',
  'webhook-deny': 'string',
  'inbound-answer-url': 'string',
  'log-level': 'string',
  grace: 'number',
  'node-id': 'string',
  'advertise-url': 'string',
  'node-lease': 'number',
  'cluster-secret': 'string',
};

/** Reads and parses `--config FILE`; the contents are checked by loadConfig. */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return { name: path, data: JSON.parse(text) };
  } catch (err) {
    throw new ConfigError(`${path}: not JSON: ${(err as Error).message}`);
  }
}

/** A place in the file, for messages. */
export class JsonPath {
  constructor(
    readonly file: string,
    readonly path: string = '',
  ) {}
  key(k: string): JsonPath {
    return new JsonPath(this.file, this.path ? `${this.path}.${k}` : k);
  }
  index(i: number): JsonPath {
    return new JsonPath(this.file, `${this.path}[${i}]`);
  }
  toString(): string {
    return this.path ? `${this.file}: ${this.path}` : this.file;
  }
  error(message: string): ConfigError {
    return new ConfigError(`${this}: ${message}`);
  }
  fail(message: string): never {
    throw this.error(message);
  }
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function object(v: unknown, at: JsonPath, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) at.fail(`must be an object, got ${show(v)}`);
  for (const k of Object.keys(v)) if (!keys.includes(k)) at.key(k).fail(`unknown key (known: ${keys.join(', ')})`);
  return v as Record<string, unknown>;
}

function string(v: unknown, at: JsonPath): string {
  if (typeof v !== 'string') at.fail(`must be a string, got ${show(v)}`);
  return v;
}

function array(v: unknown, at: JsonPath): unknown[] {
  if (!Array.isArray(v)) at.fail(`must be an array, got ${show(v)}`);
  return v;
}

/** Digits, a leading `+` dropped (numbers are kept in that one form, util/phone.ts). */
function digits(v: unknown, at: JsonPath): string {
  const s = typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : string(v, at);
  const d = s.trim().replace(/^\+/, '');
  if (!/^\d+$/.test(d)) at.fail(`must be digits, got ${show(v)}`);
  return d;
}

function digitList(v: unknown, at: JsonPath): string[] {
  return array(v, at).map((x, i) => digits(x, at.index(i)));
}

function port(v: unknown, at: JsonPath, min: number): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 65535) at.fail(`must be ${min}-65535, got ${show(v)}`);
  return n;
}

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9.])?)$/;

function host(v: unknown, at: JsonPath): string {
  const h = string(v, at).trim();
  if (!HOST.test(h)) at.fail(`not a host name or address: ${show(v)}`);
  return h.replace(/^\[|\]$/g, '');
}

/** A top-level flag key's value as the text a flag would carry. */
export function fileFlagValue(data: Record<string, unknown>, key: string, at: JsonPath): string | undefined {
  const v = data[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (FILE_FLAGS[key] === 'number' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (FILE_FLAGS[key] === 'boolean' && typeof v === 'boolean') return String(v);
  return at.key(key).fail(FILE_FLAGS[key] === 'number' ? `must be a number or a string, got ${show(v)}` : `must be a string, got ${show(v)}`);
}

/** The file's top level: only flag names and `sip`. */
export function fileTopLevel(file: ConfigFile): Record<string, unknown> {
  const at: JsonPath = new JsonPath(file.name);
  const data = file.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) at.fail('must hold a JSON object');
  for (const k of Object.keys(data)) {
    if (k === 'sip-listen' || k === 'sip-trunk') at.key(k).fail(`put ${k === 'sip-listen' ? 'listen addresses in sip.listen' : 'trunks in sip.trunks'}`);
    if (k !== 'sip' && !(k in FILE_FLAGS)) at.key(k).fail(`unknown key (known: ${[...Object.keys(FILE_FLAGS), 'sip'].join(', ')})`);
  }
  return data as Record<string, unknown>;
}

export interface FileSip {
  listen?: ListenAddress[];
  trunks?: SipTrunk[];
  dns?: { servers?: string[]; refreshMs?: number };
  acceptFrom?: string[];
  udpBuffer?: number;
}

/** `sip.acceptFrom` / `--sip-accept-from`: networks INVITEs are taken from (network/sip/access.ts). */
export function checkCidr(text: string, at: JsonPath): string {
  try {
    parseCidr(text);
  } catch (err) {
    if (err instanceof AccessError) at.fail(err.message);
    throw err;
  }
  return text.trim();
}

/** The `sip` object, checked key by key; cross-references are checked by `checkSip`. */
export function parseFileSip(v: unknown, at: JsonPath): FileSip {
  const o = object(v, at, ['listen', 'trunks', 'dns', 'acceptFrom', 'udpBuffer']);
  const out: FileSip = {};
  if (o.udpBuffer !== undefined) {
    // Bytes for the UDP socket's receive and send buffers (network/sip/transport.ts); the kernel caps it at rmem_max.
    const n = o.udpBuffer;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 65_536 || n > 268_435_456) return at.key('udpBuffer').fail(`must be a number of bytes from 65536 to 268435456, got ${show(n)}`);
    out.udpBuffer = n;
  }
  if (o.acceptFrom !== undefined) out.acceptFrom = array(o.acceptFrom, at.key('acceptFrom')).map((x, i) => checkCidr(string(x, at.key('acceptFrom').index(i)), at.key('acceptFrom').index(i)));
  if (o.listen !== undefined) {
    const list = Array.isArray(o.listen) ? o.listen : [o.listen];
    const here = Array.isArray(o.listen) ? (i: number) => at.key('listen').index(i) : () => at.key('listen');
    out.listen = list.map((x, i) => parseFileListen(x, here(i)));
    if (out.listen.length === 0) at.key('listen').fail('must list at least one address');
  }
  if (o.trunks !== undefined) out.trunks = array(o.trunks, at.key('trunks')).map((x, i) => parseFileTrunk(x, at.key('trunks').index(i)));
  if (o.dns !== undefined) {
    const d = object(o.dns, at.key('dns'), ['servers', 'refresh']);
    out.dns = {};
    if (d.servers !== undefined) {
      out.dns.servers = array(d.servers, at.key('dns').key('servers')).map((x, i) => {
        const here = at.key('dns').key('servers').index(i);
        const s = string(x, here).trim();
        if (!/^(?:[0-9.]+(?::\d{1,5})?|\[[0-9a-fA-F:.]+\](?::\d{1,5})?|[0-9a-fA-F:]+)$/.test(s)) here.fail(`must be an address, or ADDRESS:PORT, got ${show(x)}`);
        return s;
      });
    }
    if (d.refresh !== undefined) {
      const here = at.key('dns').key('refresh');
      const ms = typeof d.refresh === 'number' ? d.refresh * 1000 : parseDurationText(string(d.refresh, here));
      if (ms === undefined || !Number.isFinite(ms) || ms < 1000) throw here.error(`must be a duration of at least 1s, got ${show(d.refresh)}`);
      out.dns.refreshMs = Math.round(ms);
    }
  }
  return out;
}

function parseFileListen(v: unknown, at: JsonPath): ListenAddress {
  if (typeof v === 'string') {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):(\d{1,5})$/.exec(v.trim());
    if (!m) at.fail(`must be HOST:PORT, got ${show(v)}`);
    return { host: host(m[1], at), port: port(m[2], at, 0) };
  }
  const o = object(v, at, ['host', 'port', 'name']);
  if (o.host === undefined) at.key('host').fail('is required');
  if (o.port === undefined) at.key('port').fail('is required');
  const name = o.name === undefined ? undefined : string(o.name, at.key('name'));
  return { host: host(o.host, at.key('host')), port: port(o.port, at.key('port'), 0), ...(name !== undefined ? { name } : {}) };
}

const TRUNK_KEYS = ['name', 'host', 'port', 'transport', 'username', 'password', 'prefixes', 'callerId', 'dial', 'listen'] as const;

function parseFileTrunk(v: unknown, at: JsonPath): SipTrunk {
  if (typeof v === 'string') {
    try {
      return parseTrunk(v);
    } catch (err) {
      if (err instanceof TrunkError) at.fail(err.message);
      throw err;
    }
  }
  const o = object(v, at, TRUNK_KEYS);
  if (o.host === undefined) at.key('host').fail('is required');
  const h = host(o.host, at.key('host'));
  const p = o.port === undefined ? undefined : port(o.port, at.key('port'), 1);
  let transport: 'udp' | 'tcp' = 'udp';
  if (o.transport !== undefined) {
    const t = string(o.transport, at.key('transport')).toLowerCase();
    if (t !== 'udp' && t !== 'tcp') throw at.key('transport').error(`must be "udp" or "tcp", got ${show(o.transport)}`);
    transport = t;
  }
  const username = o.username === undefined ? undefined : string(o.username, at.key('username'));
  const password = o.password === undefined ? undefined : string(o.password, at.key('password'));
  if (password !== undefined && username === undefined) at.key('password').fail('needs a username');
  const name = o.name === undefined ? (p === undefined ? h : `${h.includes(':') ? `[${h}]` : h}:${p}`) : string(o.name, at.key('name')).trim();
  if (name === '') at.key('name').fail('must not be empty');
  const listen = o.listen === undefined ? undefined : string(o.listen, at.key('listen')).trim();
  const callerId = o.callerId === undefined ? undefined : parseCallerId(o.callerId, at.key('callerId'));
  const dial = o.dial === undefined ? undefined : parseDial(o.dial, at.key('dial'));
  return {
    name,
    host: h,
    ...(p !== undefined ? { port: p } : {}),
    transport,
    prefixes: o.prefixes === undefined ? [] : digitList(o.prefixes, at.key('prefixes')),
    ...(username !== undefined ? { username, password: password ?? '' } : {}),
    ...(callerId ? { callerId } : {}),
    ...(dial ? { dial } : {}),
    ...(listen !== undefined ? { listen } : {}),
  };
}

function parseCallerId(v: unknown, at: JsonPath): CallerIdRules {
  const o = object(v, at, ['format', 'default', 'allowed']);
  let format: CallerIdRules['format'] = 'e164';
  if (o.format !== undefined) {
    const f = string(o.format, at.key('format'));
    if (f !== 'e164' && f !== '+e164') throw at.key('format').error(`must be "e164" or "+e164", got ${show(o.format)}`);
    format = f;
  }
  return {
    format,
    ...(o.default !== undefined ? { default: digits(o.default, at.key('default')) } : {}),
    ...(o.allowed !== undefined ? { allowed: digitList(o.allowed, at.key('allowed')) } : {}),
  };
}

function parseDial(v: unknown, at: JsonPath): DialRules {
  const o = object(v, at, ['strip', 'prepend']);
  const out: { strip?: string; prepend?: string } = {};
  if (o.strip !== undefined) out.strip = digits(o.strip, at.key('strip'));
  if (o.prepend !== undefined) {
    const s = typeof o.prepend === 'number' ? String(o.prepend) : string(o.prepend, at.key('prepend'));
    // A carrier may want the plus on the wire (`+44...`), so it is kept here.
    if (!/^\+?\d+$/.test(s.trim())) at.key('prepend').fail(`must be digits (with an optional leading +), got ${show(o.prepend)}`);
    out.prepend = s.trim();
  }
  return out;
}

/**
 * What holds across the sip section: no address listed twice, unique trunk names, and every
 * trunk's `listen` naming an address we listen on. `listenFrom` says where the addresses came
 * from, for the message when a flag replaced the file's.
 */
export function checkSip(listen: readonly ListenAddress[], trunks: readonly SipTrunk[], at: JsonPath, trunksFromFile: boolean, listenFromFlag: boolean): void {
  const seen = new Map<string, number>();
  listen.forEach((l, i) => {
    const where = listenFromFlag ? new JsonPath('--sip-listen') : at.key('listen').index(i);
    const key = listenKey(l);
    if (l.port !== 0 && seen.has(key)) where.fail(`${key} is listed twice`);
    seen.set(key, i);
    if (l.name !== undefined && listen.findIndex((x) => x.name === l.name) !== i) where.key('name').fail(`"${l.name}" names two addresses`);
  });
  if (!trunksFromFile) return;
  const names = new Map<string, number>();
  trunks.forEach((t, i) => {
    const here = at.key('trunks').index(i);
    const first = names.get(t.name);
    if (first !== undefined) here.key('name').fail(`"${t.name}" is already the name of sip.trunks[${first}]`);
    names.set(t.name, i);
    if (listenIndex(listen, t.listen) < 0) {
      here.key('listen').fail(`no listen address "${t.listen}" (listening on ${listen.map((l) => (l.name ? `${l.name} = ` : '') + listenKey(l)).join(', ')}${listenFromFlag ? '; --sip-listen replaced sip.listen' : ''})`);
    }
  });
}
