// The one error a client call rejects with when the engine answers non-2xx. The engine's answer
// keeps Plivo's shape (`api_id`, `error`) and adds a stable `code` and, when one parameter is at
// fault, `param` (docs/errors.md); this class carries each as a field so callers branch on `code`,
// never on the message (STYLE.md §6-§7).

/**
 * An error answer from the Switchboard API.
 *
 * @example
 * ```ts
 * try { await sb.calls.get('nope'); } catch (err) {
 *   if (err instanceof SwitchboardApiError && err.code === 'SB_NOT_FOUND') console.log(err.status); // 404
 * }
 * ```
 */
export class SwitchboardApiError extends Error {
  override readonly name = 'SwitchboardApiError';
  /** HTTP status of the answer (400, 401, 404, 409, ...). */
  readonly status: number;
  /**
   * The engine's stable code (`SB_INVALID_PARAM`, `SB_NOT_FOUND`, ... in docs/errors.md), or
   * `SB_HTTP_<status>` when the answer carried none (e.g. from a proxy in between).
   */
  readonly code: string;
  /** The request parameter at fault, when there is exactly one. */
  readonly param: string | undefined;
  /** The answer's `api_id`, to find the request in the engine's log. */
  readonly apiId: string | undefined;
  /** HTTP method and path of the request that failed. */
  readonly request: string;
  /** The answer's body, parsed when it was JSON. */
  readonly body: unknown;

  constructor(init: { status: number; code: string; message: string; param?: string | undefined; apiId?: string | undefined; request: string; body: unknown }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.param = init.param;
    this.apiId = init.apiId;
    this.request = init.request;
    this.body = init.body;
  }

  /** Builds the error from a non-2xx answer, whatever its body. */
  static fromResponse(status: number, request: string, text: string): SwitchboardApiError {
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the text.
    }
    const json = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return new SwitchboardApiError({
      status,
      code: str(json.code) ?? `SB_HTTP_${status}`,
      message: str(json.error) ?? `${request}: HTTP ${status}${typeof body === 'string' && body !== '' ? `: ${body.slice(0, 200)}` : ''}`,
      param: str(json.param),
      apiId: str(json.api_id),
      request,
      body,
    });
  }
}
