/**
 * Recordings of calls (docs/api.md "Recording", docs/xml.md "Record"). A recording runs from a
 * start to a stop on the engine's clock; at the stop its file is written (recording-audio.ts: the
 * simulated network carries no audio, so it is silence of the recorded length) into the
 * recordings folder and its row is stored. The file is served at its `RecordUrl` without
 * credentials, as Plivo serves its media URLs by default: the id is a random UUID, so the URL is
 * unguessable (docs/security.md).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Timer } from '../clock.ts';
import type { CallRow } from '../store/store.ts';
import type { RecordingFilter, RecordingRow, RecordingStore } from '../store/recording-store.ts';
import { newId } from '../util/ids.ts';
import type { ActiveRecording, FinishedRecording, RecordingFormat } from '../domain/recording.ts';
import { audioFile } from './recording-audio.ts';

export interface StartRecording {
  readonly format: RecordingFormat;
  /** Stops by itself after this many seconds (the API's time_limit, Record's maxLength in the background). */
  readonly timeLimitS?: number;
  /** Told once the file is stored (the callbacks go out from here). */
  readonly onDone?: (rec: FinishedRecording) => void;
  /** A conference's recording (type `conference`): kept under the conference's UUID, not the call's, so it outlives the member that started it. */
  readonly conference?: { readonly uuid: string; readonly name: string };
}

export class Recordings {
  private readonly active = new Map<string, Set<ActiveRecording>>();
  /** Where RecordUrl points: the engine's own address, learned when it listens. */
  baseUrl = 'http://127.0.0.1';

  constructor(
    private readonly opts: {
      store: RecordingStore;
      dir: string;
      clock: Clock;
      onError: (err: unknown, recordingId: string) => void;
    },
  ) {}

  urlOf(id: string, format: RecordingFormat): string {
    return `${this.baseUrl}/media/Recording/${id}.${format}`;
  }

  start(call: CallRow, opts: StartRecording): ActiveRecording {
    const { clock } = this.opts;
    const id = newId();
    const url = this.urlOf(id, opts.format);
    const startMs = clock.now();
    let timer: Timer | undefined;
    let result: Promise<FinishedRecording> | undefined;
    const key = opts.conference?.uuid ?? call.call_uuid;
    const set = this.active.get(key) ?? new Set<ActiveRecording>();
    this.active.set(key, set);
    const rec: ActiveRecording = {
      id,
      url,
      startMs,
      stop: () => {
        if (result) return result;
        timer?.cancel();
        set.delete(rec);
        if (set.size === 0 && this.active.get(key) === set) this.active.delete(key);
        const endMs = clock.now();
        const done: FinishedRecording = { id, url, format: opts.format, startMs, endMs, durationMs: endMs - startMs };
        result = this.store(call, done, opts.conference?.name).then(() => {
          opts.onDone?.(done);
          return done;
        });
        return result;
      },
    };
    set.add(rec);
    if (opts.timeLimitS !== undefined) timer = clock.setTimer(opts.timeLimitS * 1000, () => void rec.stop());
    return rec;
  }

  /** The recordings running on a call now. */
  running(callUuid: string): ActiveRecording[] {
    return [...(this.active.get(callUuid) ?? [])];
  }

  /** The call ended: every recording on it ends with it. */
  async stopAll(callUuid: string): Promise<FinishedRecording[]> {
    return Promise.all(this.running(callUuid).map((r) => r.stop()));
  }

  /** The file of a stored recording, or undefined when it is not (or no longer) there. */
  file(id: string, format: string): Buffer | undefined {
    if (!/^[0-9a-f-]{36}$/.test(id) || (format !== 'mp3' && format !== 'wav')) return undefined;
    try {
      return readFileSync(join(this.opts.dir, `${id}.${format}`));
    } catch {
      return undefined;
    }
  }

  async get(id: string): Promise<RecordingRow | undefined> {
    return this.opts.store.get(id);
  }

  async delete(row: RecordingRow): Promise<boolean> {
    const gone = await this.opts.store.delete(row.recording_id);
    rmSync(join(this.opts.dir, `${row.recording_id}.${row.recording_format}`), { force: true });
    return gone;
  }

  list(f: RecordingFilter): Promise<{ rows: RecordingRow[]; total: number }> {
    return this.opts.store.list(f);
  }

  private async store(call: CallRow, rec: FinishedRecording, conferenceName?: string): Promise<void> {
    try {
      mkdirSync(this.opts.dir, { recursive: true });
      // Written synchronously: a file is small (16 kB a second of WAV, 4 kB of MP3) and the stop is then one moment on the clock.
      writeFileSync(join(this.opts.dir, `${rec.id}.${rec.format}`), audioFile(rec.format, rec.durationMs));
      await this.opts.store.insert({
        recording_id: rec.id,
        account_id: call.account_id,
        call_uuid: call.call_uuid,
        recording_type: conferenceName === undefined ? 'normal' : 'conference',
        recording_format: rec.format,
        conference_name: conferenceName ?? null,
        from_number: call.from_number,
        to_number: call.to_number,
        recording_start_ms: rec.startMs,
        recording_end_ms: rec.endMs,
        add_time: rec.endMs,
      });
    } catch (err) {
      this.opts.onError(err, rec.id);
    }
  }
}
