/**
 * Raised when a signing or verification call is given input it cannot sign: an HTTP method other
 * than GET/POST, a URL without a host, or an empty auth token. A wrong signature is never an
 * error — verification simply returns `false`.
 *
 * @example
 * ```ts
 * try {
 *   validateV3Signature('PUT' as 'GET', url, nonce, token, header);
 * } catch (err) {
 *   if (err instanceof SignatureInputError) console.log(err.code, err.parameter); // 'SIGNATURE_BAD_METHOD' 'method'
 * }
 * ```
 */
export class SignatureInputError extends Error {
  override readonly name = 'SignatureInputError';
  /** Stable machine-readable code. */
  readonly code: SignatureInputErrorCode;
  /** Name of the argument that was rejected. */
  readonly parameter: string;

  constructor(code: SignatureInputErrorCode, parameter: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.parameter = parameter;
  }
}

/**
 * Codes carried by {@link SignatureInputError}.
 *
 * @example
 * ```ts
 * const code: SignatureInputErrorCode = 'SIGNATURE_BAD_METHOD';
 * ```
 */
export type SignatureInputErrorCode =
  | 'SIGNATURE_BAD_METHOD'
  | 'SIGNATURE_BAD_URL'
  | 'SIGNATURE_MISSING_TOKEN'
  | 'SIGNATURE_BAD_PARAM';
