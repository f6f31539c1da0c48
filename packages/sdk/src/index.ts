/**
 * `@switchboard/sdk` — the root entry: everything an app imports, from one place. The XML builder,
 * webhook parsing, V3 signatures and the API client are re-exported as they are; the two request
 * verifiers, whose `plivoSignature` differs by framework, come as the `express` and `fastify`
 * namespaces. The subpaths (`@switchboard/sdk/xml`, `/signature`, `/webhooks`, `/client`,
 * `/express`, `/fastify`, `/redirect`) stay the way to import only one part (STYLE.md §13).
 *
 * @example
 * ```js
 * const { Response, validateV3Signature } = require('@switchboard/sdk');
 * const r = new Response();
 * r.addDial({ action: 'https://app.example/action' }).addNumber('15551230001');
 * ```
 * @module
 */
export * from './xml/index.ts';
export * from './signature/index.ts';
export * from './webhooks/index.ts';
export * from './client/index.ts';
// Both declare the same 'GET' | 'POST'; the XML one is the one named here.
export type { HttpMethod } from './xml/index.ts';
export * as express from './middleware/express.ts';
export * as fastify from './middleware/fastify.ts';
