/**
 * A script that cannot be parsed or makes no sense. It names where (position, line, column) and
 * what was expected, so the API can return it as a 400 and the CLI can print it as is.
 */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
  readonly code = 'invalid_script';
  /** What is wrong, without the location. */
  readonly reason: string;
  /** 0-based character offset into the script. */
  readonly position: number;
  /** 1-based line (scripts from a config file may span lines). */
  readonly line: number;
  /** 1-based column within that line. */
  readonly column: number;

  constructor(reason: string, text: string, position: number) {
    const at = Math.max(0, Math.min(position, text.length));
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    const where = line > 1 || text.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
    super(text.trim() === '' ? reason : `${reason} at ${where}: "${excerpt(text, at)}"`);
    this.reason = reason;
    this.position = at;
    this.line = line;
    this.column = column;
  }
}

const EXCERPT_RADIUS = 30;

/** The script on one line; long scripts are cut to the part around the error. */
function excerpt(text: string, at: number): string {
  const flat = text.replace(/[\r\n\t]/g, ' ');
  if (flat.length <= EXCERPT_RADIUS * 2) return flat;
  const from = Math.max(0, at - EXCERPT_RADIUS);
  const to = Math.min(flat.length, at + EXCERPT_RADIUS);
  return `${from > 0 ? '...' : ''}${flat.slice(from, to)}${to < flat.length ? '...' : ''}`;
}
