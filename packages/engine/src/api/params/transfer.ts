/**
 * Transfer a live call — `POST /v1/Account/{auth_id}/Call/{call_uuid}/` (plivo.md §1.7): the
 * named legs fetch new XML from their URL.
 */
import { missingParam } from '../errors.ts';
import { asParams, has, method, optOneOf, optUrl, type HttpMethod } from './coerce.ts';

export type TransferLegs = 'aleg' | 'bleg' | 'both';

export interface TransferRequest {
  legs: TransferLegs;
  /** Present when legs is aleg or both. */
  alegUrl?: string;
  alegMethod: HttpMethod;
  /** Present when legs is bleg or both. */
  blegUrl?: string;
  blegMethod: HttpMethod;
  /** Keys the body carried that this request does not use (another leg's URL included). */
  ignored: string[];
}

const KNOWN = new Set(['legs', 'aleg_url', 'aleg_method', 'bleg_url', 'bleg_method']);

export function parseTransfer(body: unknown): TransferRequest {
  const p = asParams(body);
  const legs = optOneOf(p, 'legs', ['aleg', 'bleg', 'both'] as const) ?? 'aleg';
  const req: TransferRequest = {
    legs,
    alegMethod: method(p, 'aleg_method'),
    blegMethod: method(p, 'bleg_method'),
    ignored: [],
  };
  const wantsA = legs === 'aleg' || legs === 'both';
  const wantsB = legs === 'bleg' || legs === 'both';
  const alegUrl = optUrl(p, 'aleg_url');
  const blegUrl = optUrl(p, 'bleg_url');
  if (wantsA) {
    if (alegUrl === undefined) throw missingParam('aleg_url');
    req.alegUrl = alegUrl;
  }
  if (wantsB) {
    if (blegUrl === undefined) throw missingParam('bleg_url');
    req.blegUrl = blegUrl;
  }
  for (const key of Object.keys(p)) {
    const unusedUrl = (key === 'aleg_url' && !wantsA) || (key === 'bleg_url' && !wantsB);
    if ((!KNOWN.has(key) || unusedUrl) && has(p, key)) req.ignored.push(key);
  }
  return req;
}
