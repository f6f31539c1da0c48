/**
 * Endpoints (docs/endpoints.md; Plivo's Endpoint API): SIP accounts on Switchboard's own registrar.
 * An endpoint has a username (Plivo appends a `yyMMddHHmmss` suffix to the one asked for), a
 * password kept only as digest HA1 values, an alias and an application. Calls from it run that
 * application (or the default_endpoint_app); `<User>sip:username@...</User>` rings it: its
 * registered contacts over SIP, or its script on the simulated network, as a number's.
 *
 * Every endpoint is kept in memory: the registrar asks on every REGISTER and the network on every
 * leg it places, synchronously; the store is the record and is written first.
 */
import type { Clock } from '../clock.ts';
import type { InboundApp, InboundRouter } from './inbound-app.ts';
import type { ApplicationRow } from '../store/app-store.ts';
import type { EndpointRow, SqlEndpointStore } from '../store/sql-endpoint-store.ts';
import { endpointHa1, type EndpointSecrets, type Registrar } from '../network/sip/registrar.ts';
import { validateScript } from '../network/simulated/index.ts';
import { parseUri } from '../network/sip/uri.ts';
import type { Applications } from './applications.ts';
import type { Method } from '../xml/elements.ts';
import { randomInt } from 'node:crypto';

export class EndpointError extends Error {
  override name = 'EndpointError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NewEndpoint {
  username: string;
  password: string;
  alias: string;
  appId?: string;
  script?: string;
}

export interface EndpointFields {
  password?: string;
  alias?: string;
  /** null detaches the application (the default_endpoint_app answers then). */
  appId?: string | null;
  script?: string | null;
}

export class Endpoints {
  private readonly byId = new Map<string, EndpointRow>();
  private readonly byUsername = new Map<string, EndpointRow>();
  private registrar: Registrar | undefined;

  constructor(
    private readonly store: SqlEndpointStore,
    private readonly applications: Applications,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    const rows = await this.store.all();
    // Refilled in one turn: a lookup during a reload never finds the maps empty.
    this.byId.clear();
    this.byUsername.clear();
    for (const row of rows) this.remember(row);
  }

  /** Told after each change (a cluster node tells the others to reload: cluster/config-relay.ts). */
  changed?: () => void;

  /** The registrar whose bindings the views show and that forgets a deleted endpoint's. */
  attach(registrar: Registrar): void {
    this.registrar = registrar;
  }

  async create(e: NewEndpoint, account: string | null): Promise<EndpointRow> {
    if (e.appId !== undefined) await this.checkApp(e.appId, account);
    if (e.script !== undefined) checkScript(e.script);
    const now = this.clock.now();
    // Plivo's suffix is the creation time; a name already taken that second takes the next free one.
    let at = now;
    let username = e.username + suffix(at);
    while (this.byUsername.has(username)) username = e.username + suffix((at += 1000));
    const row: EndpointRow = {
      endpoint_id: newEndpointId(this.byId),
      username,
      alias: e.alias,
      ...hashes(username, e.password),
      app_id: e.appId ?? null,
      script: e.script?.trim() ?? null,
      account_id: account,
      created_at: now,
      updated_at: now,
    };
    await this.store.insert(row);
    this.remember(row);
    this.changed?.();
    return row;
  }

  /** Undefined when there is no such endpoint. */
  async update(endpointId: string, f: EndpointFields): Promise<EndpointRow | undefined> {
    const current = this.byId.get(endpointId);
    if (!current) return undefined;
    if (typeof f.appId === 'string') await this.checkApp(f.appId, current.account_id);
    if (typeof f.script === 'string') checkScript(f.script);
    const row: EndpointRow = { ...current, updated_at: this.clock.now() };
    if (f.alias !== undefined) row.alias = f.alias;
    if (f.password !== undefined) Object.assign(row, hashes(row.username, f.password));
    if (f.appId !== undefined) row.app_id = f.appId;
    if (f.script !== undefined) row.script = f.script === null ? null : f.script.trim();
    await this.store.update(row);
    this.remember(row);
    // A new password ends the registrations made with the old one: the phone must register again.
    if (f.password !== undefined) this.registrar?.forget(row.username);
    this.changed?.();
    return row;
  }

  async remove(endpointId: string): Promise<boolean> {
    const row = this.byId.get(endpointId);
    if (!row || !(await this.store.delete(endpointId))) return false;
    this.byId.delete(endpointId);
    this.byUsername.delete(row.username);
    this.registrar?.forget(row.username);
    this.changed?.();
    return true;
  }

  /** How many endpoints there are (the registrar takes REGISTERs only while there is one). */
  get size(): number {
    return this.byId.size;
  }

  get(endpointId: string): EndpointRow | undefined {
    return this.byId.get(endpointId);
  }

  /** Newest first; `account` = only that subaccount's. */
  list(page: { limit: number; offset: number; account?: string }): { rows: EndpointRow[]; total: number } {
    let rows = [...this.byId.values()].reverse();
    if (page.account !== undefined) rows = rows.filter((r) => r.account_id === page.account);
    return { rows: rows.slice(page.offset, page.offset + page.limit), total: rows.length };
  }

  /** For the registrar. */
  secrets = (username: string): EndpointSecrets | undefined => {
    const row = this.byUsername.get(username);
    return row ? { username: row.username, ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256 } : undefined;
  };

  /** The endpoint a `sip:` URI names by its user part (any host: the user is what Plivo routes on). */
  forUri(to: string): EndpointRow | undefined {
    if (!/^sips?:/i.test(to)) return undefined;
    const user = parseUri(to.trim())?.user;
    return user !== undefined ? this.byUsername.get(user) : undefined;
  }

  byName(username: string): EndpointRow | undefined {
    return this.byUsername.get(username);
  }

  /** The simulated network's script of a destination that is an endpoint with a script. */
  scriptFor = (to: string): string | undefined => this.forUri(to)?.script ?? undefined;

  /**
   * What a call from this endpoint runs: its application, or the default_endpoint_app (Plivo's
   * rule); undefined when neither has an answer_url.
   */
  async appFor(username: string): Promise<(InboundApp & { appId: string }) | undefined> {
    const row = this.byUsername.get(username);
    if (!row) return undefined;
    const app = (row.app_id ? await this.applications.get(row.app_id) : undefined) ?? (await this.store.defaultEndpointApplication());
    if (!app?.answer_url) return undefined;
    return { ...inboundApp(app), appId: app.app_id, account: row.account_id };
  }

  private async checkApp(appId: string, account: string | null): Promise<void> {
    const app = await this.applications.get(appId);
    // Another account's application does not exist for this one (docs/accounts.md).
    if (!app || (account !== null && app.account_id !== account)) throw new EndpointError('app_id', `no application ${appId}`);
  }

  private remember(row: EndpointRow): void {
    const old = this.byId.get(row.endpoint_id);
    if (old) this.byUsername.delete(old.username);
    this.byId.set(row.endpoint_id, row);
    this.byUsername.set(row.username, row);
  }
}

function checkScript(script: string): void {
  try {
    validateScript(script, 'number');
  } catch (err) {
    throw new EndpointError('script', (err as Error).message);
  }
}

function hashes(username: string, password: string): { ha1_md5: string; ha1_sha256: string } {
  const h = endpointHa1(username, password);
  return { ha1_md5: h.ha1Md5, ha1_sha256: h.ha1Sha256 };
}

/** `yyMMddHHmmss` in UTC, as Plivo's `testuser150216110629`. */
function suffix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A 14-digit numeric id, as Plivo's `29147375335448`. */
function newEndpointId(taken: ReadonlyMap<string, unknown>): string {
  for (;;) {
    const id = String(randomInt(1, 10)) + String(randomInt(0, 1e6)).padStart(6, '0') + String(randomInt(0, 1e7)).padStart(7, '0');
    if (!taken.has(id)) return id;
  }
}

function asMethod(m: string): Method {
  return m === 'GET' ? 'GET' : 'POST';
}

function inboundApp(row: ApplicationRow): InboundApp {
  return {
    answerUrl: row.answer_url!,
    answerMethod: asMethod(row.answer_method),
    ...(row.fallback_answer_url && { fallbackUrl: row.fallback_answer_url, fallbackMethod: asMethod(row.fallback_method) }),
    ...(row.hangup_url && { hangupUrl: row.hangup_url, hangupMethod: asMethod(row.hangup_method) }),
  };
}

/**
 * Inbound routing with endpoints first (docs/endpoints.md): a call from a registered endpoint runs
 * that endpoint's application, whatever it dialled; every other call is `base`'s. The SIP network
 * has already refused an INVITE whose From names an endpoint it does not come from (registrar.ts).
 */
export function endpointCallRouter(endpoints: Endpoints, registrar: Registrar | undefined, base: InboundRouter): InboundRouter {
  return async (to, from) => {
    if (registrar && registrar.live(from).length > 0) {
      const app = await endpoints.appFor(from);
      if (app) return app;
    }
    return base(to, from);
  };
}
