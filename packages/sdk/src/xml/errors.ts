/**
 * Raised while building a document: an attribute outside the element's whitelist (plivo.md §3.1,
 * §3.2, §4.2), a value of the wrong type, a missing body, or a character XML 1.0 cannot carry.
 *
 * @example
 * ```ts
 * try {
 *   new Response().addDial({ callerID: '1415' } as DialAttributes);
 * } catch (err) {
 *   if (err instanceof XmlBuildError) console.log(err.code, err.element, err.attribute); // XML_INVALID_ATTRIBUTE Dial callerID
 * }
 * ```
 */
export class XmlBuildError extends Error {
  override readonly name = 'XmlBuildError';
  readonly code: XmlBuildErrorCode;
  /** The element being built, e.g. `Dial`. */
  readonly element: string;
  /** The attribute at fault, when the problem is an attribute. */
  readonly attribute: string | undefined;

  constructor(code: XmlBuildErrorCode, element: string, attribute: string | undefined, message: string) {
    super(message);
    this.code = code;
    this.element = element;
    this.attribute = attribute;
  }
}

/**
 * Codes carried by {@link XmlBuildError}.
 *
 * @example
 * ```ts
 * const code: XmlBuildErrorCode = 'XML_INVALID_ATTRIBUTE';
 * ```
 */
export type XmlBuildErrorCode =
  | 'XML_INVALID_ATTRIBUTE'
  | 'XML_INVALID_VALUE'
  | 'XML_MISSING_BODY'
  | 'XML_INVALID_CHARACTER';
