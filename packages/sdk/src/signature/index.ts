/**
 * `@switchboard/sdk/signature` — Plivo-compatible webhook signatures, V1, V2 and V3 (plivo.md §6).
 *
 * @example
 * ```ts
 * import { validateV3Signature, signatureHeaders } from '@switchboard/sdk/signature';
 * ```
 * @module
 */
export {
  computeV3Signature,
  signV3,
  v3SignedString,
  validateV3Signature,
  verifyV3,
  type SignedMethod,
  type SignatureParams,
  type V3SignatureInput,
  type V3VerifyInput,
} from './v3.ts';
export { newNonce, signatureHeaders, type PlivoSignatureHeaders, type SignatureHeadersInput } from './headers.ts';
export { computeV2Signature, validateV2Signature } from './v2.ts';
export { computeV1Signature, validateV1Signature } from './v1.ts';
export { SignatureInputError, type SignatureInputErrorCode } from './errors.ts';
