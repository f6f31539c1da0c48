// Attribute types and whitelists of each element. The whitelists are the `plivo` package's own
// (plivo.md §3.1, §3.2, §4.2); the types narrow the values where Plivo documents a closed set.

/**
 * HTTP method attribute values (`method`, `callbackMethod`, ...).
 *
 * @example
 * ```ts
 * const m: HttpMethod = 'GET';
 * ```
 */
export type HttpMethod = 'GET' | 'POST';

/**
 * `<Speak voice>`: `WOMAN`, `MAN` or an Amazon Polly voice such as `Polly.Joanna` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const v: SpeakVoice = 'Polly.Joanna';
 * ```
 */
export type SpeakVoice = 'WOMAN' | 'MAN' | `Polly.${string}`;

/**
 * Attributes of `<Dial>` (plivo.md §3.1). Note the spelling `callerId`, not `callerID`.
 *
 * @example
 * ```ts
 * const a: DialAttributes = { action: 'https://app/dial-done', timeout: 20, callbackUrl: 'https://app/dial-events' };
 * ```
 */
export interface DialAttributes {
  action?: string;
  method?: HttpMethod;
  timeout?: number;
  hangupOnStar?: boolean;
  timeLimit?: number;
  callerId?: string;
  callerName?: string;
  confirmSound?: string;
  dialMusic?: string;
  confirmKey?: string;
  redirect?: boolean;
  callbackUrl?: string;
  callbackMethod?: HttpMethod;
  digitsMatch?: string;
  digitsMatchBLeg?: string;
  sipHeaders?: string;
  confirmTimeout?: number;
}

/**
 * Attributes of `<Number>` inside `<Dial>` (plivo.md §3.2); `sipHeaders` is not allowed here.
 *
 * @example
 * ```ts
 * const a: NumberAttributes = { sendDigits: 'ww123', sendOnPreanswer: true };
 * ```
 */
export interface NumberAttributes {
  sendDigits?: string;
  sendOnPreanswer?: boolean;
  sendDigitsMode?: string;
  callerId?: string;
  callerName?: string;
}

/**
 * Attributes of `<User>` inside `<Dial>` (plivo.md §3.2).
 *
 * @example
 * ```ts
 * const a: UserAttributes = { sipHeaders: 'X-PH-Team=sales' };
 * ```
 */
export interface UserAttributes {
  sendDigits?: string;
  sendOnPreanswer?: boolean;
  sipHeaders?: string;
  callerId?: string;
  callerName?: string;
}

/**
 * Attributes of `<Speak>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: SpeakAttributes = { voice: 'WOMAN', language: 'en-US', loop: 1 };
 * ```
 */
export interface SpeakAttributes {
  voice?: SpeakVoice;
  language?: string;
  loop?: number;
}

/**
 * Attributes of `<Play>`; `loop: 0` repeats forever (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: PlayAttributes = { loop: 2 };
 * ```
 */
export interface PlayAttributes {
  loop?: number;
}

/**
 * Attributes of `<Wait>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: WaitAttributes = { length: 2 };
 * ```
 */
export interface WaitAttributes {
  length?: number;
  silence?: boolean;
  min_silence?: number;
  minSilence?: number;
  beep?: boolean;
}

/**
 * Attributes of `<Hangup>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: HangupAttributes = { reason: 'busy' };
 * ```
 */
export interface HangupAttributes {
  reason?: 'rejected' | 'busy';
  schedule?: number;
}

/**
 * Attributes of `<Redirect>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: RedirectAttributes = { method: 'GET' };
 * ```
 */
export interface RedirectAttributes {
  method?: HttpMethod;
}

/**
 * Attributes of `<GetDigits>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: GetDigitsAttributes = { action: 'https://app/menu', numDigits: 1, timeout: 7 };
 * ```
 */
export interface GetDigitsAttributes {
  action?: string;
  method?: HttpMethod;
  timeout?: number;
  digitTimeout?: number;
  finishOnKey?: string;
  numDigits?: number;
  retries?: number;
  invalidDigitsSound?: string;
  validDigits?: string;
  playBeep?: boolean;
  redirect?: boolean;
  log?: boolean;
}

/**
 * Attributes of `<GetInput>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: GetInputAttributes = { action: 'https://app/input', inputType: 'dtmf speech' };
 * ```
 */
export interface GetInputAttributes {
  action?: string;
  method?: HttpMethod;
  inputType?: 'dtmf' | 'speech' | 'dtmf speech';
  executionTimeout?: number;
  digitEndTimeout?: number | 'auto';
  speechEndTimeout?: number | 'auto';
  finishOnKey?: string;
  numDigits?: number;
  speechModel?: string;
  hints?: string;
  language?: string;
  interimSpeechResultsCallback?: string;
  interimSpeechResultsCallbackMethod?: HttpMethod;
  log?: boolean;
  redirect?: boolean;
  profanityFilter?: boolean;
}

/**
 * Attributes of `<DTMF>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: DtmfAttributes = { async: true };
 * ```
 */
export interface DtmfAttributes {
  digits?: string;
  async?: boolean;
}

/**
 * Attributes of `<Record>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: RecordAttributes = { action: 'https://app/recorded', maxLength: 30, playBeep: true };
 * ```
 */
export interface RecordAttributes {
  action?: string;
  method?: HttpMethod;
  timeout?: number;
  finishOnKey?: string;
  maxLength?: number;
  playBeep?: boolean;
  recordSession?: boolean;
  startOnDialAnswer?: boolean;
  redirect?: boolean;
  fileFormat?: 'mp3' | 'wav';
  callbackUrl?: string;
  callbackMethod?: HttpMethod;
  transcriptionType?: string;
  transcriptionUrl?: string;
  transcriptionMethod?: HttpMethod;
  recordChannelType?: string;
}

/**
 * Attributes of `<Conference>` (plivo.md §4.2).
 *
 * @example
 * ```ts
 * const a: ConferenceAttributes = { startConferenceOnEnter: true, endConferenceOnExit: false };
 * ```
 */
export interface ConferenceAttributes {
  muted?: boolean;
  beep?: boolean;
  startConferenceOnEnter?: boolean;
  endConferenceOnExit?: boolean;
  waitSound?: string;
  enterSound?: string;
  exitSound?: string;
  timeLimit?: number;
  hangupOnStar?: boolean;
  maxMembers?: number;
  record?: boolean;
  recordWhenAlone?: boolean;
  recordFileFormat?: 'mp3' | 'wav';
  action?: string;
  method?: HttpMethod;
  redirect?: boolean;
  digitsMatch?: string;
  callbackUrl?: string;
  callbackMethod?: HttpMethod;
  stayAlone?: boolean;
  floorEvent?: boolean;
  transcriptionType?: string;
  transcriptionUrl?: string;
  transcriptionMethod?: HttpMethod;
  relayDTMF?: boolean;
}

/**
 * Attribute names each element accepts, as the `plivo` package checks them at run time
 * (plivo.md §3.1, §3.2, §4.1, §4.2). Plain JavaScript callers get an {@link XmlBuildError} for
 * anything else.
 *
 * @example
 * ```ts
 * ATTRIBUTE_WHITELIST.Dial.includes('callbackUrl'); // true
 * ```
 */
export const ATTRIBUTE_WHITELIST = {
  Dial: ['action', 'method', 'timeout', 'hangupOnStar', 'timeLimit', 'callerId', 'callerName', 'confirmSound', 'dialMusic',
    'confirmKey', 'redirect', 'callbackUrl', 'callbackMethod', 'digitsMatch', 'digitsMatchBLeg', 'sipHeaders', 'confirmTimeout'],
  Number: ['sendDigits', 'sendOnPreanswer', 'sendDigitsMode', 'callerId', 'callerName'],
  User: ['sendDigits', 'sendOnPreanswer', 'sipHeaders', 'callerId', 'callerName'],
  Speak: ['voice', 'language', 'loop'],
  Play: ['loop'],
  Wait: ['length', 'silence', 'min_silence', 'minSilence', 'beep'],
  Hangup: ['schedule', 'reason'],
  Redirect: ['method'],
  GetDigits: ['action', 'method', 'timeout', 'digitTimeout', 'finishOnKey', 'numDigits', 'retries', 'invalidDigitsSound',
    'validDigits', 'playBeep', 'redirect', 'log'],
  GetInput: ['action', 'method', 'inputType', 'executionTimeout', 'digitEndTimeout', 'speechEndTimeout', 'finishOnKey',
    'numDigits', 'speechModel', 'hints', 'language', 'interimSpeechResultsCallback', 'interimSpeechResultsCallbackMethod',
    'log', 'redirect', 'profanityFilter'],
  DTMF: ['digits', 'async'],
  Record: ['action', 'method', 'timeout', 'finishOnKey', 'maxLength', 'playBeep', 'recordSession', 'startOnDialAnswer',
    'redirect', 'fileFormat', 'callbackUrl', 'callbackMethod', 'transcriptionType', 'transcriptionUrl',
    'transcriptionMethod', 'recordChannelType'],
  Conference: ['muted', 'beep', 'startConferenceOnEnter', 'endConferenceOnExit', 'waitSound', 'enterSound', 'exitSound',
    'timeLimit', 'hangupOnStar', 'maxMembers', 'record', 'recordWhenAlone', 'recordFileFormat', 'action', 'method',
    'redirect', 'digitsMatch', 'callbackUrl', 'callbackMethod', 'stayAlone', 'floorEvent', 'transcriptionType',
    'transcriptionUrl', 'transcriptionMethod', 'relayDTMF'],
  PreAnswer: [],
} as const satisfies Record<string, readonly string[]>;

/**
 * Names of the elements the builder can emit under `<Response>`.
 *
 * @example
 * ```ts
 * const name: ElementName = 'Dial';
 * ```
 */
export type ElementName = keyof typeof ATTRIBUTE_WHITELIST;

// Compile-time guard: every typed attribute is in its element's whitelist and vice versa.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Whitelisted<E extends ElementName> = (typeof ATTRIBUTE_WHITELIST)[E][number];
const _inSync: [
  Same<keyof DialAttributes, Whitelisted<'Dial'>>,
  Same<keyof NumberAttributes, Whitelisted<'Number'>>,
  Same<keyof UserAttributes, Whitelisted<'User'>>,
  Same<keyof SpeakAttributes, Whitelisted<'Speak'>>,
  Same<keyof PlayAttributes, Whitelisted<'Play'>>,
  Same<keyof WaitAttributes, Whitelisted<'Wait'>>,
  Same<keyof HangupAttributes, Whitelisted<'Hangup'>>,
  Same<keyof RedirectAttributes, Whitelisted<'Redirect'>>,
  Same<keyof GetDigitsAttributes, Whitelisted<'GetDigits'>>,
  Same<keyof GetInputAttributes, Whitelisted<'GetInput'>>,
  Same<keyof DtmfAttributes, Whitelisted<'DTMF'>>,
  Same<keyof RecordAttributes, Whitelisted<'Record'>>,
  Same<keyof ConferenceAttributes, Whitelisted<'Conference'>>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true];
void _inSync;
