/**
 * Who owns what (docs/accounts.md, "Ownership"): every call, delivery, application, number, flow and
 * flow run carries the subaccount that made it, or null for the main account. A subaccount sees
 * only its own; the main account sees all. Something not yours answers 404, as if it did not exist.
 */
import type { Principal } from './principal.ts';

/** The owner a new row of this account gets: null for the main account, the auth_id for a subaccount. */
export function ownerOf(account: Principal | undefined): string | null {
  return account?.parentAuthId !== undefined ? account.authId : null;
}

/** The list filter of an account: its own auth_id for a subaccount, undefined (everything) for the main account. */
export function scopeOf(account: Principal | undefined): string | undefined {
  return ownerOf(account) ?? undefined;
}

/** Whether `account` may see a row owned by `owner` (null = the main account's). */
export function canSee(account: Principal | undefined, owner: string | null | undefined): boolean {
  const scope = scopeOf(account);
  return scope === undefined || scope === owner;
}

/** Whether the account is the main account (subaccount management, engine-wide settings). */
export function isMain(account: Principal | undefined): boolean {
  return account !== undefined && account.parentAuthId === undefined;
}
