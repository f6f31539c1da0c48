/**
 * `npm run openapi:types`: the clients' API types, generated from the engine's OpenAPI document
 * (`GET /v1/openapi.json`, docs/api.md "OpenAPI") with openapi-typescript, into the SDK's
 * `src/client/api-types.ts`. The SDK's client types and the dashboard's are aliases of these;
 * test/openapi.test.ts fails when the checked-in file is not what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { startHarness } from './harness.ts';

export const API_TYPES_FILE = fileURLToPath(new URL('../../../sdk/src/client/api-types.ts', import.meta.url));

const HEADER = `/**
 * The REST API's shapes, generated from the engine's OpenAPI document (GET /v1/openapi.json) by
 * \`npm run openapi:types\` with openapi-typescript. Do not edit: change the route's schema
 * (packages/engine/src/api/routes/*.ts, api/openapi-schemas.ts) and run the script again.
 */

`;

/**
 * The named shapes (components) and the operations that have an operationId: the clients call
 * those; the rest (HEAD twins, the not-supported catch-alls) would only add bulk.
 */
function forClients(doc: Record<string, any>): Record<string, any> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
    const kept = Object.entries(item).filter(([method, op]) => method !== 'head' && op.operationId !== undefined);
    if (kept.length > 0) paths[path] = Object.fromEntries(kept);
  }
  return { ...doc, paths };
}

export async function renderApiTypes(doc: unknown): Promise<string> {
  // Request fields with a default stay optional (the engine fills them in).
  const ast = await openapiTS(forClients(doc as Record<string, any>) as Parameters<typeof openapiTS>[0], { immutable: true, alphabetize: true, defaultNonNullable: false });
  return HEADER + astToString(ast);
}

/** The document of a fresh engine (its version and every route it registers). */
export async function fetchDocument(): Promise<unknown> {
  const h = await startHarness();
  try {
    const res = await fetch(`${h.base}/v1/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /v1/openapi.json: ${res.status}`);
    return await res.json();
  } finally {
    await h.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = await renderApiTypes(await fetchDocument());
  writeFileSync(API_TYPES_FILE, text);
  console.log(`wrote ${API_TYPES_FILE}`);
}
