/**
 * Reading the outbox back in tests: a delivery's stored attempts reduced to what the retry policy
 * decides (when, which attempt, what came back), and small helpers for receivers that fail.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RealClock } from '../../src/clock.ts';
import type { AttemptRow, DeliveryRow, Store } from '../../src/store/store.ts';

const wall = new RealClock();

/** What one stored attempt says, with its time in seconds from `origin`. */
export interface AttemptSummary {
  attempt: number;
  t: number;
  status: number | null;
  /** `ct`, `rt`, `tt` or `other` for an attempt without a usable response; null when a status came back. */
  error: string | null;
}

/** The kind prefix the outbox stores (`rt: read timeout ...`), so assertions need not match messages. */
export function errorKind(error: string | null): string | null {
  if (error === null) return null;
  const m = /^(ct|rt|tt|other): /.exec(error);
  return m ? m[1]! : `unclassified: ${error}`;
}

export function summarize(rows: readonly AttemptRow[], origin: number): AttemptSummary[] {
  return rows.map((a) => ({ attempt: a.attempt, t: (a.at - origin) / 1000, status: a.status_code, error: errorKind(a.error) }));
}

/** The call's deliveries of one kind (ring, answer, hangup, callback ...), in sequence order. */
export async function deliveriesOf(store: Store, callUuid: string, kind: string): Promise<DeliveryRow[]> {
  return (await store.listDeliveries(callUuid)).filter((d) => d.kind === kind).sort((a, b) => a.seq - b.seq);
}

export async function onlyDelivery(store: Store, callUuid: string, kind: string): Promise<DeliveryRow> {
  const rows = await deliveriesOf(store, callUuid, kind);
  if (rows.length !== 1) throw new Error(`expected one ${kind} delivery for call ${callUuid}, found ${rows.length}`);
  return rows[0]!;
}

/** A loopback port that was free a moment ago and has nothing listening: connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Polls `check` (real time) until it returns a value other than undefined. Scheduled retries do
 * not count as work for `settle()`, so a test that waits for a delivery to die polls the store.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waitUntil: ${what} did not happen within ${timeoutMs} ms`);
    await wall.sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return wall.sleep(ms);
}
