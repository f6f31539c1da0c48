/**
 * The bytes of a simulated recording: there is no audio on the simulated network, so a recording
 * is silence of exactly the recorded length, in a file any player opens.
 * - WAV: 8 kHz, 16-bit mono PCM (telephone quality), 16 000 bytes a second; exact to the sample.
 * - MP3: MPEG-1 Layer III frames, 32 kHz mono at 32 kbit/s: each frame is a 4-byte header and 140
 *   zero bytes (side information all zero = no coded audio = silence), 1152 samples = 36 ms, so the
 *   length is the recorded one rounded to the nearest frame (within 18 ms).
 */

const WAV_RATE = 8000;

export function silentWav(durationMs: number): Buffer {
  const samples = Math.round((Math.max(0, durationMs) * WAV_RATE) / 1000);
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(WAV_RATE, 24);
  b.writeUInt32LE(WAV_RATE * 2, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34); // bits per sample
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  return b;
}

/** MPEG-1, Layer III, no CRC; 32 kbit/s, 32 kHz, no padding; mono. */
const MP3_HEADER = [0xff, 0xfb, 0x18, 0xc0] as const;
const MP3_FRAME_BYTES = 144; // 144 * bitrate / sample rate
export const MP3_FRAME_MS = (1152 / 32000) * 1000;

export function silentMp3(durationMs: number): Buffer {
  const frames = Math.round(Math.max(0, durationMs) / MP3_FRAME_MS);
  const b = Buffer.alloc(frames * MP3_FRAME_BYTES);
  for (let i = 0; i < frames; i++) b.set(MP3_HEADER, i * MP3_FRAME_BYTES);
  return b;
}

export function audioFile(format: 'mp3' | 'wav', durationMs: number): Buffer {
  return format === 'wav' ? silentWav(durationMs) : silentMp3(durationMs);
}

export const CONTENT_TYPE: Record<'mp3' | 'wav', string> = { mp3: 'audio/mpeg', wav: 'audio/wav' };
