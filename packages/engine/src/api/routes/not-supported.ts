/**
 * Plivo resources Switchboard does not offer answer `SB_NOT_SUPPORTED` naming the feature, instead
 * of a bare 404 that reads like a wrong URL (docs/moving-from-plivo.md). One row per resource; a row
 * goes when the feature lands. Every method is answered, so the SDK's create, list, get, update and
 * delete all say the same thing.
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_SCHEMA } from '../openapi.ts';
import { notSupported } from '../errors.ts';

interface Unsupported {
  /** Under `/v1/Account/{auth_id}/`, or from the root when it starts with `/`; `:param` segments as in the router. */
  readonly path: string;
  readonly feature: string;
  readonly why: string;
}

const AUDIO = 'no media server yet: audio is simulated';
const NOT_VOICE = 'Switchboard is a voice call-control engine';

export const NOT_SUPPORTED: readonly Unsupported[] = [
  { path: 'MultiPartyCall', feature: 'MultiPartyCall', why: 'multi-party calls are not built yet' },
  { path: 'Call/:callUuid/Stream', feature: 'Stream', why: `${AUDIO}, so a call cannot be streamed` },
  // The SDK's call feedback goes to Plivo's stats host, which the preload sends here.
  { path: '/v1/Call/:callUuid/Feedback', feature: 'Call Feedback', why: 'there is no call-quality service to rate' },
  { path: 'Pricing', feature: 'Pricing', why: 'calls on Switchboard cost nothing' },
  { path: 'JWT/Token', feature: 'JWT/Token', why: 'there is no browser or mobile SDK endpoint to sign in' },
  { path: 'VerifiedCallerId', feature: 'VerifiedCallerId', why: 'caller IDs are the trunk\'s rules (docs/sip.md)' },
  { path: 'Masking/Session', feature: 'Masking/Session', why: 'number masking is not built' },
  { path: 'Message', feature: 'Message', why: NOT_VOICE },
  { path: 'Media', feature: 'Media', why: NOT_VOICE },
  { path: 'Powerpack', feature: 'Powerpack', why: NOT_VOICE },
  { path: 'Verify/Session', feature: 'Verify/Session', why: NOT_VOICE },
  { path: '10dlc', feature: '10dlc', why: NOT_VOICE },
  { path: 'Profile', feature: 'Profile', why: NOT_VOICE },
  { path: 'EndUser', feature: 'EndUser', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'ComplianceApplication', feature: 'ComplianceApplication', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'ComplianceDocument', feature: 'ComplianceDocument', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'ComplianceDocumentType', feature: 'ComplianceDocumentType', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'ComplianceRequirement', feature: 'ComplianceRequirement', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'PhoneNumber/Compliance', feature: 'PhoneNumber/Compliance', why: 'regulatory compliance does not apply to a self-hosted engine' },
  { path: 'HostedMessagingNumber', feature: 'HostedMessagingNumber', why: NOT_VOICE },
  { path: 'TollfreeVerification', feature: 'TollfreeVerification', why: NOT_VOICE },
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function notSupportedRoutes(app: FastifyInstance): void {
  for (const row of NOT_SUPPORTED) {
    const base = row.path.startsWith('/') ? row.path : `/v1/Account/:authId/${row.path}`;
    const handler = async () => {
      throw notSupported(row.feature, row.why);
    };
    // The resource itself and anything below it (`Conference/{name}/Member/{id}/Mute/`).
    // Documented as what it is (api/openapi.ts): a Plivo resource that always answers SB_NOT_SUPPORTED.
    const schema = { summary: `${row.feature}: not offered by Switchboard (${row.why})`, tags: ['Not supported'], response: { 400: { description: 'SB_NOT_SUPPORTED, always', content: { 'application/json': { schema: ERROR_SCHEMA } } } } };
    app.route({ method: [...METHODS], url: base, schema, handler });
    app.route({ method: [...METHODS], url: `${base}/*`, schema, handler });
  }
}
