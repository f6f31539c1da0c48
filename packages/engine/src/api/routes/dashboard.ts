/**
 * The dashboard (packages/dashboard, built into its dist/) served at `/`: its files by path, and
 * index.html for the dashboard's own pages (`/calls/{uuid}`) so they load when opened directly.
 * The files and pages are public; any other path (the API's `/v1/` among them) is the API's 404 in
 * Plivo's shape, told only to an account (`deny`), as everywhere else.
 * `SWITCHBOARD_DASHBOARD_DIR` points elsewhere (a packaged build).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { newId } from '../../util/ids.ts';
import { notFound, toPlivoBody } from '../errors.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../../../dashboard/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** First path segments of the dashboard's pages (packages/dashboard/src/app.tsx). */
const PAGES = new Set(['', 'live', 'calls', 'simulator', 'reports', 'numbers', 'flows']);

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Switchboard</title>
<p>The dashboard is not built. Run <code>npm run build -w @switchboard/dashboard</code> (or <code>npm start</code>, which builds it when missing).
The API is at <code>/v1/</code>.</p>`;

async function fileAt(path: string): Promise<{ size: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size } : null;
  } catch {
    return null;
  }
}

export function dashboardRoutes(app: FastifyInstance, deny: (req: FastifyRequest) => void, dir = process.env.SWITCHBOARD_DASHBOARD_DIR ?? DEFAULT_DIR): void {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);

  const send = (reply: FastifyReply, path: string, size: number, head: boolean) => {
    // Vite names built assets by content hash: they never change; index.html always may.
    const immutable = path.startsWith(join(root, 'assets') + sep);
    void reply
      .header('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
      .header('content-length', size)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff');
    return reply.send(head ? '' : createReadStream(path));
  };

  app.route<{ Params: { '*': string } }>({
    method: ['GET', 'HEAD'],
    url: '/*',
    config: { access: 'public' },
    // Documented for api/openapi.ts: files of any type; a path under /v1/ that no route has is a 404.
    schema: { summary: "The dashboard's files (docs/dashboard.md); a page's path serves index.html", tags: ['Dashboard'], response: { 200: { description: 'The file' } } } as FastifySchema,
    handler: async (req, reply) => {
      const path = req.url.split('?')[0]!;
      const notFoundHere = () => {
        deny(req);
        return reply.code(404).send(toPlivoBody(notFound('resource', `${req.method} ${path}`), newId()));
      };
      if (/^\/v1(\/|$)/i.test(path)) return notFoundHere();
      const head = req.method === 'HEAD';
      let rel: string;
      try {
        rel = decodeURIComponent(path);
      } catch {
        rel = '/';
      }
      const file = normalize(join(root, rel));
      if (file.startsWith(root) && !rel.endsWith('/')) {
        const found = await fileAt(file);
        if (found) return send(reply, file, found.size, head);
      }
      // `//v1/...` has an empty first segment like `/`: only `/` itself is the root page.
      const page = rel.split('/')[1] ?? '';
      if (!PAGES.has(page) || (page === '' && rel !== '/')) return notFoundHere();
      const index = join(root, 'index.html');
      const found = await fileAt(index);
      if (!found) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      return send(reply, index, found.size, head);
    },
  });
}
