/** A recording as the call and the interpreter see it (docs/api.md "Recording", docs/xml.md "Record"). */
export type RecordingFormat = 'mp3' | 'wav';

export interface FinishedRecording {
  readonly id: string;
  readonly url: string;
  readonly format: RecordingFormat;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
}

export interface ActiveRecording {
  readonly id: string;
  readonly url: string;
  readonly startMs: number;
  /** Ends the recording now (once: later calls answer the same result). */
  stop(): Promise<FinishedRecording>;
}
