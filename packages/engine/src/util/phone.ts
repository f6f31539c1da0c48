/**
 * Phone numbers are accepted with or without a leading `+` and kept in one normal form inside:
 * digits only. SIP URIs pass untouched (engine.md §1, "Phone numbers").
 */
export function normalizeNumber(value: string): string {
  const v = value.trim();
  if (/^sips?:/i.test(v)) return v;
  return v.replace(/^\+/, '').replace(/[\s\-().]/g, '');
}

export function isSipUri(value: string): boolean {
  return /^sips?:/i.test(value.trim());
}

/** True for something a call can be placed to: digits (after normalising) or a SIP URI. */
export function isDialable(value: string): boolean {
  const v = normalizeNumber(value);
  return isSipUri(v) || /^[0-9*#]{1,32}$/.test(v);
}
