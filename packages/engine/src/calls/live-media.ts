/**
 * Live-call Play, Speak and DTMF (plivo.md §1.7: `Call/{uuid}/Play/`, `Speak/`, `DTMF/`): what the
 * API does to a call that is up, outside its XML document. There is no audio on the simulated
 * network, so a play or a speech is time on the clock, timed as its XML counterpart would be
 * (interpreter/media-time.ts), and a line on the call's timeline when it starts, stops or ends.
 * Keys reach the far party's network leg, where a simulated party's script can react to them.
 */
import type { Clock } from '../clock.ts';
import type { MediaSettings } from '../interpreter/context.ts';
import { speakMs } from '../interpreter/media-time.ts';
import type { Journal } from './journal.ts';
import type { LegRunner } from './leg-runner.ts';

/** Plivo's `legs`: the given call, the leg bridged to it, or both. */
export type MediaLegs = 'aleg' | 'bleg' | 'both';

export type LiveMediaRequest =
  | { readonly kind: 'play'; readonly urls: readonly string[]; readonly lengthS?: number; readonly legs: MediaLegs; readonly loop: boolean; readonly mix: boolean }
  | { readonly kind: 'speak'; readonly text: string; readonly voice: string; readonly language: string; readonly legs: MediaLegs; readonly loop: boolean; readonly mix: boolean };

export interface LiveMediaHost {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly media: MediaSettings;
}

interface Running {
  readonly legs: readonly LegRunner[];
  readonly timer?: { cancel(): void };
}

/** Why a media request cannot run: the API turns it into a 409. */
export class MediaConflict extends Error {}

/**
 * One call's live media: at most one play and one speech at a time per leg (a new one replaces the
 * running one, as a second `Play/` does on Plivo).
 */
export class LiveMedia {
  private readonly running = new Map<string, Running>();

  constructor(private readonly host: LiveMediaHost) {}

  /** Milliseconds one request plays for; undefined with `loop`: until stopped or the call ends. */
  durationMs(req: LiveMediaRequest): number | undefined {
    if (req.loop) return undefined;
    if (req.kind === 'speak') return speakMs(req.text, this.host.media);
    // `length` caps the play (Plivo: "maximum length in seconds"); otherwise each URL plays once.
    const full = this.host.media.playMs * req.urls.length;
    return req.lengthS !== undefined ? Math.min(full, req.lengthS * 1000) : full;
  }

  start(req: LiveMediaRequest, legs: readonly LegRunner[]): void {
    const at = this.host.clock.now();
    for (const leg of legs) this.stop(req.kind, leg, 'replaced');
    const duration = this.durationMs(req);
    const data = {
      kind: req.kind,
      legs: req.legs,
      loop: req.loop,
      mix: req.mix,
      ...(req.kind === 'play' ? { urls: req.urls, ...(req.lengthS !== undefined ? { length: req.lengthS } : {}) } : { text: req.text, voice: req.voice, language: req.language }),
      ...(duration !== undefined ? { duration_ms: duration } : {}),
    };
    for (const leg of legs) {
      this.host.journal.record({ callUuid: leg.uuid, at, type: 'media.started', data });
      const key = `${req.kind}:${leg.uuid}`;
      const timer =
        duration === undefined
          ? undefined
          : this.host.clock.setTimer(duration, () => {
              this.running.delete(key);
              if (!leg.ended) this.host.journal.record({ callUuid: leg.uuid, at: this.host.clock.now(), type: 'media.ended', data: { kind: req.kind } });
            });
      this.running.set(key, { legs, ...(timer ? { timer } : {}) });
    }
  }

  /** Stops what plays on `leg`; false when nothing did. */
  stop(kind: LiveMediaRequest['kind'], leg: LegRunner, reason: 'api' | 'replaced' = 'api'): boolean {
    const key = `${kind}:${leg.uuid}`;
    const run = this.running.get(key);
    if (!run) return false;
    run.timer?.cancel();
    this.running.delete(key);
    this.host.journal.record({ callUuid: leg.uuid, at: this.host.clock.now(), type: 'media.stopped', data: { kind, reason } });
    return true;
  }

  /** Keys towards each leg's party, recorded on that leg. */
  sendDigits(digits: string, legs: readonly LegRunner[]): void {
    for (const leg of legs) {
      leg.network?.sendDigits(digits);
      this.host.journal.record({ callUuid: leg.uuid, at: this.host.clock.now(), type: 'leg.digits-sent', data: { digits, source: 'api' } });
    }
  }

  /** The call ended: nothing plays any more (no timeline lines: the hangup says it all). */
  clear(): void {
    for (const run of this.running.values()) run.timer?.cancel();
    this.running.clear();
  }
}
