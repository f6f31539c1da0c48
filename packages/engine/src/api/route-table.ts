/**
 * The router's own table of routes, collected as Fastify registers them: the route walk test covers
 * every entry (a new route is covered without editing the test), and a path that exists under
 * other methods answers 405 with `Allow` instead of 404 (plivo.md §1.2).
 */
import type { FastifyInstance, FastifySchema } from 'fastify';

/**
 * Who may call a route: everyone, the metrics scraper (see --metrics-auth), another node of the
 * cluster (the route checks the cluster secret itself: cluster/forward.ts), or an account (the default).
 */
export type Access = 'public' | 'metrics' | 'cluster' | 'account';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface RouteEntry {
  readonly method: string;
  /** The pattern as registered, e.g. `/v1/Account/:authId/Call/:callUuid/`. */
  readonly url: string;
  readonly access: Access;
  /** The route's JSON schemas (body, querystring, params, response): what api/openapi.ts documents. */
  readonly schema?: FastifySchema;
}

export class RouteTable {
  private readonly entries: RouteEntry[] = [];
  private readonly patterns: { re: RegExp; method: string }[] = [];

  /** Call before any route is registered. */
  collect(app: FastifyInstance): void {
    app.addHook('onRoute', (opts) => {
      const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
      const access = (opts.config as { access?: Access } | undefined)?.access ?? 'account';
      for (const method of methods) {
        this.entries.push({ method, url: opts.url, access, ...(opts.schema ? { schema: opts.schema } : {}) });
        // The dashboard's catch-all serves files; it says nothing about which methods a path allows.
        if (!opts.url.includes('*')) this.patterns.push({ re: toRegExp(opts.url), method });
      }
    });
  }

  get routes(): readonly RouteEntry[] {
    return this.entries;
  }

  /** Methods some route answers on `path` (its query removed), for `Allow`. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const p of this.patterns) if (p.re.test(path)) methods.add(p.method);
    return [...methods];
  }
}

/** `/v1/Account/:authId/Call/` -> a regexp for the decoded path, with or without the trailing slash. */
function toRegExp(url: string): RegExp {
  const body = url
    .replace(/\/$/, '')
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}
