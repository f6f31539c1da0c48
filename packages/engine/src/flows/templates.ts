/**
 * Liquid templates with Plivo's variable names (plivo.md §8: `{{Start.call.from}}`,
 * `{{Start.http.params.otp}}`, `{{NodeName.variable}}`), evaluated by liquidjs, a real Liquid
 * implementation. Unknown variables render empty, as on Plivo's canvas.
 */
import { Liquid } from 'liquidjs';

/**
 * liquidjs's own DoS limits (issue 13 item 9): a flow is written by an API client, and a template
 * like `{% for i in (1..100000000) %}` must end with an error, not hold the engine.
 * - parseLimit: characters parsed in one call; flow fields are short, 100 000 is ample.
 * - renderLimit: milliseconds one render may take; real templates take well under one.
 * - memoryLimit: liquidjs's count of characters / items created (strings, arrays) in one render.
 */
export const TEMPLATE_LIMITS = { parseLimit: 100_000, renderLimit: 500, memoryLimit: 10_000_000 } as const;

const liquid = new Liquid({ strictVariables: false, strictFilters: true, cache: 256, ...TEMPLATE_LIMITS });

/** Throws with liquidjs's message when the template does not parse (used when a flow is saved). */
export function checkTemplate(template: string): void {
  liquid.parse(template);
}

export type Variables = Record<string, unknown>;

export async function render(template: string, vars: Variables): Promise<string> {
  if (!template.includes('{')) return template;
  return liquid.parseAndRender(template, vars);
}

export async function renderMap(map: Readonly<Record<string, string>>, vars: Variables): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = await render(v, vars);
  return out;
}
