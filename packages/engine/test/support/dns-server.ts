/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, port 0) for the RFC 3263 tests: it answers A,
 * AAAA and SRV questions from a zone the test can change while the engine runs, NXDOMAIN for names
 * it does not know and an empty answer (NODATA) for types a known name lacks. The RFC 1035 wire
 * format (§4.1) is encoded and decoded here; name compression is read, and written only as the
 * pointer from an answer back to its question.
 */
import dgram from 'node:dgram';

export const TYPE = { A: 1, AAAA: 28, SRV: 33, OPT: 41 } as const;

export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface ZoneEntry {
  readonly A?: readonly string[];
  readonly SRV?: readonly SrvRecord[];
  /** Seconds; default 60. */
  readonly ttl?: number;
}

export type Zone = Readonly<Record<string, ZoneEntry>>;

export interface Question {
  readonly name: string;
  readonly type: number;
}

export interface Answer {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly data: string | SrvRecord;
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly rcode: number;
  readonly questions: Question[];
  readonly answers: Answer[];
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, as `sip.dns.servers` takes it. */
  readonly address: string;
  readonly port: number;
  /** Every question asked so far, in order (`SRV _sip._udp.carrier.test`). */
  readonly queries: string[];
  setZone(zone: Zone): void;
  close(): Promise<void>;
}

// ---- encoding ---------------------------------------------------------------------------------

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts = labels.map((l) => {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new Error(`label too long: ${l}`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function rdata(a: Answer): Buffer {
  if (a.type === TYPE.A) return Buffer.from((a.data as string).split('.').map(Number));
  if (a.type === TYPE.SRV) {
    const s = a.data as SrvRecord;
    return Buffer.concat([u16(s.priority), u16(s.weight), u16(s.port), encodeName(s.target)]);
  }
  throw new Error(`cannot encode type ${a.type}`);
}

/** A response: header, the questions echoed, then the answers (names point at the first question when equal). */
export function encodeMessage(m: DnsMessage): Buffer {
  const header = Buffer.concat([u16(m.id), u16((m.flags & 0xfff0) | (m.rcode & 0xf)), u16(m.questions.length), u16(m.answers.length), u16(0), u16(0)]);
  const questions = m.questions.map((q) => Buffer.concat([encodeName(q.name), u16(q.type), u16(1)]));
  const first = m.questions[0]?.name.toLowerCase();
  const answers = m.answers.map((a) => {
    const data = rdata(a);
    // 0xC00C: a pointer to offset 12, where the first question's name starts (§4.1.4).
    const name = a.name.toLowerCase() === first ? Buffer.from([0xc0, 0x0c]) : encodeName(a.name);
    return Buffer.concat([name, u16(a.type), u16(1), u32(a.ttl), u16(data.length), data]);
  });
  return Buffer.concat([header, ...questions, ...answers]);
}

// ---- decoding ---------------------------------------------------------------------------------

function decodeName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let at = start;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = buf.readUInt8(at);
    if (len === 0) {
      return { name: labels.join('.'), next: next < 0 ? at + 1 : next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('ascii', at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new Error('name compression loop');
}

/** A query or a response; records other than A and SRV are skipped (EDNS OPT in a query, say). */
export function decodeMessage(buf: Buffer): DnsMessage {
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let at = 12;
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const { name, next } = decodeName(buf, at);
    questions.push({ name, type: buf.readUInt16BE(next) });
    at = next + 4;
  }
  const answers: Answer[] = [];
  for (let i = 0; i < an; i++) {
    const { name, next } = decodeName(buf, at);
    const type = buf.readUInt16BE(next);
    const ttl = buf.readUInt32BE(next + 4);
    const len = buf.readUInt16BE(next + 8);
    const d = next + 10;
    if (type === TYPE.A) answers.push({ name, type, ttl, data: [...buf.subarray(d, d + 4)].join('.') });
    else if (type === TYPE.SRV) {
      answers.push({ name, type, ttl, data: { priority: buf.readUInt16BE(d), weight: buf.readUInt16BE(d + 2), port: buf.readUInt16BE(d + 4), target: decodeName(buf, d + 6).name } });
    }
    at = d + len;
  }
  return { id, flags, rcode: flags & 0xf, questions, answers };
}

// ---- the server -------------------------------------------------------------------------------

const TYPE_NAME: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };

/** The answer to one query from a zone. */
export function answer(query: DnsMessage, zone: Zone): DnsMessage {
  const q = query.questions[0];
  // QR, AA, and RD copied from the query.
  const flags = 0x8400 | (query.flags & 0x0100);
  if (!q) return { id: query.id, flags, rcode: 1, questions: [], answers: [] };
  const key = Object.keys(zone).find((n) => n.toLowerCase() === q.name.toLowerCase());
  if (key === undefined) return { id: query.id, flags, rcode: 3, questions: [q], answers: [] };
  const entry = zone[key]!;
  const ttl = entry.ttl ?? 60;
  const answers: Answer[] =
    q.type === TYPE.A
      ? (entry.A ?? []).map((data) => ({ name: q.name, type: TYPE.A, ttl, data }))
      : q.type === TYPE.SRV
        ? (entry.SRV ?? []).map((data) => ({ name: q.name, type: TYPE.SRV, ttl, data }))
        : [];
  return { id: query.id, flags, rcode: 0, questions: [q], answers };
}

export async function startDnsServer(initial: Zone): Promise<DnsServer> {
  let zone = initial;
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: DnsMessage;
    try {
      query = decodeMessage(msg);
    } catch {
      return;
    }
    const q = query.questions[0];
    if (q) queries.push(`${TYPE_NAME[q.type] ?? q.type} ${q.name}`);
    socket.send(encodeMessage(answer(query, zone)), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const port = socket.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    setZone: (z) => {
      zone = z;
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}
