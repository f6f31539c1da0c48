// Field-by-field access to webhook parameters.
import { WebhookParseError } from './errors.ts';

/**
 * Reads webhook fields one by one, converting them and remembering which keys were used, so
 * that whatever is left over ends up in `raw` untouched.
 *
 * @example
 * ```ts
 * const r = new FieldReader({ Duration: '12', X: 'y' });
 * r.integer('Duration'); // 12
 * r.rest(); // { X: 'y' }
 * ```
 */
export class FieldReader {
  private readonly params: Readonly<Record<string, unknown>>;
  private readonly used = new Set<string>();

  constructor(params: unknown) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new WebhookParseError('WEBHOOK_NOT_AN_OBJECT', '(params)', `webhook parameters must be an object, got ${params === null ? 'null' : typeof params}`);
    }
    this.params = params as Record<string, unknown>;
  }

  /** The value of `name`, or undefined when absent; non-string values are an error. */
  optional(name: string): string | undefined {
    this.used.add(name);
    if (!Object.hasOwn(this.params, name)) return undefined;
    const value = this.params[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw new WebhookParseError('WEBHOOK_NOT_A_STRING', name, `${name} must be a single string value, got ${Array.isArray(value) ? 'an array' : typeof value}`);
    }
    return value;
  }

  /** Looks at a string value without consuming it (it stays in `rest()`). */
  peek(name: string): string | undefined {
    const value = Object.hasOwn(this.params, name) ? this.params[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  /** Like {@link optional}, but an empty string also counts as absent. */
  nonEmpty(name: string): string | undefined {
    const value = this.optional(name);
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new WebhookParseError('WEBHOOK_MISSING_PARAM', name, `${name} is missing`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    return checkOneOf(name, this.required(name), allowed);
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.nonEmpty(name);
    return value === undefined ? undefined : checkOneOf(name, value, allowed);
  }

  /** A whole number of seconds or a code; required. */
  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw new WebhookParseError('WEBHOOK_MISSING_PARAM', name, `${name} is missing`);
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.nonEmpty(name);
    if (value === undefined) return undefined;
    if (!/^-?[0-9]{1,15}$/.test(value)) {
      throw new WebhookParseError('WEBHOOK_BAD_VALUE', name, `${name} must be a whole number, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  }

  boolean(name: string): boolean {
    return checkOneOf(name, this.required(name), ['true', 'false'] as const) === 'true';
  }

  /** All `X-PH-*` custom SIP headers (plivo.md §2.3), matched case-insensitively. */
  sipHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(this.params)) {
      if (key.toLowerCase().startsWith('x-ph-')) {
        const value = this.optional(key);
        if (value !== undefined) out[key] = value;
      }
    }
    return out;
  }

  /** Every key not read so far. */
  rest(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(this.params)) {
      if (this.used.has(key)) continue;
      const value = this.optional(key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

function checkOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new WebhookParseError('WEBHOOK_BAD_VALUE', name, `${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
}
