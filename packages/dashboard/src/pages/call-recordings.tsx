/**
 * A call's recordings on its page (docs/api.md "Recording"), each playable in the browser: the
 * file's URL is the RecordUrl, served without credentials as Plivo serves its media URLs.
 */
import { useApi } from '../api/context.tsx';
import { useResource } from '../components/use-resource.ts';
import { Time } from '../components/ui.tsx';

interface Recording {
  recording_id: string;
  recording_url: string;
  recording_format: string;
  recording_type: string;
  conference_name: string | null;
  recording_duration_ms: string;
  add_time: string;
}

export function CallRecordings({ callUuids }: { callUuids: readonly string[] }) {
  const api = useApi();
  const key = callUuids.join(',');
  const res = useResource(
    async (signal) => (await Promise.all(callUuids.map((uuid) => api.get<{ objects: Recording[] }>('/Recording/', { call_uuid: uuid, limit: 20 }, signal).then((r) => r.objects, () => [])))).flat(),
    [api, key],
  );
  const recordings = res.data ?? [];
  if (recordings.length === 0) return null;
  return (
    <>
      <h2>Recordings</h2>
      <ul className="recordings">
        {recordings.map((r) => (
          <li key={r.recording_id} data-recording-id={r.recording_id}>
            <audio controls preload="metadata" src={r.recording_url} aria-label={`Recording ${r.recording_id}`} />
            <span>
              {(Number(r.recording_duration_ms) / 1000).toFixed(1)} s · {r.recording_format}
              {r.recording_type === 'conference' && r.conference_name ? ` · conference ${r.conference_name}` : ''} · <Time value={r.add_time} /> ·{' '}
              <a href={r.recording_url} download>
                Download
              </a>
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
