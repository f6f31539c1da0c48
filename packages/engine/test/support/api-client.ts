/**
 * The tests' REST client for a running engine: a path relative to the account
 * (`Call/`) or from the root (`/healthz`), JSON in, JSON (or the raw text) out.
 */
import { request } from 'undici';

export type ApiCall = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  /** An Authorization header instead of the account's; null sends none. */
  auth?: string | null,
) => Promise<{ status: number; body: any }>;

export function apiClient(base: string, authId: string, authToken: string): ApiCall {
  const basic = 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64');
  return async (method, path, body, auth = basic) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth !== null) headers.authorization = auth;
    const url = path.startsWith('/') ? `${base}${path}` : `${base}/v1/Account/${authId}/${path}`;
    const res = await request(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, body: parsed };
  };
}
