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

/** The offset of sixteen fresh CSPRNG bytes in the pool. */
function takeRandom(): number {
  if (poolAt === POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 16;
  return at;
}

/**
 * The sixteen bytes at `at` as a lowercase UUID, with its version (RFC 9562 §4.2: the high nibble
 * of byte 6) and variant (§4.1: 10 in the top bits of byte 8). Written as ASCII into a buffer and
 * read out as one flat string: `randomUUID()` builds its text as a tree of twenty joined pieces
 * (about 800 bytes where the text is 36, kept for as long as the id lives, and a live call keeps
 * several), and flattening it cost 2 µs an id on the hot path; this is 0.3 µs (docs/performance.md).
 */
function uuidText(at: number, version: number): string {
  pool[at + 6] = (pool[at + 6]! & 0x0f) | (version << 4);
  pool[at + 8] = (pool[at + 8]! & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const pair = HEX_PAIRS[pool[at + i]!]!;
    const p = DIGITS_AT[i]!;
    text[p] = pair.charCodeAt(0);
    text[p + 1] = pair.charCodeAt(1);
  }
  return text.toString('latin1', 0, 36);
}

/** Lowercase UUID v4: CallUUID, RequestUUID, api_id, app_id (engine.md §1, "IDs"). */
export function newId(): string {
  return uuidText(takeRandom(), 4);
}

/**
 * Lowercase UUID v7 (RFC 9562 §5.7): the Unix time in ms in the first 48 bits, then 74 random
 * bits. For keys the store makes for itself and no Plivo rule shapes: a webhook delivery's id.
 * A row keyed by a random id lands on a random page of its table and of every index that holds
 * the key, so a commit rewrites about as many pages as it has rows; ids that grow with time share
 * the last page or two of each (docs/performance.md, "Write amplification"). Never for anything
 * whose prefix must differ between ids made close together.
 */
export function newTimeOrderedId(ms: number = Date.now()): string {
  const at = takeRandom();
  const high = Math.floor(ms / 0x10000);
  pool[at] = (high >>> 24) & 0xff;
  pool[at + 1] = (high >>> 16) & 0xff;
  pool[at + 2] = (high >>> 8) & 0xff;
  pool[at + 3] = high & 0xff;
  pool[at + 4] = (ms >>> 8) & 0xff;
  pool[at + 5] = ms & 0xff;
  return uuidText(at, 7);
}

/**
 * `bytes` (1-16) fresh CSPRNG bytes as lowercase hex, from the same pool: SIP tags (4 bytes on a
 * response the engine answers alone, 6 a leg), Call-IDs and digest cnonces. `randomBytes` would ask
 * OpenSSL each time (docs/performance.md).
 */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 16) throw new RangeError(`randomHex takes 1 to 16 bytes, not ${bytes}`);
  const at = takeRandom();
  let hex = '';
  for (let i = 0; i < bytes; i++) hex += HEX_PAIRS[pool[at + i]!]!;
  return hex;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * An account id in Plivo's shape: its prefix (`MA` for a main account, `SA` for a subaccount) and
 * 18 uppercase letters or digits (plivo.md §1.1), each as likely as the others.
 */
export function newAccountId(prefix: 'MA' | 'SA'): string {
  let id = prefix;
  while (id.length < 20) {
    // 252 = 7 * 36: the bytes below it draw every character alike; the rest are skipped.
    for (const b of randomBytes(20)) if (b < 252 && id.length < 20) id += ALNUM[b % ALNUM.length];
  }
  return id;
}

/** A main account's auth_id: `MA` + 18 (newAccountId). */
export function newAuthId(): string {
  return newAccountId('MA');
}

/** A 40-character auth token. */
export function newAuthToken(): string {
  const bytes = randomBytes(40);
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let token = '';
  for (const b of bytes) token += chars[b % chars.length];
  return token;
}
