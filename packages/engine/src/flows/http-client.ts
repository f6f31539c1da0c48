/** The HTTP Request node's client: undici, with the node's timeout and a cap on what is kept of the body. */
import { request } from 'undici';
import type { HttpClient } from './run-context.ts';

const MAX_BODY_BYTES = 64 * 1024;

export const undiciHttp: HttpClient = async (req) => {
  const res = await request(req.url, {
    method: req.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
    headers: { 'user-agent': 'Switchboard-Flow', ...req.headers },
    body: req.body,
    headersTimeout: req.timeoutMs,
    bodyTimeout: req.timeoutMs,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    if (size < MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const ct = res.headers['content-type'];
  return { statusCode: res.statusCode, contentType: Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''), body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8') };
};
