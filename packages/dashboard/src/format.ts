/** Times, durations and numbers as the viewer reads them: every time in the viewer's own zone. */

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 } as Intl.DateTimeFormatOptions);
const zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ?? zone;

/** The viewer's zone, for labels ("times in CET"). */
export function viewerZone(): string {
  return zoneName;
}

/** The engine writes UTC as `YYYY-MM-DD HH:MM:SS[.ffffff]+00:00`. */
export function parseEngineTime(s: string | null | undefined): Date | null {
  if (!s) return null;
  const iso = s.trim().replace(' ', 'T');
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + 'Z');
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toDate(t: string | number | Date | null | undefined): Date | null {
  if (t === null || t === undefined) return null;
  if (t instanceof Date) return t;
  if (typeof t === 'number') return new Date(t);
  return parseEngineTime(t);
}

export function fmtDateTime(t: string | number | Date | null | undefined): string {
  const d = toDate(t);
  return d ? dateTime.format(d) : '—';
}

export function fmtClock(t: string | number | Date | null | undefined): string {
  const d = toDate(t);
  return d ? timeOnly.format(d) : '—';
}

/** ISO text for a `<time datetime>` attribute. */
export function isoOf(t: string | number | Date | null | undefined): string | undefined {
  return toDate(t)?.toISOString();
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function fmtPercent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Digits-only numbers read better with their `+`; SIP URIs stay as they are. */
export function fmtNumber(n: string | null | undefined): string {
  if (!n) return '—';
  return /^\d+$/.test(n) ? `+${n}` : n;
}

/** A `datetime-local` input's value (the viewer's zone) as the engine's UTC filter text. */
export function localInputToEngine(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A Date as a `datetime-local` input's value in the viewer's zone. */
export function dateToLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
