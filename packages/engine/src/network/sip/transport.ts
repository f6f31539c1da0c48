/**
 * UDP and TCP transports on one address (RFC 3261 §18). UDP first: trunks are UDP. TCP keeps one
 * connection per peer and reuses it both ways (§18.2.2 responses go back on the connection the
 * request came on). Bytes in are parsed here; what cannot be parsed is handed to `onBadMessage` so
 * the layer above can answer a broken request with 400. Nothing a peer sends can throw out of here.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { parseMessage, StreamFramer, type ParseResult } from './parser.ts';
import { serialize } from './serializer.ts';
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
  /** Kernel receive buffer for the UDP socket (spec/sip.md §3: 64 KiB drops calls under load). */
  readonly recvBufferSize?: number;
}

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
    const udp = dgram.createSocket({ type: this.opts.host.includes(':') ? 'udp6' : 'udp4', ...(this.opts.recvBufferSize ? { recvBufferSize: this.opts.recvBufferSize } : {}) });
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

  /** Sends a message; `onError` hears about a failure the transport can see (TCP connect refused). */
  send(msg: SipMessage, to: Peer, onError?: (err: Error) => void): void {
    const bytes = serialize(msg);
    this.counters.sent++;
    if (to.transport === 'udp') {
      this.udp?.send(bytes, to.port, to.address, (err) => {
        if (err) onError?.(err);
      });
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
