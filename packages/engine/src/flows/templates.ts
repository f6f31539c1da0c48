/**
 * Liquid templates with Plivo's variable names (plivo.md §8: `{{Start.call.from}}`,
 * `{{Start.http.params.otp}}`, `{{NodeName.variable}}`), evaluated by liquidjs, a real Liquid
 * implementation. Unknown variables render empty, as on Plivo's canvas.
 */
import { Liquid } from 'liquidjs';

const liquid = new Liquid({ strictVariables: false, strictFilters: true, cache: 256 });

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
