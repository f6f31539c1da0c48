import { randomUUID, randomBytes } from 'node:crypto';

/**
 * Lowercase UUID v4: CallUUID, RequestUUID, api_id, app_id (engine.md §1, "IDs"). One flat string:
 * Node's randomUUID joins twenty pieces with `+`, and V8 keeps that as a tree of 20 nodes (about
 * 800 bytes where the text is 36) for as long as the id lives unless something flattens it; a
 * live call keeps several ids. The array join writes the 36 characters once.
 */
export function newId(): string {
  return randomUUID().split('-').join('-');
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
