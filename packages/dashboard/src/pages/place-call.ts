/**
 * Placing a test call and finding its call UUID: `POST /Call/` answers a request_uuid and
 * `POST /Simulator/Call/` a network leg id, so the call is found among the calls that appeared
 * since (live, queued, or already ended).
 */
import type { Api } from '../api/client.ts';
import type { Cdr, ListOf, LiveCall } from '../api/types.ts';
import { parseEngineTime } from '../format.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const digits = (n: string) => (n.startsWith('sip:') ? n : n.replace(/[^\d]/g, ''));

async function liveUuids(api: Api): Promise<string[]> {
  const [live, queued] = await Promise.all([
    api.get<{ calls: string[] }>('/Call/', { status: 'live' }),
    api.get<{ calls: string[] }>('/Call/', { status: 'queued' }).catch(() => ({ calls: [] as string[] })),
  ]);
  return [...live.calls, ...queued.calls];
}

async function findCall(api: Api, since: number, known: Set<string>, test: (c: { request_uuid?: string | null; direction: string; to: string; from: string }) => boolean, ended: Record<string, string>): Promise<string | null> {
  for (let i = 0; i < 40; i++) {
    for (const uuid of await liveUuids(api)) {
      if (known.has(uuid)) continue;
      known.add(uuid);
      const c = await api.get<LiveCall>(`/Call/${uuid}/`, { status: 'live' }).catch(() => null);
      if (c && !c.parent_call_uuid && test(c)) return uuid;
    }
    // It may have ended already (busy, failed): look at the newest ended calls.
    const list = await api.get<ListOf<Cdr>>('/Call/', { ...ended, limit: 20 });
    const hit = list.objects.find((c) => !c.parent_call_uuid && (parseEngineTime(c.initiation_time)?.getTime() ?? 0) >= since - 2000 && test({ request_uuid: c.request_uuid, direction: c.call_direction, to: c.to_number, from: c.from_number }));
    if (hit) return hit.call_uuid;
    await sleep(150);
  }
  return null;
}

export interface OutboundCall {
  from: string;
  to: string;
  answer_url: string;
  ring_url?: string;
  hangup_url?: string;
}

export async function placeOutbound(api: Api, body: OutboundCall): Promise<string | null> {
  const since = Date.now();
  const known = new Set(await liveUuids(api));
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v));
  const res = await api.post<{ request_uuid: string | string[] }>('/Call/', clean);
  const req = Array.isArray(res.request_uuid) ? res.request_uuid[0] : res.request_uuid;
  return findCall(api, since, known, (c) => c.request_uuid === req, { call_direction: 'outbound' });
}

export async function placeInbound(api: Api, body: { from: string; to: string; script?: string }): Promise<string | null> {
  const since = Date.now();
  const known = new Set(await liveUuids(api));
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v));
  await api.post('/Simulator/Call/', clean);
  return findCall(api, since, known, (c) => c.direction === 'inbound' && digits(c.to) === digits(body.to) && digits(c.from) === digits(body.from), { call_direction: 'inbound' });
}
