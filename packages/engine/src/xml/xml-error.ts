import type { SourcePos } from './elements.ts';

/**
 * What went wrong, as a stable code the interpreter and the dashboard can branch on
 * without parsing the message.
 */
export type XmlErrorCode =
  /** Over the 100 KB limit (engine.md §1, "XML tolerance"). */
  | 'too-large'
  /** Not well-formed XML: unclosed tags, bad names, stray characters. */
  | 'malformed'
  /** A DOCTYPE / DTD, which we never process (engine.md §1). */
  | 'dtd'
  /** An entity other than the five predefined ones and numeric references. */
  | 'entity'
  /** Elements nested deeper than the parser allows. */
  | 'too-deep'
  /** The root is not `<Response>`. */
  | 'root'
  /** An element name Plivo does not have. */
  | 'unknown-element'
  /** A known element in a place Plivo does not allow it (plivo.md §4.1). */
  | 'nesting'
  /** Text where only elements may be, or an empty body where one is required. */
  | 'content'
  /** A known attribute with a value Plivo would reject. */
  | 'attribute';

/** Raised (and returned by `parseResponse`) for any document Switchboard cannot run. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly code: XmlErrorCode;
  readonly line: number;
  readonly column: number;
  /** The element the problem is in, when there is one. */
  readonly element?: string;
  /** The attribute whose value is wrong, when there is one. */
  readonly attribute?: string;
  /** The message without its `(line L, column C)` suffix. */
  readonly reason: string;

  constructor(
    code: XmlErrorCode,
    reason: string,
    pos: SourcePos,
    where: { element?: string; attribute?: string } = {},
  ) {
    super(`${reason} (line ${pos.line}, column ${pos.column})`);
    this.code = code;
    this.reason = reason;
    this.line = pos.line;
    this.column = pos.column;
    if (where.element !== undefined) this.element = where.element;
    if (where.attribute !== undefined) this.attribute = where.attribute;
  }
}
