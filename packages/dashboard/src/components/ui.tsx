/** Small building blocks every page shares: status badges, times, facts, empty / error / loading states. */
import type { ReactNode } from 'react';
import { explainError } from '../explain.ts';
import { fmtDateTime, fmtClock, isoOf } from '../format.ts';

export function Time({ value, clock = false }: { value: string | number | null | undefined; clock?: boolean }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <time dateTime={isoOf(value)}>{clock ? fmtClock(value) : fmtDateTime(value)}</time>;
}

const TONES: Record<string, string> = {
  completed: 'ok', delivered: 'ok', 'in-progress': 'ok', answered: 'ok', success: 'ok', ok: 'ok',
  ringing: 'info', queued: 'info', pending: 'info', 'early-media': 'info', running: 'info', originated: 'info',
  busy: 'warn', 'no-answer': 'warn', cancel: 'warn', timeout: 'warn', retrying: 'warn',
  failed: 'bad', dead: 'bad', error: 'bad',
};

export function Badge({ value, tone }: { value: string; tone?: string }) {
  return <span className={`badge tone-${tone ?? TONES[value] ?? 'plain'}`}>{value}</span>;
}

export function ErrorBox({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{explainError(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** An action's error in a line of its own (a row's Remove, an export, a hang-up), or nothing. */
export function ErrorNote({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="error-box" role="alert">
      {message}
    </p>
  );
}

/** One term and its value in a `<dl>` of facts (a call's summary, a report's totals). */
export function Fact({ term, title, className, children }: { term: string; title?: string; className?: string; children: ReactNode }) {
  return (
    <div>
      <dt title={title}>{term}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}
