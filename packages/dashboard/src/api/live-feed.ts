/**
 * The engine's live feed (`GET /Events/`, Server-Sent Events) read with `fetch`, because
 * `EventSource` cannot send the Basic auth header. Reconnects with backoff until closed.
 */
import type { Api } from './client.ts';

export interface FeedItem {
  id: number;
  kind: 'event' | 'delivery';
  time: string;
  at: number;
  call_uuid: string;
  /** event: the leg the event is about (the A leg or one of its B legs). */
  leg_uuid?: string;
  type?: string;
  data?: Record<string, unknown>;
  call_status?: string;
  /** delivery */
  delivery_id?: string;
  webhook?: string;
  event?: string;
  url?: string;
  status?: string;
  attempt?: number;
  status_code?: number | null;
  latency_ms?: number;
  error?: string | null;
  [key: string]: unknown;
}

export type FeedState = 'connecting' | 'open' | 'retrying' | 'closed';

export interface FeedOptions {
  callUuid?: string;
  onItem: (item: FeedItem) => void;
  onState?: (state: FeedState, detail?: string) => void;
}

/** Parses one SSE block (lines up to a blank line) into its event name and data. */
export function parseSseBlock(block: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : null;
}

export function openFeed(api: Api, opts: FeedOptions): () => void {
  const controller = new AbortController();
  let closed = false;
  let delay = 500;

  const run = async (): Promise<void> => {
    while (!closed) {
      opts.onState?.('connecting');
      try {
        const res = await fetch(api.url('/Events/', { call_uuid: opts.callUuid }), { headers: api.headers({ Accept: 'text/event-stream' }), signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        opts.onState?.('open');
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n?/g, '\n');
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const parsed = parseSseBlock(buf.slice(0, cut));
            buf = buf.slice(cut + 2);
            if (!parsed) continue;
            try {
              opts.onItem(JSON.parse(parsed.data) as FeedItem);
            } catch {
              // a malformed item is skipped, the stream goes on
            }
          }
        }
        if (!closed) opts.onState?.('retrying', 'the engine closed the stream');
      } catch (err) {
        if (closed) return;
        opts.onState?.('retrying', (err as Error).message);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => {
    closed = true;
    controller.abort();
    opts.onState?.('closed');
  };
}
