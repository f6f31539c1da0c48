import { randomUUID, randomBytes } from 'node:crypto';

/** Lowercase UUID v4: CallUUID, RequestUUID, api_id, app_id (engine.md §1, "IDs"). */
export function newId(): string {
  return randomUUID();
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
