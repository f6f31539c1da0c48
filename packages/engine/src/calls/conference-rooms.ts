/**
 * Conference rooms (docs/conference.md; plivo.md §4.2 "Conference"): a room by name per account,
 * held in memory by the node whose calls are in it, with a row per room and per member in the
 * store (its history, and a CDR's `conference_uuid`).
 *
 * A member is a call running a `<Conference>` element (interpreter/elements/conference.ts). It
 * leaves when its call ends, when it is kicked (API) or presses `*` (hangupOnStar), or when the
 * room ends: a member with endConferenceOnExit left, the room's timeLimit ran out, the API hung
 * it up, or a member with stayAlone="false" was left on its own. Every departure goes through
 * `depart`, once, and its consequences follow at once, so the API always sees the room as it is.
 *
 * The floor (who is talking) goes to the first unmuted member of a room and, when its holder
 * leaves, to the unmuted member who has been there longest: the simulated network carries no
 * voices to detect, so this is FreeSWITCH's rule for a room where nobody else speaks up.
 */
import type { Clock, Timer } from '../clock.ts';
import type { ConferenceStore } from '../store/conference-store.ts';
import type { Recordings } from './recordings.ts';
import type { ActiveRecording } from '../domain/recording.ts';
import { newId } from '../util/ids.ts';
import type { ConferenceRooms, LeaveReason, MemberCall, MemberOptions } from '../interpreter/conference-port.ts';

export class ConferenceMember {
  muted: boolean;
  deaf = false;
  /** Set by the API's Play / Speak on this member until stopped. */
  playing: string | undefined;
  speaking: string | undefined;
  reason: LeaveReason | undefined;
  private resolveLeft!: (reason: LeaveReason) => void;
  /** Resolves with the reason once the member is out of the room. */
  readonly left = new Promise<LeaveReason>((r) => (this.resolveLeft = r));

  constructor(
    readonly id: string,
    readonly room: ConferenceRoom,
    readonly call: MemberCall,
    readonly opts: MemberOptions,
    readonly joinedAt: number,
  ) {
    this.muted = opts.muted;
  }

  get gone(): boolean {
    return this.reason !== undefined;
  }

  /** Called by the room only. */
  markLeft(reason: LeaveReason): void {
    this.reason = reason;
    this.resolveLeft(reason);
  }
}

export class ConferenceRoom {
  readonly members = new Map<string, ConferenceMember>();
  /** A member with startConferenceOnEnter="true" has entered; until then members wait (muted, hearing waitSound). */
  started = false;
  recording: ActiveRecording | undefined;
  floor: string | undefined;
  timeLimit: Timer | undefined;
  endReason: LeaveReason | undefined;
  /** Resolves once the room is empty and its recording (if any) is stored. */
  closed: Promise<void> | undefined;

  constructor(
    readonly uuid: string,
    readonly name: string,
    readonly accountId: string | null,
    readonly createdAt: number,
  ) {}

  /** Oldest member first. */
  list(): ConferenceMember[] {
    return [...this.members.values()];
  }
}

export interface ConferencesDeps {
  readonly clock: Clock;
  readonly store?: ConferenceStore;
  readonly recordings?: Recordings;
  readonly onError: (err: unknown, what: string) => void;
}

export class Conferences implements ConferenceRooms<ConferenceMember> {
  private readonly rooms = new Map<string, ConferenceRoom>();
  private nextMemberId = 1;

  constructor(private readonly deps: ConferencesDeps) {}

  /** The live room of that name in that account, if any. */
  room(accountId: string | null, name: string): ConferenceRoom | undefined {
    return this.rooms.get(key(accountId, name));
  }

  /** Live rooms of an account (all accounts with `undefined`), oldest first. */
  list(accountId?: string | null): ConferenceRoom[] {
    return [...this.rooms.values()].filter((r) => accountId === undefined || r.accountId === accountId);
  }

  /** Live rooms anywhere on this node (the dashboard's list of one account is filtered by the route). */
  all(): ConferenceRoom[] {
    return [...this.rooms.values()];
  }

  /** Puts a call into a room, creating it; undefined when the room is full (maxMembers). */
  join(call: MemberCall, name: string, opts: MemberOptions): ConferenceMember | undefined {
    const now = this.deps.clock.now();
    const accountId = call.row().account_id;
    let room = this.rooms.get(key(accountId, name));
    if (room && room.members.size >= opts.maxMembers) return undefined;
    if (!room) {
      room = new ConferenceRoom(newId(), name, accountId, now);
      this.rooms.set(key(accountId, name), room);
      this.write(`create conference ${room.uuid}`, this.deps.store?.createRoom({ conference_uuid: room.uuid, account_id: accountId, conference_name: name, created_at: now, ended_at: null, end_reason: null }));
    }
    const member = new ConferenceMember(String(this.nextMemberId++), room, call, opts, now);
    room.members.set(member.id, member);
    this.write(`add member ${member.id}`, this.deps.store?.addMember({ conference_uuid: room.uuid, member_id: member.id, call_uuid: call.uuid, joined_at: now, left_at: null, leave_reason: null }));
    if (opts.startConferenceOnEnter) room.started = true;
    // As FreeSWITCH under Plivo: each member that enters sets the room's time limit anew, from now.
    const r = room;
    room.timeLimit?.cancel();
    room.timeLimit = this.deps.clock.setTimer(opts.timeLimitS * 1000, () => this.end(r, 'time-limit'));
    return member;
  }

  /**
   * After the member's enter callback went out: the floor, if nobody holds it, and the recording,
   * once the room has the members it waits for.
   */
  entered(member: ConferenceMember): void {
    const room = member.room;
    if (member.gone) return;
    if (room.floor === undefined && !member.muted) this.giveFloor(room, member);
    this.maybeRecord(room);
  }

  /** Whether a member would wait now (the room has not started, or it is alone in it): waitSound plays. */
  waiting(member: ConferenceMember): boolean {
    return !member.room.started || member.room.members.size === 1;
  }

  /** Takes a member out of its room, once; what follows (room end, floor, stayAlone) follows at once. */
  depart(member: ConferenceMember, reason: LeaveReason): void {
    if (member.gone) return;
    const room = member.room;
    const now = this.deps.clock.now();
    room.members.delete(member.id);
    member.markLeft(reason);
    this.write(`member ${member.id} left`, this.deps.store?.memberLeft(room.uuid, member.id, now, reason));
    if (room.members.size === 0) {
      this.close(room, room.endReason ?? reason);
      return;
    }
    if (room.floor === member.id) {
      room.floor = undefined;
      const next = room.list().find((m) => !m.muted);
      if (next) this.giveFloor(room, next);
    }
    if (member.opts.endConferenceOnExit && room.endReason === undefined) {
      this.end(room, 'conference-ended');
      return;
    }
    const [alone] = room.list();
    if (room.members.size === 1 && alone && !alone.opts.stayAlone && room.endReason === undefined) this.depart(alone, 'alone');
  }

  /** Ends a room: every member leaves with `reason` (endConferenceOnExit, timeLimit, the API). */
  end(room: ConferenceRoom, reason: LeaveReason): void {
    room.endReason ??= reason;
    for (const m of room.list()) this.depart(m, reason);
  }

  /** The API's hang up member: the member's call ends (its element sees the call go). */
  hangupMember(member: ConferenceMember): void {
    member.call.hangup();
  }

  private giveFloor(room: ConferenceRoom, member: ConferenceMember): void {
    room.floor = member.id;
    member.opts.onFloor?.();
  }

  private maybeRecord(room: ConferenceRoom): void {
    if (room.recording || !this.deps.recordings) return;
    const starter = room.list().find((m) => m.opts.record);
    if (!starter?.opts.record) return;
    const needed = starter.opts.record.whenAlone ? 1 : 2;
    if (room.members.size < needed) return;
    const rec = starter.opts.record;
    room.recording = this.deps.recordings.start(starter.call.row(), { format: rec.format, conference: { uuid: room.uuid, name: room.name }, onDone: rec.onDone });
  }

  private close(room: ConferenceRoom, reason: LeaveReason): void {
    const now = this.deps.clock.now();
    room.timeLimit?.cancel();
    if (this.rooms.get(key(room.accountId, room.name)) === room) this.rooms.delete(key(room.accountId, room.name));
    room.endReason ??= reason;
    this.write(`end conference ${room.uuid}`, this.deps.store?.endRoom(room.uuid, now, room.endReason));
    room.closed = room.recording ? room.recording.stop().then(() => undefined) : Promise.resolve();
  }

  private write(what: string, p: Promise<unknown> | undefined): void {
    p?.catch((err) => this.deps.onError(err, what));
  }
}

function key(accountId: string | null, name: string): string {
  return `${accountId ?? ''}\u0000${name}`;
}
