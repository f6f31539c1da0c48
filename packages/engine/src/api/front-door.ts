/**
 * The front door: who may call a route (docs/security.md). Deny by default — every route needs an
 * account's credentials unless the route itself says `access: 'public'` — decided on the route the
 * router matched, never on the raw URL (an encoded `%761`, `//v1`, `/./` or absolute-form target
 * lands on the same route and meets the same check). The path's `{auth_id}` must be the
 * authenticated account's. Failed authentications are counted per client address and answered 429
 * past the limit; each is logged without the token.
 */
import type { FastifyRequest } from 'fastify';
import { authenticate } from './auth.ts';
import type { AccountLookup, Principal } from '../accounts/principal.ts';
import { authFailed, forbidden, rateLimited, type ApiError, type AuthFailure } from './errors.ts';
import { retryAfterSeconds, WindowLimiter } from './rate-limit.ts';
import type { Access } from './route-table.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account; set on every route that is not public. */
    account?: Principal;
  }
}

export interface FrontDoorOptions {
  accounts: AccountLookup;
  /** Failed authentications per address per window; 0 = no limit. */
  failLimit: number;
  failWindowMs: number;
  metricsAuth: boolean;
  now: () => number;
  /** Each failure: logged and counted (never with the token). */
  onFailure?: (failure: { ip: string; reason: AuthFailure | 'limited'; authId?: string; method: string; route: string }) => void;
}

export class FrontDoor {
  private readonly failures: WindowLimiter | undefined;

  constructor(private readonly opts: FrontDoorOptions) {
    this.failures = opts.failLimit > 0 ? new WindowLimiter({ limit: opts.failLimit, windowMs: opts.failWindowMs, now: opts.now }) : undefined;
  }

  /** Whether a request to a route with this access needs credentials. */
  needsAccount(access: Access): boolean {
    return access === 'account' || (access === 'metrics' && this.opts.metricsAuth);
  }

  /**
   * The account the request acts as, or a thrown 401/429. `authIdFromPath` is the matched route's
   * `{auth_id}` parameter (already decoded by the router), when it has one.
   */
  admit(req: FastifyRequest, authIdFromPath: string | undefined): Principal {
    const ip = req.ip;
    const route = req.routeOptions.url ?? '(no route)';
    const blocked = this.failures?.blockedFor(ip) ?? 0;
    if (blocked > 0) {
      this.opts.onFailure?.({ ip, reason: 'limited', method: req.method, route });
      throw rateLimited(retryAfterSeconds(blocked));
    }
    const result = authenticate(req.headers.authorization, this.opts.accounts);
    let failure: AuthFailure | undefined;
    if (typeof result === 'string') failure = result;
    else if (authIdFromPath !== undefined && authIdFromPath !== result.authId) failure = 'account';
    if (failure === undefined) return result as Principal;
    // A request with no credentials is not a guess: only wrong ones count toward the limit.
    if (failure !== 'missing') this.failures?.record(ip);
    this.opts.onFailure?.({ ip, reason: failure, method: req.method, route, ...(typeof result !== 'string' ? { authId: result.authId } : {}) });
    throw authFailed(failure);
  }
}

/**
 * State-changing requests that carry an `Origin` (a browser's) must come from the page's own origin:
 * another site's page cannot drive the API through a browser that holds credentials.
 */
export function checkOrigin(req: FastifyRequest): ApiError | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== '' && host === req.headers.host) return undefined;
  return forbidden(`a ${req.method} from origin ${origin} (only the engine's own pages may change state from a browser)`);
}
