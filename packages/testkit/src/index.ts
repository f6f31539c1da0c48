/**
 * `@switchboard/testkit`: Switchboard inside an app's own tests (docs/testkit.md).
 *
 * @example
 * ```ts
 * const sb = await startSwitchboard({ clock: 'virtual', numbers: { '+15671234567': 'ring 2s, busy' } });
 * const base = await sb.serve(app);                     // the app under test, in this process
 * await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
 * const action = await sb.webhook('action', { DialStatus: 'busy' });
 * await sb.close();
 * ```
 * @module
 */
export { startSwitchboard, type Switchboard, type SwitchboardOptions, type CallParams, type PlacedCall } from './start.ts';
export type { Webhook, WebhookMatch, WaitOptions } from './webhook-log.ts';
export type { RequestListener } from './app-host.ts';
