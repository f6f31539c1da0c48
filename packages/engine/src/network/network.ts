/**
 * The seam between call logic and a phone network (DESIGN.md, "The network is an interface").
 * `simulated/` and `sip/` implement it; nothing here knows about XML or webhooks, and the call
 * logic cannot tell the two networks apart.
 */
import type { NetworkEndReason } from '../domain/causes.ts';

/** Why the engine ends a leg; the network maps it to CANCEL / BYE / a rejection. */
export type LocalEnd = { readonly cause: string };

export type LegEvent =
  | { readonly type: 'ringing' } // 180
  | { readonly type: 'early-media' } // 183
  /** 200. `answeredBy`: who picked up, when the network can tell (a simulated script says; SIP cannot without media). */
  | { readonly type: 'answered'; readonly answeredBy?: 'human' | 'machine' }
  | { readonly type: 'digits'; readonly digits: string } // DTMF pressed by this leg's party
  /** The far end or the carrier ended the leg. Never emitted for an end the engine asked for. */
  | { readonly type: 'ended'; readonly reason: NetworkEndReason };

export type LegListener = (event: LegEvent) => void;

/** From this moment (ms after the answer) the party talks, or is silent. */
export interface SpeechChange {
  readonly at: number;
  readonly talking: boolean;
}

export interface OriginateRequest {
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  /** Custom SIP headers, already named `X-PH-...`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** SDP offer (SIP only). */
  readonly offer?: string;
}

export interface NetworkLeg {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** SIP only: the session description this leg's party sent (a Dial offers it to its B legs). */
  readonly remoteSdp?: string | undefined;
  /** Subscribes to this leg's events. Events are delivered asynchronously, in order. */
  onEvent(listener: LegListener): void;
  /** Inbound only: answers the leg. */
  answer(sdp?: string): void;
  /** Inbound only, before answer: refuses it with this cause (FreeSWITCH name). */
  reject(cause: string): void;
  /** CANCEL before answer, BYE after. After this the leg emits nothing more. */
  hangup(cause: string): void;
  /** Joins the media of two legs (simulated: bookkeeping; SIP: SDP exchange / re-INVITE). */
  bridge(other: NetworkLeg): void;
  /**
   * Before answer: lets this leg's party hear another leg's early media (the callee's own ringback
   * or announcement; SIP: a 183 carrying that leg's SDP). Networks without early media leave it out.
   */
  earlyMedia?(from: NetworkLeg): void;
  /**
   * When this leg's party talks and is silent, from the answer (a simulated script's `talk` and
   * `silence` steps; silent after the last). Absent: the party counts as talking throughout (SIP
   * carries no media analysis here).
   */
  readonly speech?: readonly SpeechChange[] | undefined;
  /** Plays DTMF towards this leg's party. */
  sendDigits(digits: string): void;
}

export type InboundHandler = (leg: NetworkLeg) => void;

export interface Network {
  originate(req: OriginateRequest): NetworkLeg;
  onInbound(handler: InboundHandler): void;
  close(): Promise<void>;
}
