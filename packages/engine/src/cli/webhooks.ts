/** `switchboard webhooks list|show|replay`: the delivery log of a running engine. */
import { UsageError } from './args.ts';
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';

type Delivery = {
  delivery_id: string;
  call_uuid: string;
  sequence: number;
  kind: string;
  event: string;
  method: string;
  url: string;
  status: string;
  attempt_count: number;
  created_at: string;
  next_attempt_at: string | null;
  last_error: string | null;
  attempts?: Array<{ attempt: number; time: string; status_code: number | null; latency_ms: number | null; error: string | null; response_excerpt: string | null }>;
};

export async function webhooksCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [verb, id] = positionals;
  const client = await connect(flags);
  switch (verb) {
    case 'list': {
      const q = new URLSearchParams();
      if (flags.status) q.set('status', flags.status);
      if (flags.match) q.set('url', flags.match);
      if (flags.call) q.set('call_uuid', flags.call);
      if (flags.kind) q.set('kind', flags.kind);
      q.set('limit', flags.limit ?? '20');
      const res = await client.call('GET', `Webhook/?${q}`);
      if (res.status !== 200) return fail(res.body);
      const rows = res.body.objects as Delivery[];
      if (flags.json) return emit(flags, res.body, () => {});
      for (const d of rows) {
        console.log(`${d.delivery_id}  ${d.created_at.slice(0, 19)}  ${d.status.padEnd(9)} ${String(d.attempt_count).padStart(2)}x  ${d.kind.padEnd(8)} ${d.method} ${d.url}${d.last_error ? `  (${d.last_error})` : ''}`);
      }
      console.log(`${rows.length} of ${(res.body.meta as { total_count: number }).total_count}`);
      return 0;
    }
    case 'show': {
      if (!id) throw new UsageError('webhooks show DELIVERY_ID');
      const res = await client.call('GET', `Webhook/${encodeURIComponent(id)}/`);
      if (res.status !== 200) return fail(res.body);
      if (flags.json) return emit(flags, res.body, () => {});
      const d = res.body as unknown as Delivery & { params: Record<string, string> };
      console.log(`${d.kind} ${d.event} ${d.method} ${d.url}\ncall ${d.call_uuid}  sequence ${d.sequence}  status ${d.status}${d.next_attempt_at ? `  next attempt ${d.next_attempt_at}` : ''}`);
      for (const [k, v] of Object.entries(d.params)) console.log(`  ${k}=${v}`);
      for (const a of d.attempts ?? []) {
        const excerpt = a.response_excerpt ? `  ${JSON.stringify(a.response_excerpt.slice(0, 80))}` : '';
        console.log(`attempt ${a.attempt}  ${a.time}  ${a.status_code ?? '-'}  ${a.latency_ms ?? '-'} ms${a.error ? `  ${a.error}` : ''}${excerpt}`);
      }
      return 0;
    }
    case 'replay': {
      const res = id
        ? await client.call('POST', `Webhook/${encodeURIComponent(id)}/Replay/`)
        : await client.call('POST', 'Webhook/Replay/', { status: flags.status ?? 'dead', ...(flags.match ? { url: flags.match } : {}), ...(flags.call ? { call_uuid: flags.call } : {}) });
      if (res.status !== 202) return fail(res.body);
      return emit(flags, res.body, () => console.log(String(res.body.message)));
    }
    default:
      throw new UsageError(`webhooks: expected list, show or replay, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}
