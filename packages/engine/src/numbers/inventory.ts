/**
 * The simulated number inventory behind `GET PhoneNumber/` (Plivo's number search, plivo.md §1.8).
 * A self-hosted engine has no carrier stock to sell, so apps that search before they buy get a
 * fixed, made-up stock instead: a few countries, each with local numbers per region and, where the
 * country has them, toll-free and mobile ranges. It is generated from a seeded PRNG keyed by the
 * range, so every engine, every run and every test sees the same numbers in the same order
 * (docs/numbers.md, "The number inventory"). Nothing is stored: buying a number only records it.
 */
import { seededRandom } from '../network/simulated/prng.ts';

export type InventoryType = 'local' | 'tollfree' | 'mobile';
export type Service = 'voice' | 'sms' | 'mms';

/** One range of the inventory: numbers `dial + prefix + subscriber digits`. */
interface Range {
  readonly type: InventoryType;
  /** The national prefix (area code, toll-free or mobile code) after the country code. */
  readonly prefix: string;
  /** Digits after the prefix. */
  readonly subscriberDigits: number;
  /** Region name as Plivo spells it before the country ("Texas"); absent for national ranges. */
  readonly region?: string;
  readonly city?: string;
  readonly rateCenter?: string;
  readonly lata?: number;
}

interface Country {
  readonly iso: string;
  /** Plivo's spelling in search results: upper case ("UNITED STATES"). */
  readonly name: string;
  readonly dial: string;
  /** Monthly rental per type, in Plivo's 5-decimal string form. */
  readonly rental: Readonly<Record<InventoryType, string>>;
  /** Which services each type offers; local numbers may lose SMS (see `servicesOf`). */
  readonly services: Readonly<Record<InventoryType, readonly Service[]>>;
  readonly ranges: readonly Range[];
}

/** Numbers generated per range: enough to page through, small enough to list in a test. */
export const NUMBERS_PER_RANGE = 25;

const COUNTRIES: readonly Country[] = [
  {
    iso: 'US', name: 'UNITED STATES', dial: '1',
    rental: { local: '0.50000', tollfree: '1.00000', mobile: '0.50000' },
    services: { local: ['voice', 'sms', 'mms'], tollfree: ['voice', 'sms'], mobile: [] },
    ranges: [
      { type: 'local', prefix: '415', subscriberDigits: 7, region: 'California', city: 'San Francisco', rateCenter: 'SNFC CNTRL', lata: 722 },
      { type: 'local', prefix: '510', subscriberDigits: 7, region: 'California', city: 'Oakland', rateCenter: 'OKLD', lata: 722 },
      { type: 'local', prefix: '210', subscriberDigits: 7, region: 'Texas', city: 'San Antonio', rateCenter: 'SANANTONIO', lata: 566 },
      { type: 'local', prefix: '212', subscriberDigits: 7, region: 'New York', city: 'New York', rateCenter: 'NWYRCYZN01', lata: 132 },
      { type: 'local', prefix: '813', subscriberDigits: 7, region: 'Florida', city: 'Tampa', rateCenter: 'TAMPA', lata: 458 },
      { type: 'tollfree', prefix: '800', subscriberDigits: 7 },
      { type: 'tollfree', prefix: '888', subscriberDigits: 7 },
    ],
  },
  {
    iso: 'CA', name: 'CANADA', dial: '1',
    rental: { local: '0.50000', tollfree: '1.00000', mobile: '0.50000' },
    services: { local: ['voice', 'sms'], tollfree: ['voice'], mobile: [] },
    ranges: [
      { type: 'local', prefix: '416', subscriberDigits: 7, region: 'Ontario', city: 'Toronto', rateCenter: 'TORONTO', lata: 888 },
      { type: 'local', prefix: '514', subscriberDigits: 7, region: 'Quebec', city: 'Montreal', rateCenter: 'MONTREAL', lata: 850 },
      { type: 'tollfree', prefix: '855', subscriberDigits: 7 },
    ],
  },
  {
    iso: 'GB', name: 'UNITED KINGDOM', dial: '44',
    rental: { local: '0.80000', tollfree: '2.00000', mobile: '1.00000' },
    services: { local: ['voice'], tollfree: ['voice'], mobile: ['voice', 'sms'] },
    ranges: [
      { type: 'local', prefix: '20', subscriberDigits: 8, region: 'London', city: 'London' },
      { type: 'local', prefix: '161', subscriberDigits: 7, region: 'Manchester', city: 'Manchester' },
      { type: 'mobile', prefix: '7700', subscriberDigits: 6 },
      { type: 'tollfree', prefix: '800', subscriberDigits: 7 },
    ],
  },
  {
    iso: 'DE', name: 'GERMANY', dial: '49',
    rental: { local: '0.80000', tollfree: '5.00000', mobile: '3.00000' },
    services: { local: ['voice'], tollfree: ['voice'], mobile: ['voice', 'sms'] },
    ranges: [
      { type: 'local', prefix: '30', subscriberDigits: 8, region: 'Berlin', city: 'Berlin' },
      { type: 'local', prefix: '69', subscriberDigits: 8, region: 'Frankfurt', city: 'Frankfurt' },
      { type: 'mobile', prefix: '1570', subscriberDigits: 7 },
    ],
  },
  {
    iso: 'IN', name: 'INDIA', dial: '91',
    rental: { local: '2.00000', tollfree: '10.00000', mobile: '2.00000' },
    services: { local: ['voice'], tollfree: ['voice'], mobile: ['voice'] },
    ranges: [
      { type: 'local', prefix: '22', subscriberDigits: 8, region: 'Maharashtra', city: 'Mumbai' },
      { type: 'local', prefix: '80', subscriberDigits: 8, region: 'Karnataka', city: 'Bengaluru' },
      { type: 'tollfree', prefix: '1800', subscriberDigits: 7 },
    ],
  },
];

/** One number on offer, with what a search answer shows of it. */
export interface InventoryNumber {
  readonly number: string;
  readonly country: Country;
  readonly range: Range;
  readonly services: readonly Service[];
}

/** FNV-1a, 32 bits: the seed of a range is its name, so adding a range moves no other number. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The engine's one seeded generator (network/simulated/prng.ts): the same seed, the same numbers. */
function prng(seed: number): () => number {
  return seededRandom(seed).next;
}

/**
 * Local numbers in ranges that offer SMS lose it one time in five, so a `services=sms` search
 * finds fewer numbers than a plain one (as on a real carrier's stock).
 */
function servicesOf(country: Country, range: Range, roll: number): readonly Service[] {
  const offered = country.services[range.type];
  return range.type === 'local' && offered.includes('sms') && roll < 0.2 ? offered.filter((s) => s === 'voice') : offered;
}

function generate(country: Country, range: Range): InventoryNumber[] {
  const next = prng(seedOf(`${country.iso}:${range.type}:${range.prefix}`));
  const seen = new Map<string, InventoryNumber>();
  const floor = 10 ** (range.subscriberDigits - 1); // no leading zero after the prefix
  while (seen.size < NUMBERS_PER_RANGE) {
    const subscriber = floor + Math.floor(next() * (9 * floor));
    const number = `${country.dial}${range.prefix}${subscriber}`;
    const roll = next();
    if (!seen.has(number)) seen.set(number, { number, country, range, services: servicesOf(country, range, roll) });
  }
  return [...seen.values()].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}

let built: ReadonlyMap<string, readonly InventoryNumber[]> | undefined;

/** Per country (ISO code): its numbers, ordered by range as listed, then by number. */
function inventory(): ReadonlyMap<string, readonly InventoryNumber[]> {
  built ??= new Map(COUNTRIES.map((c) => [c.iso, c.ranges.flatMap((r) => generate(c, r))]));
  return built;
}

export function isInventoryCountry(iso: string): boolean {
  return inventory().has(iso.toUpperCase());
}

export function inventoryCountries(): readonly string[] {
  return COUNTRIES.map((c) => c.iso);
}

export interface InventorySearch {
  countryIso: string;
  /** Plivo's `type`: `fixed` is read as local; `any` (or absent) is every type. */
  type?: InventoryType;
  /** Digits and `*` (any one digit), matched right after the country code. */
  pattern?: string;
  /** A region or city name, case-insensitive (Plivo: "exact names of the region"). */
  region?: string;
  services?: readonly Service[];
  lata?: number;
  rateCenter?: string;
  city?: string;
  /** Numbers to leave out: the ones already on some account. */
  taken?: ReadonlySet<string>;
}

/** Every inventory number matching the search, in inventory order. */
export function searchInventory(q: InventorySearch): InventoryNumber[] {
  const all = inventory().get(q.countryIso.toUpperCase()) ?? [];
  const pattern = q.pattern === undefined ? undefined : new RegExp(`^${q.pattern.replace(/\*/g, '\\d')}`);
  const same = (a: string | undefined, b: string | undefined) => b === undefined || (a !== undefined && a.toLowerCase() === b.toLowerCase());
  return all.filter((n) => {
    if (q.type !== undefined && n.range.type !== q.type) return false;
    if (pattern && !pattern.test(n.number.slice(n.country.dial.length))) return false;
    if (q.region !== undefined && !same(n.range.region, q.region) && !same(n.range.city, q.region)) return false;
    if (q.city !== undefined && !same(n.range.city, q.city)) return false;
    if (q.rateCenter !== undefined && !same(n.range.rateCenter, q.rateCenter)) return false;
    if (q.lata !== undefined && n.range.lata !== q.lata) return false;
    if (q.services && !q.services.every((s) => n.services.includes(s))) return false;
    return !q.taken?.has(n.number);
  });
}

/** The inventory entry for a number (digits), if the inventory has it. */
export function findInventoryNumber(number: string): InventoryNumber | undefined {
  for (const c of COUNTRIES) {
    if (!number.startsWith(c.dial)) continue;
    const hit = inventory().get(c.iso)!.find((n) => n.number === number);
    if (hit) return hit;
  }
  return undefined;
}

/** The country code every inventory number of `iso` starts with. */
export function dialCodeOf(iso: string): string | undefined {
  return COUNTRIES.find((c) => c.iso === iso.toUpperCase())?.dial;
}

/** Plivo's region text: "Texas, UNITED STATES" for a local range, the country alone otherwise. */
export function regionText(n: InventoryNumber): string {
  return n.range.region ? `${n.range.region}, ${n.country.name}` : n.country.name;
}

/**
 * Plivo's `type` in search answers: local numbers show as `fixed` (its recorded answers,
 * plivo-node request-test `PhoneNumber/`), the others as their own type.
 */
export function searchTypeOf(n: InventoryNumber): string {
  return n.range.type === 'local' ? 'fixed' : n.range.type;
}

/** The rate a number would cost per month, as the search answer and a bought Number show it. */
export function rentalOf(n: InventoryNumber): string {
  return n.country.rental[n.range.type];
}
