import { randomBytes, randomFillSync } from 'node:crypto';

/** Two lowercase hex digits per byte value, as their two character codes. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Where each of the sixteen bytes' two digits go in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** Random bytes for 512 ids, drawn from the CSPRNG at once (as node's randomUUID buffers them). */
const POOL_BYTES = 16 * 512;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;
const text = Buffer.alloc(36, '-');

/**
 * Lowercase UUID v4: CallUUID, RequestUUID, api_id, app_id (engine.md §1, "IDs"). Written as ASCII
 * into a buffer and read out as one flat string: `randomUUID()` builds its text as a tree of
 * twenty joined pieces (about 800 bytes where the text is 36, kept for as long as the id lives,
 * and a live call keeps several), and flattening it cost 2 µs an id on the hot path; this is
 * 0.3 µs (docs/performance.md).
 */
export function newId(): string {
  if (poolAt === POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 16;
  // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
  pool[at + 6] = (pool[at + 6]! & 0x0f) | 0x40;
  pool[at + 8] = (pool[at + 8]! & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const pair = HEX_PAIRS[pool[at + i]!]!;
    const p = DIGITS_AT[i]!;
    text[p] = pair.charCodeAt(0);
    text[p + 1] = pair.charCodeAt(1);
  }
  return text.toString('latin1', 0, 36);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An auth_id in Plivo's shape: `MA` + 18 uppercase letters/digits (plivo.md §1.1). */
export function newAuthId(): string {
  const bytes = randomBytes(18);
  let id = 'MA';
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}

/** A 40-character auth token. */
export function newAuthToken(): string {
  const bytes = randomBytes(40);
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let token = '';
  for (const b of bytes) token += chars[b % chars.length];
  return token;
}
