/**
 * `POST Application/` and `POST Application/{app_id}/` (plivo.md §1.8): Plivo's fields, read with
 * the shared coercion rules (JSON with typed or string values, or a form body).
 */
import type { ApplicationFields } from '../../numbers/applications.ts';
import { asParams, method, optBool, optString, optUrl, raw, reqString, type Params } from './coerce.ts';

/** A URL field given as "" or null clears it on update; absent keeps it. */
function urlField(p: Params, name: string): string | null | undefined {
  const v = raw(p, name);
  if (v === null || (typeof v === 'string' && v.trim() === '')) return Object.hasOwn(p, name) ? null : undefined;
  return optUrl(p, name);
}

function fields(p: Params): ApplicationFields {
  const f: ApplicationFields = {};
  const set = <K extends keyof ApplicationFields>(k: K, v: ApplicationFields[K] | undefined) => {
    if (v !== undefined) f[k] = v;
  };
  set('answerUrl', urlField(p, 'answer_url'));
  if (optString(p, 'answer_method') !== undefined) set('answerMethod', method(p, 'answer_method'));
  set('hangupUrl', urlField(p, 'hangup_url'));
  if (optString(p, 'hangup_method') !== undefined) set('hangupMethod', method(p, 'hangup_method'));
  set('fallbackAnswerUrl', urlField(p, 'fallback_answer_url'));
  if (optString(p, 'fallback_method') !== undefined) set('fallbackMethod', method(p, 'fallback_method'));
  set('messageUrl', urlField(p, 'message_url'));
  if (optString(p, 'message_method') !== undefined) set('messageMethod', method(p, 'message_method'));
  set('defaultNumberApp', optBool(p, 'default_number_app'));
  set('defaultEndpointApp', optBool(p, 'default_endpoint_app'));
  set('logIncomingMessages', optBool(p, 'log_incoming_messages'));
  return f;
}

export function parseCreateApplication(body: unknown): { appName: string; fields: ApplicationFields } {
  const p = asParams(body);
  return { appName: reqString(p, 'app_name', { maxLength: 200 }), fields: fields(p) };
}

export function parseUpdateApplication(body: unknown): ApplicationFields {
  const p = asParams(body);
  const f = fields(p);
  const name = optString(p, 'app_name', { maxLength: 200 });
  if (name !== undefined) f.appName = name;
  return f;
}
