/** CDR and webhook times: `YYYY-MM-DD HH:MM:SS+00:00` in UTC (engine.md §1, "Timestamps"). */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return `${dateTime(ms)}+00:00`;
}

/**
 * Plivo's microsecond times, where its recorded answers carry them (plivo.md §1.6 `session_start`
 * `2014-03-23 14:49:39.722551`; a PHLO's `created_on` `2018-11-14 04:41:31.827796+00:00`, §8).
 * The engine's clock counts milliseconds, so the last three digits are zeros. `offset` adds `+00:00`.
 */
export function formatTimeMicros(ms: number, opts: { offset?: boolean } = {}): string {
  const micros = String(Math.floor(((ms % 1000) + 1000) % 1000)).padStart(3, '0') + '000';
  return `${dateTime(ms)}.${micros}${opts.offset ? '+00:00' : ''}`;
}

function dateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Two digits; a function of the module, not a closure made per call (several times a webhook). */
function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Parses the list filter format `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (UTC) into ms; undefined when malformed. */
export function parseFilterTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, f] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, s ? +s : 0, f ? Math.floor(+f.padEnd(6, '0') / 1000) : 0);
  return Number.isNaN(ms) ? undefined : ms;
}
