/**
 * Raised by {@link parseWebhook} when a parameter is missing, not a string, or outside its
 * documented values. `parameter` names the offending field.
 *
 * @example
 * ```ts
 * try { parseWebhook(req.body); } catch (err) {
 *   if (err instanceof WebhookParseError) reply.code(400).send(`${err.parameter}: ${err.message}`);
 * }
 * ```
 */
export class WebhookParseError extends Error {
  override readonly name = 'WebhookParseError';
  readonly code: WebhookParseErrorCode;
  readonly parameter: string;

  constructor(code: WebhookParseErrorCode, parameter: string, message: string) {
    super(message);
    this.code = code;
    this.parameter = parameter;
  }
}

/**
 * Codes carried by {@link WebhookParseError}.
 *
 * @example
 * ```ts
 * const code: WebhookParseErrorCode = 'WEBHOOK_MISSING_PARAM';
 * ```
 */
export type WebhookParseErrorCode =
  | 'WEBHOOK_NOT_AN_OBJECT'
  | 'WEBHOOK_MISSING_PARAM'
  | 'WEBHOOK_NOT_A_STRING'
  | 'WEBHOOK_BAD_VALUE';
