/**
 * The "app" of every end-to-end test: the capture server from src/webhooks/capture.ts plus
 * signature checks by the OFFICIAL `plivo` package, so a test proves that code written against
 * Plivo would accept each webhook (DESIGN.md "Tests": real peers, never mocks).
 */
import plivo from 'plivo';
import { CaptureServer, type CaptureOptions, type CapturedRequest } from '../../src/webhooks/capture.ts';

export type { CapturedRequest, Reply, RouteHandler, RouteMatcher, ScriptedResponse } from '../../src/webhooks/capture.ts';

export interface SignatureCheck {
  /** The account's token, for `X-Plivo-Signature-V3`. */
  authToken: string;
  /** When given, `X-Plivo-Signature-Ma-V3` must validate with it too. */
  mainAuthToken?: string;
}

/**
 * What an app does with `plivo.validateV3Signature`: the full URL it was called on, the nonce
 * header, and for POST the form parameters (for GET they already sit in the URL's query).
 */
function validates(req: CapturedRequest, token: string, header: string | undefined): boolean {
  const nonce = req.headers['x-plivo-signature-v3-nonce'];
  if (header === undefined || nonce === undefined) return false;
  const method = req.method === 'GET' ? 'GET' : 'POST';
  const params = method === 'POST' ? { ...req.params } : {};
  return plivo.validateV3Signature(method, req.url, nonce, token, header, params) === true;
}

/** True when the request's V3 signature (and Ma-V3, if a main token is given) is valid. */
export function verifySignature(req: CapturedRequest, authToken: string, mainAuthToken?: string): boolean {
  if (!validates(req, authToken, req.headers['x-plivo-signature-v3'])) return false;
  if (mainAuthToken !== undefined && !validates(req, mainAuthToken, req.headers['x-plivo-signature-ma-v3'])) return false;
  return true;
}

export class AppServer extends CaptureServer {
  /** Throws naming every request whose signature does not validate; returns how many were checked. */
  assertAllSigned(check: SignatureCheck): number {
    const all = this.requests();
    const bad = all.filter((r) => !verifySignature(r, check.authToken, check.mainAuthToken));
    if (bad.length > 0) {
      const list = bad.map((r) => `#${r.seq} ${r.method} ${r.url}`).join('; ');
      throw new Error(`${bad.length} of ${all.length} webhook(s) failed plivo.validateV3Signature: ${list}`);
    }
    return all.length;
  }
}

/**
 * Starts an app server on 127.0.0.1, a free port.
 *
 * @example
 * const app = await startAppServer();
 * app.on('/answer', '<Response><Dial><Number>15550001</Number></Dial></Response>');
 * const hangup = await app.waitFor((r) => r.path === '/hangup');
 * assert.ok(verifySignature(hangup, authToken));
 */
export function startAppServer(opts: CaptureOptions = {}): Promise<AppServer> {
  return new AppServer(opts).listen();
}
