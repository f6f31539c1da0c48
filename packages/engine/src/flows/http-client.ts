/**
 * The HTTP Request node's client: undici through the engine's webhook target policy (the node's URL
 * is one more URL the engine fetches: target-policy.ts), with the node's timeout as an overall
 * deadline (connect, headers and the whole body: a server that trickles bytes cannot hold a flow
 * past it, issue 13 item 9) and a cap on what is kept of the body.
 */
import { Agent, request } from 'undici';
import { RealClock, type Clock } from '../clock.ts';
import { TargetPolicy, TargetRefusedError } from '../webhooks/target-policy.ts';
import type { HttpClient } from './run-context.ts';

const MAX_BODY_BYTES = 64 * 1024;

export interface FlowHttpOptions {
  /** Defaults to the built-in rules (no lists, no own addresses). */
  targets?: TargetPolicy;
  /** Times the deadline; real time by default (an I/O timeout, like the webhook sender's). */
  clock?: Clock;
}

/** A client for HTTP Request nodes; `close()` ends its keep-alive connections. */
export function createFlowHttp(opts: FlowHttpOptions = {}): HttpClient & { close(): Promise<void> } {
  const targets = opts.targets ?? new TargetPolicy();
  const clock = opts.clock ?? new RealClock();
  const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000, connect: targets.connector({ timeout: 10_000 }) });

  const client: HttpClient = async (req) => {
    const refused = targets.checkUrl(req.url);
    if (refused !== undefined) throw new TargetRefusedError(`refused by the webhook target policy: ${refused}`);
    const deadline = new AbortController();
    const timer = clock.setTimer(req.timeoutMs, () =>
      deadline.abort(new Error(`no complete answer within the node's timeout of ${req.timeoutMs} ms`)),
    );
    try {
      const res = await request(req.url, {
        dispatcher: agent,
        method: req.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
        headers: { 'user-agent': 'Switchboard-Flow', ...req.headers },
        body: req.body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: deadline.signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        chunks.push(buf.subarray(0, MAX_BODY_BYTES - size));
        size += Math.min(buf.length, MAX_BODY_BYTES - size);
        if (size >= MAX_BODY_BYTES) {
          res.body.destroy(); // the rest is not kept, so it is not read
          break;
        }
      }
      const ct = res.headers['content-type'];
      return { statusCode: res.statusCode, contentType: Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''), body: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (deadline.signal.aborted) throw deadline.signal.reason as Error;
      throw err;
    } finally {
      timer.cancel();
    }
  };
  return Object.assign(client, { close: () => agent.close() });
}

/** A client with the built-in rules only, for runners built outside an engine. */
export const undiciHttp: HttpClient = createFlowHttp();
