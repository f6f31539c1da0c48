import { randomInt } from 'node:crypto';

/**
 * A numeric id in Plivo's shape: 17 decimal digits, no leading zero, as a string (Plivo's
 * `app_id` is `"20372631212782780"` in its recorded answers, plivo-node request-test
 * `Application/`). Ids made before this was used are UUIDs; both stay valid (docs/numbers.md).
 */
export function newNumericId(): string {
  // Two draws: randomInt takes ranges below 2^48 only.
  return `${randomInt(1, 10)}${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e8)).padStart(8, '0')}`;
}
