/** `switchboard tail`: the live event feed, one readable line per call event and delivery outcome. */
import { connect } from './client.ts';
import type { Flags } from './program.ts';

/** One line for one feed item; exported for tests. */
export function formatFeedItem(item: Record<string, unknown>): string {
  const time = String(item.time ?? '').slice(11, 19);
  const call = String(item.call_uuid ?? '').slice(0, 8);
  if (item.kind === 'event') {
    const leg = item.leg_uuid && item.leg_uuid !== item.call_uuid ? ` leg ${String(item.leg_uuid).slice(0, 8)}` : '';
    const data = item.data && typeof item.data === 'object' ? ' ' + compact(item.data as Record<string, unknown>) : '';
    const sends = Array.isArray(item.deliveries) && item.deliveries.length > 0 ? ` -> ${(item.deliveries as Array<{ kind: string }>).map((d) => d.kind).join(', ')}` : '';
    return `${time} ${call}${leg} ${item.type}${data}${sends}`;
  }
  const outcome =
    item.attempt !== undefined
      ? `attempt ${item.attempt}: ${item.status_code ?? item.error ?? '?'}${item.latency_ms !== undefined ? ` (${item.latency_ms} ms)` : ''}`
      : `${item.status}${item.status === 'pending' && item.next_attempt_at ? ` (retry at ${new Date(Number(item.next_attempt_at)).toISOString().slice(11, 19)})` : ''}${item.last_error ? `: ${item.last_error}` : ''}`;
  return `${time} ${call} webhook #${item.seq} ${item.webhook} ${item.url} ${outcome}`;
}

function compact(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

export async function tailCommand(flags: Flags): Promise<number> {
  const client = await connect(flags);
  const query = new URLSearchParams();
  if (flags.call) query.set('call_uuid', flags.call);
  if (flags.kind) query.set('kind', flags.kind);
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  process.once('SIGTERM', () => ac.abort());
  for await (const item of client.events(`Events/${query.size > 0 ? `?${query}` : ''}`, ac.signal)) {
    console.log(flags.json !== undefined ? JSON.stringify(item) : formatFeedItem(item));
  }
  return 0;
}
