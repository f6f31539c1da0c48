// Reads one element's attributes with Plivo's value rules, so every element validator states
// only what is particular to it. Unknown attributes are warnings, bad values of known ones are
// errors naming the element, the attribute and the value (plivo.md §4.2).

import type { Method } from './elements.ts';
import { XmlError } from './xml-error.ts';
import type { XmlElementNode } from './xml-reader.ts';

export interface IntRule {
  /** Words after "a whole number of", e.g. "seconds"; default "". */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
}

export class AttributeReader {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly node: XmlElementNode,
    known: readonly string[],
    warnings: string[],
  ) {
    for (const a of node.attributes) {
      if (known.includes(a.name)) this.values.set(a.name, a.value);
      else warnings.push(`${node.name}: unknown attribute "${a.name}" ignored (line ${a.pos.line}, column ${a.pos.column})`);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw value as written (after entity decoding), or undefined when absent. */
  string(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Trimmed value; an empty value counts as absent. */
  trimmed(name: string): string | undefined {
    const v = this.values.get(name)?.trim();
    return v === '' ? undefined : v;
  }

  int(name: string, rule: IntRule = {}): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const text = raw.trim();
    const n = Number(text);
    if (!/^[+-]?[0-9]+$/.test(text) || !Number.isSafeInteger(n)) {
      const what = rule.unit ? `a whole number of ${rule.unit}` : 'a whole number';
      this.fail(name, `must be ${what}, got "${raw}"`);
    }
    if (rule.min !== undefined && rule.max !== undefined && (n < rule.min || n > rule.max)) {
      this.fail(name, `must be between ${rule.min} and ${rule.max}, got "${raw}"`);
    }
    if (rule.min !== undefined && n < rule.min) this.fail(name, `must be at least ${rule.min}, got "${raw}"`);
    if (rule.max !== undefined && n > rule.max) this.fail(name, `must be at most ${rule.max}, got "${raw}"`);
    return n;
  }

  /** Plivo writes booleans as `true`/`false`; any letter case is accepted. */
  bool(name: string): boolean | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const v = raw.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return this.fail(name, `must be true or false, got "${raw}"`);
  }

  /** GET or POST in any letter case (plivo.md §3.1: other methods are rejected). */
  method(name: string): Method | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const v = raw.trim().toUpperCase();
    if (v === 'GET' || v === 'POST') return v;
    return this.fail(name, `must be GET or POST, got "${raw}"`);
  }

  /** An absolute http(s) URL, trimmed; an empty value counts as absent. */
  url(name: string): string | undefined {
    const v = this.trimmed(name);
    if (v === undefined) return undefined;
    if (!isHttpUrl(v)) this.fail(name, `must be an absolute http or https URL, got "${this.values.get(name)}"`);
    return v;
  }

  /** One of a fixed set of words, compared without regard to letter case; returns the canonical spelling. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const v = raw.trim().toLowerCase();
    const hit = allowed.find((a) => a.toLowerCase() === v);
    if (hit === undefined) this.fail(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
    return hit;
  }

  fail(attribute: string, reason: string): never {
    throw new XmlError('attribute', `${this.node.name}: attribute "${attribute}" ${reason}`, this.node.pos, {
      element: this.node.name,
      attribute,
    });
  }
}

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}
