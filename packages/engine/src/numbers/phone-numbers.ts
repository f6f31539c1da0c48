/**
 * The account's phone numbers (plivo.md §1.8): in self-hosting, the DIDs that reach the engine
 * from its trunks or the simulated network. A number is attached to an application or to a flow
 * (never both); numbers are kept in the one normal form (digits, engine.md §1).
 */
import type { Clock } from '../clock.ts';
import type { AppStore, NumberFilter, PhoneNumberRow } from '../store/app-store.ts';
import { normalizeNumber } from '../util/phone.ts';

/** What a number is attached to; `null` detaches, undefined keeps. */
export interface NumberFields {
  alias?: string | null;
  numberType?: string;
  appId?: string | null;
  flowId?: string | null;
  /** Add-own-number's carrier and region (plivo.md §1.8); a bought number takes the inventory's region. */
  carrier?: string | null;
  region?: string | null;
}

export class PhoneNumbers {
  constructor(
    private readonly store: AppStore,
    private readonly clock: Clock,
  ) {}

  /** Adds the number, or updates it when it is already the account's (adding twice is harmless). */
  async add(number: string, f: NumberFields, account: string | null = null): Promise<{ row: PhoneNumberRow; created: boolean }> {
    const n = normalizeNumber(number);
    const now = this.clock.now();
    const current = await this.store.getNumber(n);
    const row = apply(current ?? { number: n, alias: null, number_type: 'local', app_id: null, flow_id: null, added_at: now, updated_at: now, account_id: account }, f, now);
    await this.store.saveNumber(row);
    return { row, created: !current };
  }

  async update(number: string, f: NumberFields): Promise<PhoneNumberRow | undefined> {
    const current = await this.store.getNumber(normalizeNumber(number));
    if (!current) return undefined;
    const row = apply(current, f, this.clock.now());
    await this.store.saveNumber(row);
    return row;
  }

  get(number: string): Promise<PhoneNumberRow | undefined> {
    return this.store.getNumber(normalizeNumber(number));
  }

  list(filter: NumberFilter): Promise<{ rows: PhoneNumberRow[]; total: number }> {
    return this.store.listNumbers({ ...filter, ...(filter.numberStartswith !== undefined && { numberStartswith: normalizeNumber(filter.numberStartswith) }) });
  }

  remove(number: string): Promise<boolean> {
    return this.store.deleteNumber(normalizeNumber(number));
  }
}

function apply(row: PhoneNumberRow, f: NumberFields, now: number): PhoneNumberRow {
  const out = { ...row, updated_at: now };
  if (f.alias !== undefined) out.alias = f.alias;
  if (f.numberType !== undefined) out.number_type = f.numberType;
  if (f.carrier !== undefined) out.carrier = f.carrier;
  if (f.region !== undefined) out.region = f.region;
  // One target at a time: attaching an application detaches a flow, and the other way round.
  if (f.appId !== undefined) {
    out.app_id = f.appId;
    if (f.appId !== null) out.flow_id = null;
  }
  if (f.flowId !== undefined) {
    out.flow_id = f.flowId;
    if (f.flowId !== null) out.app_id = null;
  }
  return out;
}
