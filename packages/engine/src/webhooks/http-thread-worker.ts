/**
 * The webhook thread's side (http-thread.ts): runs each attempt it is sent with `performAttempt`,
 * on agents of its own per client, and asks the engine's thread to resolve and check every host
 * before a socket opens to it.
 */
import { parentPort } from 'node:worker_threads';
import { RealClock } from '../clock.ts';
import { cpuSecondsOf } from '../util/proc-cpu.ts';
import { AgentPool, performAttempt, type AttemptEnv } from './http-attempt.ts';
import type { FromThread, ResolveFailure, ToThread } from './http-thread.ts';
import { checkedConnector, TargetRefusedError } from './target-policy.ts';

const port = parentPort!;
const clock = new RealClock();
const clients = new Map<number, AttemptEnv>();
const aborts = new Map<number, AbortController>();
const resolving = new Map<number, { resolve: (address: string) => void; reject: (err: Error) => void }>();
let nextResolve = 1;

/**
 * Messages for the engine's thread, posted as one batch once this turn's I/O callbacks have run
 * (`setImmediate`): the results of attempts answered in the same turn share a `postMessage`
 * (http-thread.ts, `outgoing`).
 */
let outgoing: FromThread[] = [];
const flush = () => {
  const batch = outgoing;
  outgoing = [];
  port.postMessage(batch);
};
const post = (m: FromThread) => {
  if (outgoing.length === 0) setImmediate(flush);
  outgoing.push(m);
};

/** The engine's `TargetPolicy.resolve`, one message away. */
function resolveOnEngine(client: number, hostname: string, p: number): Promise<string> {
  const id = nextResolve++;
  return new Promise((resolve, reject) => {
    resolving.set(id, { resolve, reject });
    post({ t: 'resolve', id, client, hostname, port: p });
  });
}

function rebuild(f: ResolveFailure): Error {
  return f.refused ? new TargetRefusedError(f.message) : Object.assign(new Error(f.message), f.code !== undefined ? { code: f.code } : {});
}

port.on('message', (batch: ToThread[]) => {
  for (const m of batch) receive(m);
});

function receive(m: ToThread): void {
  switch (m.t) {
    case 'open': {
      const agents = new AgentPool(m.connections, (timeout) => checkedConnector((h, p) => resolveOnEngine(m.client, h, p), { timeout }));
      clients.set(m.client, { agents, userAgent: m.userAgent, maxStored: m.maxStored, clock });
      return;
    }
    case 'send': {
      const env = clients.get(m.client)!;
      const abort = m.abortable ? new AbortController() : undefined;
      if (abort) aborts.set(m.id, abort);
      void performAttempt(env, m.req, abort?.signal).then((result) => {
        if (abort) aborts.delete(m.id);
        post({ t: 'result', id: m.id, result });
      });
      return;
    }
    case 'abort':
      aborts.get(m.id)?.abort(new Error(m.message));
      return;
    case 'close': {
      const env = clients.get(m.client);
      clients.delete(m.client);
      const done = () => post({ t: 'closed', id: m.id });
      if (env) env.agents.close().then(done, done);
      else done();
      return;
    }
    case 'resolved': {
      const r = resolving.get(m.id);
      resolving.delete(m.id);
      if (m.error) r?.reject(rebuild(m.error));
      else r?.resolve(m.address!);
      return;
    }
    case 'cpu':
      post({ t: 'cpu', id: m.id, seconds: cpuSecondsOf() });
      return;
  }
}

// Loaded: what was sent before this point waited in the port's queue and runs now.
post({ t: 'ready' });
