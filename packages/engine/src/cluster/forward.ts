/**
 * Control from any node (docs/scaling.md, "Control from any node"). A live call runs on one node;
 * a request to act on it (hang up, transfer, Play/Speak/DTMF, Record, cancel its request) that
 * reaches another node is sent on to the owner's advertised URL; a hang-up-all goes to every node; on the internal route `POST /cluster/v1/Forward/`, with
 * the cluster secret. The owner replays it through its own API (inject), so the account's
 * credentials, the parameters and the answer are exactly those of a request made to it directly.
 * An owner that is dead answers SB_OWNER_UNAVAILABLE in Plivo's shape: its takeover will end the
 * call within a lease.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SwitchboardServer } from '../api/server.ts';
import { authFailed, ownerUnavailable } from '../api/errors.ts';
import { canSee } from '../accounts/ownership.ts';
import { isLiveStatus } from '../domain/causes.ts';
import type { ClusterStore, NodeRow } from '../store/cluster-store.ts';
import type { Store } from '../store/store.ts';
import type { Registry } from '../calls/registry.ts';

export const FORWARD_ROUTE = '/cluster/v1/Forward/';
/** Carries the cluster secret on the nodes' requests to each other. */
export const SECRET_HEADER = 'x-switchboard-cluster-secret';
/** Marks a replayed request, so that it is never forwarded again (no loops between nodes). */
const FORWARDED_HEADER = 'x-switchboard-forwarded-by';
/** Routes whose `:callUuid` names a live call to act on; every method but GET/HEAD is forwarded. */
const CALL_ROUTE = '/v1/Account/:authId/Call/:callUuid/';
/** Hang up every call of the account: every node hangs up its own (sent to each live node). */
const ALL_CALLS_ROUTE = '/v1/Account/:authId/Call/';
/** Cancel a request's calls: they run on the node that placed them. */
const REQUEST_ROUTE = '/v1/Account/:authId/Request/:requestUuid/';

interface ForwardBody {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ForwardingOptions {
  nodeId: string;
  secret: string;
  store: Store;
  cluster: ClusterStore;
  registry: Registry;
  /** Time the owner has to answer, ms. */
  timeoutMs?: number;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of the header with the secret. */
function admits(secret: string, header: string | string[] | undefined): boolean {
  return typeof header === 'string' && timingSafeEqual(digest(header), digest(secret));
}

/** Whether the node is alive by its row (the database's verdict, as of the row's read). */
function alive(node: NodeRow | undefined, nowMs: number): node is NodeRow & { advertise_url: string } {
  return node !== undefined && (node.state === 'live' || node.state === 'draining') && node.lease_until >= nowMs && node.advertise_url !== null;
}

/** Registers the internal route and the hook that forwards live-call control to the owner. */
export function installForwarding(app: SwitchboardServer, o: ForwardingOptions): void {
  const timeoutMs = o.timeoutMs ?? 10_000;

  app.post<{ Body: ForwardBody }>(
    FORWARD_ROUTE,
    {
      config: { access: 'cluster' },
      // Before the body is read: a request without the secret learns nothing.
      onRequest: async (req) => {
        if (!admits(o.secret, req.headers[SECRET_HEADER])) throw authFailed('bad');
      },
    },
    async (req, reply) => {
      const b = req.body;
      const res = await app.inject({
        method: b.method as 'POST',
        url: b.url,
        headers: { ...b.headers, [FORWARDED_HEADER]: o.nodeId },
        payload: b.body,
      });
      const type = res.headers['content-type'];
      if (typeof type === 'string') void reply.header('content-type', type);
      return reply.code(res.statusCode).send(res.body);
    },
  );

  /** The request as the owner replays it: the client's credentials and body, nothing else. */
  const replayOf = (req: FastifyRequest): ForwardBody => {
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    return { method: req.method, url: req.url, headers, body: rawBody(req) };
  };
  const send = (to: string, body: ForwardBody): Promise<Response> =>
    fetch(`${to}${FORWARD_ROUTE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SECRET_HEADER]: o.secret },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'DELETE' || req.headers[FORWARDED_HEADER] !== undefined) return;
    const route = req.routeOptions.url;
    if (route === ALL_CALLS_ROUTE) {
      // Every other live node hangs up its own calls of the account; this node's route does its own.
      const now = Date.now();
      const others = (await o.cluster.listNodes()).filter((n) => n.node_id !== o.nodeId && alive(n, now));
      const body = replayOf(req);
      await Promise.all(others.map((n) => send(n.advertise_url!, body).then((r) => r.arrayBuffer(), () => undefined)));
      return;
    }
    if (route === REQUEST_ROUTE) {
      const requestUuid = (req.params as { requestUuid?: string }).requestUuid;
      if (requestUuid === undefined || o.registry.byRequestUuid(requestUuid).length > 0) return;
      const row = (await o.store.getCallsByRequest(requestUuid)).find((r) => isLiveStatus(r.call_status) && r.node_id !== o.nodeId && canSee(req.account, r.account_id));
      if (!row) return; // the route answers (not found)
      const owner = await o.cluster.getNode(row.node_id);
      if (!alive(owner, Date.now())) throw ownerUnavailable(row.call_uuid, row.node_id);
      let res: Response;
      try {
        res = await send(owner.advertise_url, replayOf(req));
      } catch (err) {
        throw ownerUnavailable(row.call_uuid, row.node_id, err);
      }
      return relay(reply, res);
    }
  });

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const route = req.routeOptions.url;
    if (route === undefined || !route.startsWith(CALL_ROUTE) || req.headers[FORWARDED_HEADER] !== undefined) return;
    const uuid = (req.params as { callUuid?: string }).callUuid;
    if (uuid === undefined || o.registry.get(uuid)) return; // ours: the route acts on it
    const row = await o.store.getCall(uuid);
    if (!row || !isLiveStatus(row.call_status) || row.node_id === o.nodeId || !canSee(req.account, row.account_id)) return; // the route answers
    const owner = await o.cluster.getNode(row.node_id);
    if (!alive(owner, Date.now())) throw ownerUnavailable(uuid, row.node_id);
    let res: Response;
    try {
      res = await send(owner.advertise_url, replayOf(req));
    } catch (err) {
      throw ownerUnavailable(uuid, row.node_id, err);
    }
    return relay(reply, res);
  });
}

/** The owner's answer, as it gave it. */
async function relay(reply: FastifyReply, res: Response): Promise<FastifyReply> {
  const type = res.headers.get('content-type');
  if (type) void reply.header('content-type', type);
  const text = await res.text();
  return reply.code(res.status).send(text);
}

/** The body as the client sent it, re-encoded in its own content type. */
function rawBody(req: FastifyRequest): string {
  const b = req.body;
  if (b === undefined || b === null) return '';
  if (typeof b === 'string') return b;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
      for (const one of Array.isArray(v) ? v : [v]) p.append(k, String(one));
    }
    return p.toString();
  }
  return JSON.stringify(b);
}
