/**
 * The engine's public REST API, as the dashboard uses it: every request goes to
 * `/v1/Account/{auth_id}/...` with HTTP Basic auth, exactly as any other API client would.
 */
import type { Session } from './session.ts';

/** An answer that is not 2xx, in Plivo's error shape (`error`, plus Switchboard's `code` and `param`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class Api {
  readonly base: string;
  private readonly auth: string;

  constructor(readonly session: Session, origin = '') {
    this.base = `${origin}/v1/Account/${encodeURIComponent(session.authId)}`;
    this.auth = 'Basic ' + btoa(`${session.authId}:${session.authToken}`);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: this.auth, ...extra };
  }

  /** `path` is relative to the account (`/Call/`), or absolute when it starts with `/v1/`. */
  url(path: string, q?: Query): string {
    return (path.startsWith('/v1/') ? path : this.base + path) + queryString(q);
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url(path, opts.query), {
        method,
        headers: this.headers(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'The engine could not be reached. Is `switchboard serve` running?');
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!res.ok) {
      const b = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; code?: string; param?: string };
      const msg = typeof b.error === 'string' ? b.error : Array.isArray(b.error) ? b.error.join('; ') : `HTTP ${res.status}`;
      throw new ApiError(res.status, msg, b.code, b.param);
    }
    return body as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
  del(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  /** A CSV export as a downloadable blob (the auth header rules out a plain link). */
  async download(path: string, query: Query, filename: string): Promise<void> {
    const res = await fetch(this.url(path, query), { headers: this.headers() });
    if (!res.ok) throw new ApiError(res.status, `export failed: HTTP ${res.status}`);
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
}
