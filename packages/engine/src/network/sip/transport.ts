/**
 * UDP and TCP transports on one address (RFC 3261 §18). UDP first: trunks are UDP. TCP keeps one
 * connection per peer and reuses it both ways (§18.2.2 responses go back on the connection the
 * request came on). Bytes in are parsed here; what cannot be parsed is handed to `onBadMessage` so
 * the layer above can answer a broken request with 400. Nothing a peer sends can throw out of here.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { parseMessage, StreamFramer, type ParseResult } from './parser.ts';
import { serializeText } from './serializer.ts';
import type { SipMessage } from './message.ts';

export type TransportName = 'udp' | 'tcp';

export interface Peer {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
}

export interface TransportHandlers {
  onMessage(msg: SipMessage, from: Peer): void;
  onBadMessage(result: Extract<ParseResult, { ok: false }>, from: Peer): void;
}

export interface TransportOptions {
  readonly host: string;
  /** 0 picks a free port (the UDP one; TCP then binds the same number). */
  readonly port: number;
  readonly tcp?: boolean;
  /**
   * Kernel receive and send buffers of the UDP socket, bytes (spec/sip.md §3: the kernel's default
   * ~208 KiB drops datagrams from 150 calls/s). Linux caps it at net.core.rmem_max / wmem_max.
   */
  readonly udpBufferSize?: number;
}

/** 4 MiB: what spec/sip.md §3 measured clean to 10,000 calls/s with sipp, and this machine's rmem_max. */
export const DEFAULT_UDP_BUFFER = 4 * 1024 * 1024;

const key = (address: string, port: number) => `${address}:${port}`;

export class Transports {
  private udp: dgram.Socket | undefined;
  private tcpServer: net.Server | undefined;
  private readonly connections = new Map<string, net.Socket>();
  /** Every open socket, also one a newer connection to the same address replaced in `connections`: close() ends them all. */
  private readonly sockets = new Set<net.Socket>();
  private handlers: TransportHandlers | undefined;
  private boundPort = 0;
  /** Messages received and sent, for metrics and the benchmark. */
  readonly counters = { received: 0, sent: 0, malformed: 0 };

  constructor(private readonly opts: TransportOptions) {}

  get host(): string {
    return this.opts.host;
  }
  get port(): number {
    return this.boundPort;
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    // Port 0 picks a free UDP port, which some TCP socket may still hold: pick again a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.bind();
        return;
      } catch (err) {
        try {
          this.udp?.close();
        } catch {
          // never bound
        }
        this.udp = undefined;
        if (this.opts.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw err;
      }
    }
  }

  private async bind(): Promise<void> {
    const size = this.opts.udpBufferSize ?? DEFAULT_UDP_BUFFER;
    const udp = dgram.createSocket({ type: this.opts.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: size, sendBufferSize: size });
    this.udp = udp;
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, this.opts.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', () => {
      // Send errors (ICMP, EPERM) surface per datagram; the socket itself stays up.
    });
    udp.on('message', (buf, rinfo) => this.receive(buf, { transport: 'udp', address: rinfo.address, port: rinfo.port }));
    this.boundPort = udp.address().port;
    if (this.opts.tcp !== false) {
      const server = net.createServer((socket) => this.adopt(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.boundPort, this.opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.tcpServer = server;
    }
  }

  /**
   * Sends a message, or a message's wire text (`serializeText`: what a transaction keeps to resend);
   * `onError` hears about a failure the transport can see (TCP connect refused).
   */
  send(msg: SipMessage | string, to: Peer, onError?: (err: Error) => void): void {
    const bytes = Buffer.from(typeof msg === 'string' ? msg : serializeText(msg), 'utf8');
    this.counters.sent++;
    if (to.transport === 'udp') {
      // Without a callback dgram skips a nextTick per datagram; most sends (responses, ACKs) have no one to tell.
      if (onError) this.udp?.send(bytes, to.port, to.address, (err) => {
        if (err) onError(err);
      });
      else this.udp?.send(bytes, to.port, to.address);
      return;
    }
    let socket = this.connections.get(key(to.address, to.port));
    // A connection the peer has half-closed or that failed is no use: open a fresh one (§18.1.1, §18.2.2).
    if (socket && (socket.destroyed || !socket.writable)) {
      this.connections.delete(key(to.address, to.port));
      socket = undefined;
    }
    if (!socket) {
      socket = net.connect({ host: to.address, port: to.port });
      this.adopt(socket, to);
    }
    // Every message queued on a connection that then fails hears about it (connect refused, reset),
    // not only the one that opened it.
    socket.write(bytes, (err) => {
      if (err) onError?.(err);
    });
  }

  /** The UDP socket's buffers as the kernel set them (Linux reports twice what was asked, capped). */
  get udpBuffers(): { receive: number; send: number } | undefined {
    try {
      return this.udp ? { receive: this.udp.getRecvBufferSize(), send: this.udp.getSendBufferSize() } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Datagrams the kernel dropped for this socket because its receive buffer was full: the `drops`
   * column of /proc/net/udp (udp6 for IPv6), for the socket on our port. Undefined where not Linux.
   */
  udpDrops(): number | undefined {
    if (!this.udp || this.boundPort === 0) return undefined;
    const port = `:${this.boundPort.toString(16).toUpperCase().padStart(4, '0')}`;
    try {
      const table = readFileSync(this.opts.host.includes(':') ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
      let drops = 0;
      for (const line of table.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(port)) drops += Number(cols[cols.length - 1]) || 0;
      }
      return drops;
    } catch {
      return undefined;
    }
  }

  /** Whether a TCP connection to this peer is open (one it opened to us, or one we opened). */
  isOpen(peer: Peer): boolean {
    const socket = this.connections.get(key(peer.address, peer.port));
    return socket !== undefined && !socket.destroyed && socket.writable;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.connections.clear();
    await new Promise<void>((r) => (this.tcpServer ? this.tcpServer.close(() => r()) : r()));
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    this.udp = undefined;
    this.tcpServer = undefined;
  }

  private adopt(socket: net.Socket, peer?: Peer): void {
    const remote: Peer = peer ?? { transport: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const k = key(remote.address, remote.port);
    this.connections.set(k, socket);
    this.sockets.add(socket);
    const framer = new StreamFramer();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // RFC 5626 §4.4.1 keep-alive: a double CRLF "ping" gets a single CRLF "pong"; the framer
      // skips both as blank lines, and a stray CRLF between messages is harmless (§7.5).
      if (chunk.length === 4 && chunk.toString('latin1') === '\r\n\r\n') socket.write('\r\n');
      const { messages, error } = framer.push(chunk);
      for (const m of messages) this.receive(m, remote);
      // A stream that cannot be framed cannot be resynchronised: drop the connection.
      if (error) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.connections.get(k) === socket) this.connections.delete(k);
    });
  }

  private receive(buf: Buffer, from: Peer): void {
    this.counters.received++;
    const result = parseMessage(buf);
    try {
      if (result.ok) this.handlers?.onMessage(result.message, from);
      else {
        this.counters.malformed++;
        this.handlers?.onBadMessage(result, from);
      }
    } catch {
      // A bug above must not take the socket down; the message is lost like a dropped datagram.
      this.counters.malformed++;
    }
  }
}
