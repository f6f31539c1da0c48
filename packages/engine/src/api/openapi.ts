/**
 * The OpenAPI 3.1 document of the REST API (docs/api.md "OpenAPI"), built from the router's own
 * table at request time: every registered route is in it, with the JSON schemas its route options
 * carry (`schema.body`, `querystring`, `params`, `response`), so a new route appears without editing
 * a list here. Served at `GET /v1/openapi.json`, public like Plivo's published spec (docs/security.md).
 *
 * The schemas describe; the parsers in api/params/ decide. Fastify would otherwise compile each
 * schema into a validator (Ajv with type coercion, its own error texts) and a serializer that drops
 * undeclared fields: `documentingCompilers` turns both off, so requests keep Plivo's three body forms
 * and errors keep the catalogue's messages (api/errors.ts). test/openapi.test.ts checks real answers
 * of every route against the document.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { API_ERRORS } from './errors.ts';
import type { Access, RouteEntry } from './route-table.ts';

export const OPENAPI_PATH = '/v1/openapi.json';

type Json = Record<string, unknown>;

/** Route options' `schema`, with the OpenAPI words Fastify passes through untouched. */
export interface RouteSchema extends FastifySchema {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId?: string;
}

/** Request validation stays with api/params/ (see the file comment); responses are written as JSON.stringify would. */
export function documentingCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** The error body of every failure: Plivo's `api_id` + `error`, and the catalogue's `code` (and `param`). */
export const ERROR_SCHEMA = {
  title: 'Error',
  type: 'object',
  description: "Plivo's error shape plus Switchboard's stable `code` (docs/errors.md).",
  required: ['api_id', 'error', 'code'],
  properties: {
    api_id: { type: 'string' },
    error: { type: 'string', description: 'What went wrong, naming the parameter at fault first.' },
    code: { type: 'string', enum: Object.keys(API_ERRORS) },
    param: { type: 'string', description: 'The one request parameter at fault, when there is one.' },
  },
} as const;

const REASONS: Record<string, string> = {
  '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No Content', '400': 'Bad Request', '401': 'Unauthorized',
  '403': 'Forbidden', '404': 'Not Found', '409': 'Conflict', '429': 'Too Many Requests', '503': 'Service Unavailable',
};

/** `/v1/Account/:authId/Call/:callUuid/` -> `/v1/Account/{authId}/Call/{callUuid}/`; Fastify's `*` -> `{path}`. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        params.push('path');
        return '{path}';
      }
      if (!seg.startsWith(':')) return seg;
      const name = seg.slice(1).replace(/\(.*$/, '');
      params.push(name);
      return `{${name}}`;
    })
    .join('/');
  return { path, params };
}

function security(access: Access): Json[] {
  if (access === 'public') return [];
  // `--metrics-auth` decides: open by default, an account's credentials when set.
  if (access === 'metrics') return [{}, { basicAuth: [] }];
  return [{ basicAuth: [] }];
}

/** Schemas with a `title` become named components (and so named types in the clients); the rest stay inline. */
class Components {
  readonly schemas: Record<string, Json> = {};
  private readonly seen = new Map<string, string>();

  hoist(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.hoist(s));
    if (typeof schema !== 'object' || schema === null) return schema;
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) {
      // `examples` and `enum` hold data, not schemas.
      out[k] = k === 'examples' || k === 'enum' || k === 'const' || k === 'default' ? v : this.hoist(v);
    }
    const title = (schema as Json).title;
    if (typeof title !== 'string') return out;
    const text = JSON.stringify(out);
    const before = this.seen.get(title);
    if (before !== undefined && before !== text) throw new Error(`openapi: two different schemas are titled ${title}`);
    this.seen.set(title, text);
    this.schemas[title] = out;
    return { $ref: `#/components/schemas/${title}` };
  }
}

function tagOf(path: string): string {
  const m = /^\/v1\/Account\/\{authId\}\/([^/{]+)/.exec(path);
  if (m) return m[1]!;
  return path.startsWith('/v1/') ? (path.split('/')[2] ?? 'Account') : 'Engine';
}

function operation(route: RouteEntry, params: string[], path: string, components: Components): Json {
  const schema = (route.schema ?? {}) as RouteSchema & { params?: Json; querystring?: Json; body?: Json; response?: Record<string, Json> };
  const head = route.method === 'HEAD';
  const op: Json = { tags: schema.tags ?? [tagOf(path)] };
  if (schema.summary) op.summary = schema.summary;
  if (schema.description) op.description = schema.description;
  if (schema.operationId && !head) op.operationId = schema.operationId;

  const pathProps = ((schema.params as Json | undefined)?.properties ?? {}) as Record<string, Json>;
  const parameters: Json[] = params.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: components.hoist(pathProps[name] ?? { type: 'string' }),
    ...(name === 'authId' ? { description: "The account's auth_id (a subaccount's own)." } : {}),
  }));
  const query = schema.querystring as { properties?: Record<string, Json>; required?: string[] } | undefined;
  for (const [name, s] of Object.entries(query?.properties ?? {})) {
    const { description, ...rest } = s as Json & { description?: string };
    parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema: components.hoist(rest), ...(description ? { description } : {}) });
  }
  if (parameters.length > 0) op.parameters = parameters;

  if (schema.body && !head) {
    const body = components.hoist(schema.body);
    // Plivo's clients send JSON; curl and HTML forms send form fields: the parsers read both alike.
    op.requestBody = {
      required: ((schema.body as { required?: unknown[] }).required?.length ?? 0) > 0,
      content: { 'application/json': { schema: body }, 'application/x-www-form-urlencoded': { schema: body } },
    };
  }

  const responses: Json = {};
  for (const [code, s] of Object.entries(schema.response ?? {})) {
    const { description, content, ...rest } = s as Json & { description?: string; content?: Record<string, { schema: unknown }> };
    const text = description ?? REASONS[code] ?? 'Answer';
    if (head || code === '204') responses[code] = { description: text };
    // Fastify's per-type form (`content: {'text/event-stream': {schema}}`) for answers that are not JSON.
    else if (content) responses[code] = { description: text, content: Object.fromEntries(Object.entries(content).map(([type, c]) => [type, { schema: components.hoist(c.schema) }])) };
    else if (Object.keys(rest).length === 0) responses[code] = { description: text };
    else responses[code] = { description: text, content: { 'application/json': { schema: components.hoist(rest) } } };
  }
  if (Object.keys(responses).length === 0) responses['2XX'] = { description: 'Success (its shape is not documented yet)' };
  responses.default = head ? { description: 'An error (the body is left out on HEAD)' } : { $ref: '#/components/responses/Error' };
  op.responses = responses;
  op.security = security(route.access);
  return op;
}

/** The document for the routes registered so far. */
export function buildOpenApi(routes: readonly RouteEntry[], version: string): Json {
  const components = new Components();
  const errorRef = components.hoist(ERROR_SCHEMA);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.url);
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operation(route, params, path, components);
  }
  const sorted = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard REST API',
      version,
      description:
        "Plivo's Voice API (calls, applications, numbers, endpoints, recordings, PHLO runs) as Switchboard serves it, " +
        'and its own resources (simulator, webhook delivery log, timeline, flows, reports). Every path also answers without ' +
        'its trailing slash. Request bodies are JSON or form-encoded alike. docs/api.md.',
    },
    servers: [{ url: '/' }],
    security: [{ basicAuth: [] }],
    paths: sorted,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: 'HTTP Basic: the auth_id as user name, the auth_token as password.' },
      },
      responses: {
        Error: { description: "An error in Plivo's shape (docs/errors.md)", content: { 'application/json': { schema: errorRef } } },
      },
      schemas: Object.fromEntries(Object.keys(components.schemas).sort().map((k) => [k, components.schemas[k]])),
    },
  };
}

/** `GET /health` (api/server.ts). */
export const HEALTH_SCHEMA: RouteSchema = {
  summary: 'Health: the version and the number of live calls',
  tags: ['Engine'],
  response: {
    200: { type: 'object', required: ['status', 'version', 'live_calls'], properties: { status: { type: 'string', const: 'ok' }, version: { type: 'string' }, live_calls: { type: 'integer' } } },
  },
};

/** `GET /v1/openapi.json`: built once, on the first request, when every route is registered. */
export function openApiRoutes(app: FastifyInstance, routes: () => readonly RouteEntry[], version: string): void {
  let text: string | undefined;
  const schema: RouteSchema = {
    summary: 'This document',
    tags: ['Engine'],
    response: { 200: { description: 'OpenAPI 3.1', type: 'object', required: ['openapi', 'info', 'paths', 'components'], properties: { openapi: { type: 'string', const: '3.1.0' } } } },
  };
  app.get(OPENAPI_PATH, { config: { access: 'public' }, schema }, async (_req, reply) => {
    text ??= JSON.stringify(buildOpenApi(routes(), version), null, 2);
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
