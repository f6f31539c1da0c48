/**
 * What `<Conference>` needs of the engine's rooms (calls/conference-rooms.ts implements it): the
 * interpreter names the surface here, so it does not import calls/ (issue 18 item 3, arrows one way).
 */
import type { CallRow } from '../store/store.ts';
import type { FinishedRecording } from '../domain/recording.ts';

export type LeaveReason = 'hangup' | 'kicked' | 'star' | 'conference-ended' | 'alone' | 'time-limit';

/** What a room needs of a member's call (the CallSession behind it). */
export interface MemberCall {
  readonly uuid: string;
  row(): CallRow;
  /** Keys played to this member (relayDTMF). */
  sendDigits(digits: string): void;
  /** Hangs the call up (the API's hang up member). */
  hangup(): void;
}

export interface MemberOptions {
  readonly muted: boolean;
  readonly startConferenceOnEnter: boolean;
  readonly endConferenceOnExit: boolean;
  readonly stayAlone: boolean;
  readonly maxMembers: number;
  readonly timeLimitS: number;
  /** record="true": the conference is recorded once it has two members (one with whenAlone). */
  readonly record?: { readonly format: 'mp3' | 'wav'; readonly whenAlone: boolean; readonly onDone: (rec: FinishedRecording) => void };
  /** floorEvent="true": told when this member takes the floor. */
  readonly onFloor?: () => void;
}

/** A member as the element sees it. */
export interface RoomMember {
  readonly id: string;
  readonly gone: boolean;
  /** Resolves with the reason once the member is out of the room. */
  readonly left: Promise<LeaveReason>;
  readonly call: MemberCall;
  readonly room: {
    readonly uuid: string;
    readonly closed: Promise<void> | undefined;
    readonly recording: { readonly id: string; readonly url: string } | undefined;
    list(): readonly RoomMember[];
  };
}

export interface ConferenceRooms<M extends RoomMember = RoomMember> {
  /** Undefined when the room is full. */
  join(call: MemberCall, name: string, opts: MemberOptions): M | undefined;
  entered(member: M): void;
  waiting(member: M): boolean;
  depart(member: M, reason: LeaveReason): void;
}
