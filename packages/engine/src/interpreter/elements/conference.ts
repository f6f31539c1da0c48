import type { ConferenceElement } from '../../xml/elements.ts';
import { callParams, conferenceActionParams, conferenceCallbackParams, type ConferenceAction, type ConferenceFacts, type RecordingFacts } from '../../webhooks/params.ts';
import type { LeaveReason } from '../conference-port.ts';
import { NEXT, type CallContext, type ElementHandler, type WebhookRequest } from '../context.ts';

/**
 * `<Conference>` (plivo.md §4.2; docs/conference.md): the call enters the room named by the body
 * and stays there until it leaves (docs/conference.md lists how: hangup, kick, `*`, the room's
 * end). `callbackUrl` gets ConferenceAction `enter` and `exit` (and `digits`, `floor`, `record`)
 * through the outbox, in the call's order; when the member leaves, `action` gets the room and
 * member, and with `redirect` (the default) its XML replaces the document; without `action` the
 * document goes on, as Plivo's does.
 *
 * A full room (maxMembers) refuses the member: FreeSWITCH's conference application returns at
 * once, so there is no enter, no exit and no action, and the document goes on (with a warning).
 * waitSound, enterSound and exitSound URLs are fetched like Dial's dialMusic (Play, Speak and Wait
 * are kept); their audio is simulated.
 */
export const conference: ElementHandler<ConferenceElement> = async (el, ctx) => {
  const rooms = ctx.conferences;
  if (!rooms) {
    ctx.warn(`Conference: this engine runs no conferences; skipped (line ${el.pos.line}, column ${el.pos.column})`);
    return NEXT;
  }
  if (el.transcriptionType !== undefined || el.transcriptionUrl !== undefined) {
    ctx.warn(`Conference: transcription is not supported by Switchboard; transcriptionType/transcriptionUrl ignored (line ${el.pos.line}, column ${el.pos.column})`);
  }
  const callUuid = ctx.call().call_uuid;
  let facts: ConferenceFacts | undefined;
  const callback = (action: ConferenceAction, extra: { digits?: string; recording?: RecordingFacts } = {}) => {
    if (!el.callbackUrl || !facts) return;
    ctx.notify({ kind: 'conference_callback', event: 'Conference', url: el.callbackUrl, method: el.callbackMethod, params: conferenceCallbackParams(callUuid, action, facts, extra) });
  };
  const member = rooms.join(ctx.asMember(), el.room, {
    muted: el.muted,
    startConferenceOnEnter: el.startConferenceOnEnter,
    endConferenceOnExit: el.endConferenceOnExit,
    stayAlone: el.stayAlone,
    maxMembers: el.maxMembers,
    timeLimitS: el.timeLimit,
    ...(el.record ? { record: { format: el.recordFileFormat, whenAlone: el.recordWhenAlone, onDone: (rec) => callback('record', { recording: rec }) } } : {}),
    ...(el.floorEvent ? { onFloor: () => callback('floor') } : {}),
  });
  if (!member) {
    ctx.warn(`Conference: room "${el.room}" is full (maxMembers ${el.maxMembers}); the call goes on with the next element (line ${el.pos.line}, column ${el.pos.column})`);
    return NEXT;
  }
  const room = member.room;
  facts = { name: el.room, uuid: room.uuid, memberId: member.id };
  ctx.event('conference.enter', { conference_uuid: room.uuid, conference_name: el.room, member_id: member.id });
  callback('enter');
  rooms.entered(member);
  sound(ctx, 'enter_sound', el.enterSound);
  if (el.waitSound && rooms.waiting(member)) sound(ctx, 'wait_sound', el.waitSound);

  // Keys: `*` leaves with hangupOnStar; digitsMatch patterns are matched on the keys as pressed;
  // with relayDTMF the others hear each key.
  let pressed = '';
  const offDigits = ctx.onDigits((digits) => {
    for (const key of digits) {
      if (member.gone) return;
      if (el.hangupOnStar && key === '*') {
        rooms.depart(member, 'star');
        return;
      }
      pressed = (pressed + key).slice(-64);
      const hit = el.digitsMatch.find((p) => pressed.endsWith(p));
      if (hit !== undefined) {
        pressed = '';
        callback('digits', { digits: hit });
      }
      if (el.relayDTMF) for (const other of room.list()) if (other !== member) other.call.sendDigits(key);
    }
  });
  const onEnd = () => rooms.depart(member, 'hangup');
  ctx.signal.addEventListener('abort', onEnd, { once: true });
  if (ctx.signal.aborted) onEnd();
  let reason: LeaveReason;
  try {
    reason = await member.left;
  } finally {
    offDigits();
    ctx.signal.removeEventListener('abort', onEnd);
  }
  ctx.event('conference.exit', { conference_uuid: room.uuid, member_id: member.id, reason });
  callback('exit');
  if (!ctx.signal.aborted) sound(ctx, 'exit_sound', el.exitSound);
  // The last one out waits for the recording to be stored, so its `record` callback precedes the action.
  if (room.closed) await room.closed;
  if (!el.action) return NEXT;
  const rec = room.recording;
  const req: WebhookRequest = { kind: 'action', event: 'Redirect', url: el.action, method: el.method, params: conferenceActionParams(ctx.call(), facts, rec && { id: rec.id, url: rec.url }) };
  if (!el.redirect || ctx.signal.aborted) {
    ctx.notify(req);
    return NEXT;
  }
  const res = await ctx.fetchDocument(req);
  if (!res.ok) return { type: 'end', reason: 'action-failed' };
  return { type: 'goto', document: res.document, url: el.action };
};

/** A sound URL is fetched (Play / Speak / Wait kept) and played on the simulated clock of the room, not the member's: nothing waits for it. */
function sound(ctx: CallContext, kind: 'enter_sound' | 'wait_sound' | 'exit_sound', url: string | undefined): void {
  if (!url || url === 'beep:1' || url === 'beep:2') return;
  // Plivo fetches these with POST and the call's parameters.
  void ctx.fetchMedia({ kind, event: 'Redirect', url, method: 'POST', params: callParams(ctx.call(), 'Redirect') }).then((res) => {
    if (!res.ok) ctx.warn(`Conference: ${kind} ${url} could not be used (${res.error})`);
  });
}
