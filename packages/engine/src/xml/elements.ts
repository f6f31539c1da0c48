// The typed, immutable element tree an app's Plivo XML turns into (STYLE.md §3).
// Pure types: the parser builds these, the interpreter reads them; nothing here knows about calls.
// Attribute names, defaults and allowed values follow spec/plivo.md §3 and §4.2.

export type Method = 'GET' | 'POST';

/** 1-based line and column of an element's `<` in the source document. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

interface Base {
  readonly pos: SourcePos;
}

export interface ResponseDocument {
  readonly kind: 'Response';
  readonly children: readonly Element[];
}

export type Element =
  | SpeakElement
  | PlayElement
  | WaitElement
  | HangupElement
  | RedirectElement
  | GetDigitsElement
  | GetInputElement
  | PreAnswerElement
  | DialElement
  | DtmfElement
  | RecordElement
  | ConferenceElement
  | UnsupportedElement;

export type ElementKind = Element['kind'];

/** What GetDigits / GetInput may play while they collect input, and what a media document holds (plivo.md §4.1). */
export type MediaElement = SpeakElement | PlayElement | WaitElement;

/** Documents fetched for Dial's `confirmSound` and `dialMusic` keep only these (plivo.md §3.1). */
export interface MediaDocument {
  readonly kind: 'Response';
  readonly children: readonly MediaElement[];
}

export interface SpeakElement extends Base {
  readonly kind: 'Speak';
  /** The spoken text: the body with SSML tags removed, trimmed. */
  readonly text: string;
  /** The body re-serialised with its SSML children, present only when the body has SSML elements. */
  readonly ssml?: string;
  /** `WOMAN`, `MAN` or `Polly.<Name>`; default `WOMAN`. */
  readonly voice: string;
  /** Default `en-US`. */
  readonly language: string;
  /** Default 1; 0 = repeat until the call ends. */
  readonly loop: number;
}

export interface PlayElement extends Base {
  readonly kind: 'Play';
  /** Trimmed body; never empty. */
  readonly url: string;
  /** Default 1; 0 = repeat until the call ends. */
  readonly loop: number;
}

export interface WaitElement extends Base {
  readonly kind: 'Wait';
  /** Seconds, default 1. */
  readonly length: number;
  /** Default false: with true, the wait ends early once `minSilence` ms of silence is heard. */
  readonly silence: boolean;
  /** Milliseconds, default 2000. */
  readonly minSilence: number;
  /** Default false. */
  readonly beep: boolean;
}

export interface HangupElement extends Base {
  readonly kind: 'Hangup';
  readonly reason?: 'rejected' | 'busy';
  /** Seconds > 0: hang up later while the document goes on (plivo.md §4.2). */
  readonly schedule?: number;
}

export interface RedirectElement extends Base {
  readonly kind: 'Redirect';
  /** Trimmed body; never empty. */
  readonly url: string;
  /** Default POST. */
  readonly method: Method;
}

export interface GetDigitsElement extends Base {
  readonly kind: 'GetDigits';
  readonly action?: string;
  /** Default POST. */
  readonly method: Method;
  /** Seconds to wait for the first digit, default 5. */
  readonly timeout: number;
  /** Seconds between digits; default = `timeout`. */
  readonly digitTimeout: number;
  /** Default `#`; `''` = none. */
  readonly finishOnKey: string;
  /** Default 99. */
  readonly numDigits: number;
  /** Default 1. */
  readonly retries: number;
  /** Default true. */
  readonly redirect: boolean;
  /** Default false. */
  readonly playBeep: boolean;
  /** Default `1234567890*#`. */
  readonly validDigits: string;
  readonly invalidDigitsSound?: string;
  /** Default true; false asks that the digits be kept out of logs. */
  readonly log: boolean;
  readonly children: readonly MediaElement[];
}

export type InputType = 'dtmf' | 'speech' | 'dtmf speech';

export interface GetInputElement extends Base {
  readonly kind: 'GetInput';
  readonly action?: string;
  /** Default POST. */
  readonly method: Method;
  readonly inputType: InputType;
  /** Seconds, 5 to 60, default 15. */
  readonly executionTimeout: number;
  /** Seconds (2 to 10), or `auto` (the default). */
  readonly digitEndTimeout: number | 'auto';
  /** Seconds (2 to 10), or `auto` (the default). */
  readonly speechEndTimeout: number | 'auto';
  /** Default `#`; `''` = none. */
  readonly finishOnKey: string;
  /** 1 to 32, default 32. */
  readonly numDigits: number;
  /** Default true. */
  readonly redirect: boolean;
  /** Speech language, default `en-US`. */
  readonly language: string;
  readonly speechModel?: string;
  readonly hints?: string;
  /** Default false. */
  readonly profanityFilter: boolean;
  readonly interimSpeechResultsCallback?: string;
  /** Default POST. */
  readonly interimSpeechResultsCallbackMethod: Method;
  /** Default true. */
  readonly log: boolean;
  readonly children: readonly MediaElement[];
}

export interface PreAnswerElement extends Base {
  readonly kind: 'PreAnswer';
  /** Only Play, Speak, GetDigits, Wait, Redirect, DTMF, and Message (as Unsupported). */
  readonly children: readonly Element[];
}

export interface DialElement extends Base {
  readonly kind: 'Dial';
  readonly action?: string;
  /** Default POST. */
  readonly method: Method;
  /** Default true. */
  readonly redirect: boolean;
  /** Ring timeout in seconds; absent when not given or <= 0 (= no ring timeout). */
  readonly timeout?: number;
  /** Seconds, default 14400; values >= 86400 are cut to 86400. */
  readonly timeLimit: number;
  readonly hangupOnStar: boolean;
  /** `none` -> `''` (empty caller id). */
  readonly callerId?: string;
  /** At most 50 characters; `none` -> `''`. */
  readonly callerName?: string;
  readonly confirmSound?: string;
  /** One of 0-9, `*`, `#`. */
  readonly confirmKey?: string;
  /** Seconds, default 120. */
  readonly confirmTimeout: number;
  /** A URL, `real` or `none`. */
  readonly dialMusic?: string;
  readonly callbackUrl?: string;
  /** Default POST. */
  readonly callbackMethod: Method;
  readonly digitsMatch: readonly string[];
  readonly digitsMatchBLeg: readonly string[];
  readonly sipHeaders: Readonly<Record<string, string>>;
  /** At least one, in document order (DialBLegPosition is the 1-based index). */
  readonly targets: readonly DialTarget[];
}

export type DialTarget = NumberNoun | UserNoun;

export interface NumberNoun extends Base {
  readonly kind: 'Number';
  /** As written, trimmed; never empty. */
  readonly number: string;
  readonly sendDigits?: string;
  /** Default false. */
  readonly sendOnPreanswer: boolean;
  readonly sendDigitsMode?: string;
  readonly callerId?: string;
  readonly callerName?: string;
}

export interface UserNoun extends Base {
  readonly kind: 'User';
  /** Trimmed SIP URI; never empty. */
  readonly uri: string;
  readonly sendDigits?: string;
  /** Default false. */
  readonly sendOnPreanswer: boolean;
  readonly sipHeaders: Readonly<Record<string, string>>;
  readonly callerId?: string;
  readonly callerName?: string;
}

export interface DtmfElement extends Base {
  readonly kind: 'DTMF';
  /** Trimmed body: 0-9, `*`, `#`, A-D, and `w`/`W` pauses. */
  readonly digits: string;
  /** Default true: the document goes on while the digits play. */
  readonly async: boolean;
}

/** `<Record>` (plivo.md §4.2; Plivo's Record XML reference for the defaults). */
export interface RecordElement extends Base {
  readonly kind: 'Record';
  readonly action?: string;
  /** Default POST. */
  readonly method: Method;
  /** Default `mp3`. */
  readonly fileFormat: 'mp3' | 'wav';
  /** Default true. */
  readonly redirect: boolean;
  /** Seconds of silence that end the recording, default 15. */
  readonly timeout: number;
  /** Seconds, default 60. */
  readonly maxLength: number;
  /** Default true. */
  readonly playBeep: boolean;
  /** Keys that end the recording; default `1234567890*#`; `''` = none. */
  readonly finishOnKey: string;
  /** Default false: record the whole call in the background. */
  readonly recordSession: boolean;
  /** Default false: record in the background from the moment a Dial's callee answers. */
  readonly startOnDialAnswer: boolean;
  readonly transcriptionType?: string;
  readonly transcriptionUrl?: string;
  /** Default POST. */
  readonly transcriptionMethod: Method;
  readonly callbackUrl?: string;
  /** Default POST. */
  readonly callbackMethod: Method;
}

/** enterSound / exitSound: one beep, two beeps, or a URL answering Play / Speak / Wait. */
export type ConferenceSound = 'beep:1' | 'beep:2' | string;

/** `<Conference>` (plivo.md §4.2; Plivo's Conference XML reference for the defaults). */
export interface ConferenceElement extends Base {
  readonly kind: 'Conference';
  /** The room's name: the trimmed body, never empty. Rooms are per account. */
  readonly room: string;
  /** Default false. */
  readonly muted: boolean;
  /** Default false; accepted for the SDK's sake, it changes nothing on the simulated network. */
  readonly beep: boolean;
  /** Default true. */
  readonly startConferenceOnEnter: boolean;
  /** Default false. */
  readonly endConferenceOnExit: boolean;
  /** A URL answering Play / Speak / Wait, played while the member waits. */
  readonly waitSound?: string;
  readonly enterSound?: ConferenceSound;
  readonly exitSound?: ConferenceSound;
  /** Seconds the conference may last, default 86400. */
  readonly timeLimit: number;
  /** Default false: `*` takes the member out of the room. */
  readonly hangupOnStar: boolean;
  /** Default 20. */
  readonly maxMembers: number;
  /** Default false. */
  readonly record: boolean;
  /** Default false: with `record`, recording starts with the first member rather than the second. */
  readonly recordWhenAlone: boolean;
  /** Default `mp3`. */
  readonly recordFileFormat: 'mp3' | 'wav';
  readonly action?: string;
  /** Default POST. */
  readonly method: Method;
  /** Default true. */
  readonly redirect: boolean;
  /** Key sequences reported to callbackUrl as ConferenceAction=digits. */
  readonly digitsMatch: readonly string[];
  readonly callbackUrl?: string;
  /** Default POST. */
  readonly callbackMethod: Method;
  /** Default true; false ends the conference when this member is the only one left. */
  readonly stayAlone: boolean;
  /** Default false: report ConferenceAction=floor when this member takes the floor. */
  readonly floorEvent: boolean;
  /** Default true: keys the member presses are played to the others. */
  readonly relayDTMF: boolean;
  readonly transcriptionType?: string;
  readonly transcriptionUrl?: string;
  /** Default POST. */
  readonly transcriptionMethod: Method;
}

/** Conference, Stream, MultiPartyCall, Message: need media/services Switchboard does not have; the interpreter skips them with a warning. */
export interface UnsupportedElement extends Base {
  readonly kind: 'Unsupported';
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The trimmed text body (Conference's room, Message's text, Stream's URL); '' when none. */
  readonly body: string;
}
