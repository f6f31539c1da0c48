/**
 * Live conferences (docs/conference.md): each room of the account with its members, refreshed every
 * two seconds from the Conference API, with Mute / Unmute and Kick buttons per member.
 */
import { useEffect, useState } from 'react';
import { useApi } from '../api/context.tsx';
import type { Api } from '../api/client.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Badge, Empty, ErrorBox, ErrorNote, Loading, PageHeader } from '../components/ui.tsx';
import { useAction } from '../components/use-action.ts';
import { useResource } from '../components/use-resource.ts';
import { fmtDuration, fmtNumber } from '../format.ts';
import { Link, useTitle } from '../router.tsx';

/** A member as `GET /Conference/{name}/` lists it (Plivo's shape). */
interface Member {
  member_id: string;
  call_uuid: string;
  from: string;
  to: string;
  direction: string;
  muted: boolean;
  deaf: boolean;
  join_time: string;
}

interface Conference {
  conference_name: string;
  conference_uuid?: string;
  conference_run_time: string;
  conference_member_count: string;
  members: Member[];
}

const REFRESH_MS = 2000;

async function loadRooms(api: Api, signal: AbortSignal): Promise<Conference[]> {
  const list = await api.get<{ conferences: string[] }>('/Conference/', undefined, signal);
  // A room may end between the list and its get: it is simply not shown.
  const rooms = await Promise.all(list.conferences.map((name) => api.get<Conference>(`/Conference/${encodeURIComponent(name)}/`, undefined, signal).catch(() => undefined)));
  return rooms.filter((r): r is Conference => r !== undefined);
}

export function ConferencesPage() {
  useTitle('Conferences');
  const api = useApi();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const res = useResource((signal) => loadRooms(api, signal), [api, tick]);
  const action = useAction();

  const member = (room: string, m: Member, verb: 'POST' | 'DELETE', what: string) =>
    action.run(async () => {
      await api.request(verb, `/Conference/${encodeURIComponent(room)}/Member/${encodeURIComponent(m.member_id)}/${what}/`);
      res.reload();
    }, `${what === 'Kick' ? 'Kick' : verb === 'POST' ? 'Mute' : 'Unmute'} member ${m.member_id}`);

  if (res.error !== undefined && !res.data) return <ErrorBox error={res.error} title="Could not load the conferences" onRetry={res.reload} />;
  if (!res.data) return <Loading what="Loading the conferences" />;
  return (
    <section>
      <PageHeader title="Conferences">
        <span className="muted">Refreshed every {REFRESH_MS / 1000} s</span>
      </PageHeader>
      <ErrorNote message={action.error} />
      {res.data.length === 0 ? (
        <Empty title="No conference is live">
          A call enters a room with <code>&lt;Conference&gt;</code> in its XML; the room is listed here while anyone is in it.
        </Empty>
      ) : (
        res.data.map((room) => (
          <article key={room.conference_uuid ?? room.conference_name} className="conference" data-conference={room.conference_name}>
            <h2>
              {room.conference_name} <Badge value={`${room.conference_member_count} in the room`} />
            </h2>
            <p className="muted">
              Running for {fmtDuration(Number(room.conference_run_time))}
              {room.conference_uuid && (
                <>
                  {' '}
                  · <code>{room.conference_uuid}</code>
                </>
              )}
            </p>
            <DataTable<Member>
              caption={`Members of ${room.conference_name}`}
              hideCaption
              rows={room.members}
              rowKey={(m) => m.member_id}
              columns={memberColumns(room.conference_name, member)}
            />
          </article>
        ))
      )}
    </section>
  );
}

function memberColumns(room: string, act: (room: string, m: Member, verb: 'POST' | 'DELETE', what: string) => Promise<void>): Column<Member>[] {
  return [
    { header: 'Member', rowHeader: true, cell: (m) => m.member_id },
    { header: 'Call', cell: (m) => <Link href={`/calls/${m.call_uuid}`}>{`${fmtNumber(m.from)} → ${fmtNumber(m.to)}`}</Link> },
    { header: 'In the room', cell: (m) => fmtDuration(Number(m.join_time)) },
    { header: 'Muted', cell: (m) => (m.muted ? <Badge value="muted" /> : 'no') },
    { header: 'Deaf', cell: (m) => (m.deaf ? <Badge value="deaf" /> : 'no') },
    {
      header: 'Actions',
      srOnlyHeader: true,
      cell: (m) => (
        <span className="actions">
          <button type="button" onClick={() => void act(room, m, m.muted ? 'DELETE' : 'POST', 'Mute')} aria-label={`${m.muted ? 'Unmute' : 'Mute'} member ${m.member_id}`}>
            {m.muted ? 'Unmute' : 'Mute'}
          </button>{' '}
          <button type="button" className="danger" onClick={() => void act(room, m, 'POST', 'Kick')} aria-label={`Kick member ${m.member_id}`}>
            Kick
          </button>
        </span>
      ),
    },
  ];
}
