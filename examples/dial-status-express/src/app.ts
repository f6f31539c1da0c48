// The seed's dial status app (seed 000, "Create a Express Server for Dial Status Reporting"),
// written with @switchboard/sdk: `/dialstatus/` answers a Dial whose `action` is
// `/dialstatus/action/` with redirect="true", and `/dialstatus/action/` checks the signature,
// records the dial's outcome and answers the XML that the call goes on with.
//
// Two fixes to the seed (README.md explains them): the outcome is read from `DialStatus` (Plivo
// sends no `Status` parameter), and the action request gets an answer; with redirect="true" the
// call waits for that XML.
import express, { type Express } from 'express';
import { Response } from '@switchboard/sdk/xml';
import { plivoSignature, webhookOf } from '@switchboard/sdk/express';
import type { DialStatus } from '@switchboard/sdk/webhooks';

/** One Dial outcome, as the action request reported it. */
export interface DialRecord {
  readonly DialStatus: DialStatus;
  readonly DialALegUUID: string;
  readonly DialBLegUUID: string;
  readonly DialHangupCause: string;
  readonly DialRingStatus: boolean;
}

export interface DialStatusAppOptions {
  /** The auth token webhooks are signed with (the engine's SWITCHBOARD_AUTH_TOKEN, or Plivo's). */
  readonly authToken: string;
  /** The number (or SIP URI) the Dial calls; the seed's `+15671234567` by default. */
  readonly dialTo?: string;
  /**
   * The public origin the engine reaches this app at, e.g. `https://abc.ngrok.app`. Used to build
   * the action URL and to check signatures behind a tunnel; without it both come from the request.
   */
  readonly publicUrl?: string | undefined;
  /** Where each outcome is reported; `console.log` by default. */
  readonly log?: (line: string) => void;
}

export interface DialStatusApp {
  readonly app: Express;
  /** Every outcome received, oldest first (also served as JSON at `GET /dialstatus/records`). */
  readonly records: readonly DialRecord[];
}

export function createDialStatusApp(options: DialStatusAppOptions): DialStatusApp {
  const { authToken, dialTo = '+15671234567', publicUrl, log = console.log } = options;
  const records: DialRecord[] = [];
  const app = express();
  const verify = plivoSignature({ authToken, publicUrl });
  const form = express.urlencoded({ extended: false });

  const origin = (req: express.Request): string => publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host')}`;
  const sendXml = (res: express.Response, r: Response): void => {
    res.type('text/xml').send(r.toXML());
  };

  // The seed answers on app.all (Plivo's answer_method may be GET or POST); so do we.
  app.all('/dialstatus/', form, verify, (req, res) => {
    const r = new Response();
    r.addDial({ action: `${origin(req)}/dialstatus/action/`, method: 'POST', redirect: true }).addNumber(dialTo);
    sendXml(res, r);
  });

  app.all('/dialstatus/action/', form, verify, (req, res) => {
    // The middleware parsed and type-checked the parameters; anything but a Dial action is refused.
    const hook = webhookOf(req, 'dial-action');
    const record: DialRecord = {
      DialStatus: hook.DialStatus,
      DialALegUUID: hook.DialALegUUID,
      DialBLegUUID: hook.DialBLegUUID,
      DialHangupCause: hook.DialHangupCause,
      DialRingStatus: hook.DialRingStatus,
    };
    records.push(record);
    log(`DialStatus : ${record.DialStatus} Aleg UUID : ${record.DialALegUUID} Bleg UUID : ${record.DialBLegUUID || '(none)'}`);
    // redirect="true": this XML is what the caller hears next (seed: "expects a valid XML").
    const r = new Response();
    if (record.DialStatus === 'completed') r.addSpeak('Thank you for calling. Goodbye.');
    else r.addSpeak(`The number you called did not answer (${record.DialStatus}). Goodbye.`).addHangup();
    sendXml(res, r);
  });

  app.get('/dialstatus/records', (_req, res) => {
    res.json(records);
  });

  // A request that webhookOf refused (not a Dial action) is the caller's mistake, not a crash.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err instanceof Error && err.name === 'WebhookParseError') {
      res.status(400).type('text/plain').send(`Bad Request: ${err.message}\n`);
      return;
    }
    next(err);
  });

  return { app, records };
}
