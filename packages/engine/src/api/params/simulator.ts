/**
 * Bodies of the simulator endpoints (engine.md §4): `POST /v1/Account/{auth_id}/Simulator/Number/`
 * `{number, script}` and `POST .../Simulator/Call/` `{from, to, script?}`. Only the shape is
 * checked here; the script's syntax is the simulated network's business.
 */
import { invalidParam } from '../errors.ts';
import { isDialable, normalizeNumber } from '../../util/phone.ts';
import { asParams, optString, reqString, show, type Params } from './coerce.ts';

export interface SimNumberRequest {
  /** Normal form: digits without `+`, or a SIP URI (engine.md §1 "Phone numbers"). */
  number: string;
  script: string;
}

export interface SimCallRequest {
  from: string;
  to: string;
  /** The caller's behaviour, e.g. `hangup after 20s`; absent means the network's default. */
  script?: string;
}

function readNumber(p: Params, name: string): string {
  const value = reqString(p, name);
  if (!isDialable(value)) {
    throw invalidParam(name, `must be a phone number (digits, with or without a leading +) or a sip: URI (got ${show(value)})`);
  }
  return normalizeNumber(value);
}

export function parseSimNumber(body: unknown): SimNumberRequest {
  const p = asParams(body);
  return { number: readNumber(p, 'number'), script: reqString(p, 'script') };
}

export function parseSimCall(body: unknown): SimCallRequest {
  const p = asParams(body);
  const req: SimCallRequest = { from: readNumber(p, 'from'), to: readNumber(p, 'to') };
  const script = optString(p, 'script');
  if (script !== undefined) req.script = script;
  return req;
}
