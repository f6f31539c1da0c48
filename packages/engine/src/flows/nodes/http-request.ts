/**
 * HTTP Request (plivo.md §8): method, URL, headers, basic/bearer auth, query params, a form or
 * JSON body. `success` for a 2xx answer, `failed` otherwise (including no answer at all).
 * Variables: `status_code`, `content_type`, `response` (the JSON body's keys, or the text).
 */
import type { HttpRequestNode } from '../flow-schema.ts';
import { renderMap } from '../templates.ts';
import type { NodeResult, RunContext } from '../run-context.ts';

export async function httpRequest(node: HttpRequestNode, rc: RunContext): Promise<NodeResult> {
  const target = await rc.render(node.url);
  let url: URL;
  try {
    url = new URL(target.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return failed(`url: "${target}" is not an absolute http(s) URL`);
  }
  for (const [k, v] of Object.entries(await renderMap(node.params, rc.vars))) url.searchParams.append(k, v);
  const headers = await renderMap(node.headers, rc.vars);
  if (node.auth?.type === 'basic') {
    const user = await rc.render(node.auth.username);
    const pass = await rc.render(node.auth.password);
    headers['authorization'] = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
  } else if (node.auth?.type === 'bearer') {
    headers['authorization'] = `Bearer ${await rc.render(node.auth.token)}`;
  }
  let body: string | undefined;
  if (node.body) {
    const data = await renderMap(node.body.data, rc.vars);
    if (node.body.type === 'json') {
      body = JSON.stringify(data);
      headers['content-type'] ??= 'application/json';
    } else {
      body = new URLSearchParams(data).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
  }
  const request = { method: node.method, url: url.toString(), ...(body !== undefined && { body }) };
  try {
    const res = await rc.http({ ...request, headers, timeoutMs: node.timeout * 1000 });
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      state: ok ? 'success' : 'failed',
      variables: { request, status_code: res.statusCode, content_type: res.contentType, response: parseBody(res.body, res.contentType) },
    };
  } catch (err) {
    return failed((err as Error).message, request);
  }
}

function failed(error: string, request?: unknown): NodeResult {
  return { state: 'failed', variables: { ...(request !== undefined && { request }), status_code: 0, content_type: '', response: '', error } };
}

/** JSON answers expose their keys to later nodes (`{{Report.response.id}}`); anything else is text. */
function parseBody(text: string, contentType: string): unknown {
  if (/json/i.test(contentType) || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON after all
    }
  }
  return text;
}
