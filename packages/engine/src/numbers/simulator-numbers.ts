/**
 * Simulated numbers and their scripts (engine.md §4): kept in the store, cached in memory so the
 * simulated network can look a script up synchronously when it places a leg.
 */
import type { Clock } from '../clock.ts';
import type { SimNumberRow, Store } from '../store/store.ts';
import { validateScript } from '../network/simulated/index.ts';
import { normalizeNumber } from '../util/phone.ts';

export class SimulatorNumbers {
  private cache = new Map<string, string>();
  /** Told after each change (a cluster node tells the others to reload: cluster/config-relay.ts). */
  changed?: () => void;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    const rows = await this.store.listSimNumbers();
    // Swapped whole: a lookup during a reload sees the old scripts or the new, never none.
    this.cache = new Map(rows.map((r) => [r.number, r.script]));
  }

  /** For the simulated network: the script of a destination, if one is configured. */
  scriptFor = (number: string): string | undefined => this.cache.get(normalizeNumber(number));

  /** Validates the script (throws ScriptError naming the position) and stores it. */
  async set(number: string, script: string): Promise<SimNumberRow> {
    validateScript(script, 'number');
    const n = normalizeNumber(number);
    const row = await this.store.upsertSimNumber(n, script.trim(), this.clock.now());
    this.cache.set(n, row.script);
    this.changed?.();
    return row;
  }

  get(number: string): Promise<SimNumberRow | undefined> {
    return this.store.getSimNumber(normalizeNumber(number));
  }

  list(): Promise<SimNumberRow[]> {
    return this.store.listSimNumbers();
  }

  async remove(number: string): Promise<boolean> {
    const n = normalizeNumber(number);
    this.cache.delete(n);
    const removed = await this.store.deleteSimNumber(n);
    this.changed?.();
    return removed;
  }
}
