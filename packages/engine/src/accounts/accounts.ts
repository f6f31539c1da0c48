/**
 * The accounts that may use the engine: the main account and its subaccounts (docs/accounts.md;
 * Plivo's Subaccount API, plivo.md §1.1). Every request's credentials are looked up here in memory;
 * the store is the record and the map is rewritten on every write, so a disabled, deleted or
 * rotated account is refused from the next request on, with no restart.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { AccountLookup, Principal } from './principal.ts';
import type { Store } from '../store/store.ts';
import type { AccountStore, SubaccountRow } from '../store/account-store.ts';
import { newAccountId, newAuthId, newAuthToken } from '../util/ids.ts';

/** A subaccount auth_id in Plivo's shape: `SA` + 18 uppercase letters/digits (plivo.md §1.1). */
export function newSubaccountId(): string {
  return newAccountId('SA');
}

/** Settings keys of the main account (docs/accounts.md, "Rotating tokens"). */
const KEYS = {
  authId: 'auth_id',
  authToken: 'auth_token',
  /** The token that replaced a configured one (SWITCHBOARD_AUTH_TOKEN) by rotation. */
  rotatedToken: 'auth_token_rotated',
  /** SHA-256 of `auth_id:token` of every configured token rotated away: such a token never comes back. */
  revoked: 'auth_tokens_revoked',
} as const;

export interface MainAccountConfig {
  /** From the flags, environment or config file; absent = generated once and kept in the store. */
  authId?: string;
  authToken?: string;
}

export interface AccountsOptions {
  store: Store;
  subaccounts: AccountStore;
  clock: Clock;
  config: MainAccountConfig;
  warn?: (data: Record<string, unknown>, msg: string) => void;
  info?: (data: Record<string, unknown>, msg: string) => void;
}

export class Accounts implements AccountLookup {
  private mainAccount!: Principal;
  private configuredToken = false;
  private readonly subs = new Map<string, SubaccountRow>();
  /** Enabled subaccounts only: what find() answers from. */
  private readonly principals = new Map<string, Principal>();

  private constructor(private readonly opts: AccountsOptions) {}

  /** Resolves the main account (generated on first start) and loads the subaccounts. */
  static async open(opts: AccountsOptions): Promise<Accounts> {
    const accounts = new Accounts(opts);
    await accounts.loadMain();
    for (const row of await opts.subaccounts.all()) accounts.remember(row);
    return accounts;
  }

  get main(): Principal {
    return this.mainAccount;
  }

  find(authId: string): Principal | undefined {
    return authId === this.mainAccount.authId ? this.mainAccount : this.principals.get(authId);
  }

  /**
   * The tokens a webhook of `owner`'s call is signed with (plivo.md §6: V3 with the (sub)account's
   * token, Ma-V3 with the main account's). A deleted subaccount's calls are signed with the main token.
   */
  tokensFor = (owner: string | null | undefined): { authToken: string; mainAuthToken: string } => {
    const main = this.mainAccount.authToken;
    const sub = owner ? this.subs.get(owner) : undefined;
    return { authToken: sub?.auth_token ?? main, mainAuthToken: main };
  };

  /** Subaccounts, the most recently created first (Plivo's order). */
  list(page: { limit: number; offset: number }): { rows: SubaccountRow[]; total: number } {
    // The map holds them in creation order: reversed, then stably sorted, ties stay newest first.
    const all = [...this.subs.values()].reverse().sort((a, b) => b.created_at - a.created_at);
    return { rows: all.slice(page.offset, page.offset + page.limit), total: all.length };
  }

  get(authId: string): SubaccountRow | undefined {
    return this.subs.get(authId);
  }

  async create(o: { name: string; enabled: boolean }): Promise<SubaccountRow> {
    let authId = newSubaccountId();
    while (this.subs.has(authId)) authId = newSubaccountId();
    const row: SubaccountRow = { auth_id: authId, name: o.name, auth_token: newAuthToken(), enabled: o.enabled ? 1 : 0, created_at: this.opts.clock.now(), modified_at: null };
    await this.opts.subaccounts.insert(row);
    this.remember(row);
    return row;
  }

  async update(authId: string, o: { name?: string; enabled?: boolean; rotateToken?: boolean }): Promise<SubaccountRow | undefined> {
    const current = this.subs.get(authId);
    if (!current) return undefined;
    const row: SubaccountRow = {
      ...current,
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.enabled !== undefined ? { enabled: o.enabled ? 1 : 0 } : {}),
      ...(o.rotateToken ? { auth_token: newAuthToken() } : {}),
      modified_at: this.opts.clock.now(),
    };
    await this.opts.subaccounts.update(row);
    this.remember(row);
    return row;
  }

  async remove(authId: string, cascade: boolean): Promise<boolean> {
    if (!this.subs.has(authId)) return false;
    // Refused from now on, even while the store is being written.
    this.principals.delete(authId);
    const removed = await this.opts.subaccounts.delete(authId, cascade);
    this.subs.delete(authId);
    return removed;
  }

  /**
   * A new token for the main account (our addition: Plivo rotates tokens only in its console). The
   * old one fails at once. A token from the configuration is remembered as revoked, so a restart
   * with the same SWITCHBOARD_AUTH_TOKEN keeps the rotated token; a different configured token wins.
   */
  async rotateMain(): Promise<string> {
    const { store } = this.opts;
    const old = this.mainAccount;
    const token = newAuthToken();
    if (this.configuredToken) {
      const revoked = await this.revokedHashes();
      revoked.push(tokenHash(old.authId, old.authToken));
      await store.setSetting(KEYS.revoked, JSON.stringify(revoked.slice(-50)));
      await store.setSetting(KEYS.rotatedToken, token);
    } else {
      await store.setSetting(KEYS.authToken, token);
    }
    this.mainAccount = Object.freeze({ authId: old.authId, authToken: token });
    return token;
  }

  private remember(row: SubaccountRow): void {
    this.subs.set(row.auth_id, row);
    if (row.enabled) this.principals.set(row.auth_id, Object.freeze({ authId: row.auth_id, authToken: row.auth_token, parentAuthId: this.mainAccount.authId }));
    else this.principals.delete(row.auth_id);
  }

  private async loadMain(): Promise<void> {
    const { store, config } = this.opts;
    if (config.authId && config.authToken) {
      this.configuredToken = true;
      let token = config.authToken;
      const rotated = await store.getSetting(KEYS.rotatedToken);
      if (rotated && (await this.revokedHashes()).includes(tokenHash(config.authId, config.authToken))) {
        token = rotated;
        this.opts.warn?.({ authId: config.authId }, 'the configured auth token was rotated through the API and stays revoked: the rotated token is in use (set it in SWITCHBOARD_AUTH_TOKEN)');
      }
      this.mainAccount = Object.freeze({ authId: config.authId, authToken: token });
      return;
    }
    let authId = await store.getSetting(KEYS.authId);
    let authToken = await store.getSetting(KEYS.authToken);
    if (!authId || !authToken) {
      authId = newAuthId();
      authToken = newAuthToken();
      await store.setSetting(KEYS.authId, authId);
      await store.setSetting(KEYS.authToken, authToken);
      this.opts.info?.({ authId }, 'generated a development account');
    }
    this.mainAccount = Object.freeze({ authId, authToken });
  }

  private async revokedHashes(): Promise<string[]> {
    const text = await this.opts.store.getSetting(KEYS.revoked);
    try {
      const parsed: unknown = text ? JSON.parse(text) : [];
      return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
    } catch {
      return [];
    }
  }
}

function tokenHash(authId: string, token: string): string {
  return createHash('sha256').update(`${authId}:${token}`, 'utf8').digest('hex');
}
