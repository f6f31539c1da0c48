// The public builders, shaped like the `plivo` package's `Response` (plivo.md §4.1, §7.5).
// Container elements (Dial, GetDigits, GetInput, PreAnswer) return a builder for their children;
// leaf elements return the builder they were added to, so calls chain.
import type {
  ConferenceAttributes,
  DialAttributes,
  DtmfAttributes,
  GetDigitsAttributes,
  GetInputAttributes,
  HangupAttributes,
  NumberAttributes,
  PlayAttributes,
  RecordAttributes,
  RedirectAttributes,
  SpeakAttributes,
  UserAttributes,
  WaitAttributes,
} from './attributes.ts';
import { ElementBuilder, emptyNode } from './element-builder.ts';
import type { XmlNode } from './serialise.ts';

/**
 * A `<Dial>` being built: add the numbers and SIP users to ring. Several nouns ring at the same
 * time; the first to answer is bridged (plivo.md §3.2).
 *
 * @example
 * ```ts
 * const dial = new Response().addDial({ timeout: 20 });
 * dial.addNumber('14155550001').addUser('sip:alice@example.com');
 * ```
 */
export class DialBuilder extends ElementBuilder {
  /** @internal */
  constructor(node: XmlNode) {
    super(node);
  }

  /**
   * Adds a `<Number>` (E.164 digits) to ring.
   *
   * @example
   * ```ts
   * dial.addNumber('14155550001', { sendDigits: 'ww123' });
   * ```
   */
  addNumber(number: string, attributes?: NumberAttributes): this {
    this.append('Number', number, attributes);
    return this;
  }

  /**
   * Adds a `<User>` (a SIP URI) to ring.
   *
   * @example
   * ```ts
   * dial.addUser('sip:alice@example.com', { sipHeaders: 'X-PH-Team=sales' });
   * ```
   */
  addUser(sipUri: string, attributes?: UserAttributes): this {
    this.append('User', sipUri, attributes);
    return this;
  }
}

/**
 * The prompt of a `<GetDigits>` or `<GetInput>`: Speak, Play and Wait only (plivo.md §4.1).
 *
 * @example
 * ```ts
 * new Response().addGetDigits({ action: 'https://app/menu', numDigits: 1 }).addSpeak('Press 1 for sales');
 * ```
 */
export class PromptBuilder extends ElementBuilder {
  /** @internal */
  constructor(node: XmlNode) {
    super(node);
  }

  /**
   * Adds a `<Speak>` to the prompt.
   *
   * @example
   * ```ts
   * prompt.addSpeak('Press 1 for sales', { voice: 'WOMAN' });
   * ```
   */
  addSpeak(text: string, attributes?: SpeakAttributes): this {
    this.append('Speak', text, attributes);
    return this;
  }

  /**
   * Adds a `<Play>` to the prompt.
   *
   * @example
   * ```ts
   * prompt.addPlay('https://app/menu.mp3');
   * ```
   */
  addPlay(url: string, attributes?: PlayAttributes): this {
    this.append('Play', url, attributes);
    return this;
  }

  /**
   * Adds a `<Wait>` to the prompt.
   *
   * @example
   * ```ts
   * prompt.addWait({ length: 1 });
   * ```
   */
  addWait(attributes?: WaitAttributes): this {
    this.append('Wait', null, attributes);
    return this;
  }
}

/**
 * The children of a `<PreAnswer>`, run in early media before the call is answered.
 *
 * @example
 * ```ts
 * new Response().addPreAnswer().addSpeak('Please hold');
 * ```
 */
export class PreAnswerBuilder extends PromptBuilder {
  /**
   * Adds a `<GetDigits>` and returns its prompt builder.
   *
   * @example
   * ```ts
   * preAnswer.addGetDigits({ numDigits: 1 }).addSpeak('Press 1');
   * ```
   */
  addGetDigits(attributes?: GetDigitsAttributes): PromptBuilder {
    return new PromptBuilder(this.append('GetDigits', null, attributes));
  }

  /**
   * Adds a `<Redirect>` to another XML document.
   *
   * @example
   * ```ts
   * preAnswer.addRedirect('https://app/next', { method: 'GET' });
   * ```
   */
  addRedirect(url: string, attributes?: RedirectAttributes): this {
    this.append('Redirect', url, attributes);
    return this;
  }

  /**
   * Adds a `<DTMF>` that sends the digits on the call.
   *
   * @example
   * ```ts
   * preAnswer.addDTMF('1234');
   * ```
   */
  addDTMF(digits: string, attributes?: DtmfAttributes): this {
    this.append('DTMF', digits, attributes);
    return this;
  }
}

// Response accepts every PreAnswer child plus the elements below, so it extends that builder
// rather than repeating six methods (plivo.md §4.1 nestables).
/**
 * A Plivo XML document. Same method names as `plivo.Response`; `toXML()` gives the same bytes
 * except that `"` inside attribute values stays escaped as `&quot;`.
 *
 * @example
 * ```ts
 * const r = new Response();
 * r.addSpeak('Connecting you');
 * r.addDial({ action: 'https://app/dial-done', timeout: 20 }).addNumber('14155550001');
 * r.toXML(); // '<Response><Speak>Connecting you</Speak><Dial action="https://app/dial-done" timeout="20"><Number>14155550001</Number></Dial></Response>'
 * ```
 */
export class Response extends PreAnswerBuilder {
  constructor() {
    super(emptyNode('Response'));
  }

  /**
   * Adds a `<GetInput>` (DTMF and/or speech) and returns its prompt builder.
   *
   * @example
   * ```ts
   * r.addGetInput({ action: 'https://app/input', inputType: 'speech' }).addSpeak('Say sales or support');
   * ```
   */
  addGetInput(attributes?: GetInputAttributes): PromptBuilder {
    return new PromptBuilder(this.append('GetInput', null, attributes));
  }

  /**
   * Adds a `<PreAnswer>` and returns its builder.
   *
   * @example
   * ```ts
   * r.addPreAnswer().addPlay('https://app/ringback.mp3');
   * ```
   */
  addPreAnswer(): PreAnswerBuilder {
    return new PreAnswerBuilder(this.append('PreAnswer', null, undefined));
  }

  /**
   * Adds a `<Dial>` and returns its builder for Number/User nouns.
   *
   * @example
   * ```ts
   * r.addDial({ callbackUrl: 'https://app/dial-events', redirect: false }).addNumber('14155550001');
   * ```
   */
  addDial(attributes?: DialAttributes): DialBuilder {
    return new DialBuilder(this.append('Dial', null, attributes));
  }

  /**
   * Adds a `<Hangup>`.
   *
   * @example
   * ```ts
   * r.addHangup({ reason: 'busy' });
   * ```
   */
  addHangup(attributes?: HangupAttributes): this {
    this.append('Hangup', null, attributes);
    return this;
  }

  /**
   * Adds a `<Record>`.
   *
   * @example
   * ```ts
   * r.addRecord({ action: 'https://app/recorded', maxLength: 30 });
   * ```
   */
  addRecord(attributes?: RecordAttributes): this {
    this.append('Record', null, attributes);
    return this;
  }

  /**
   * Adds a `<Conference>` joining the named room.
   *
   * @example
   * ```ts
   * r.addConference('support-room', { startConferenceOnEnter: true });
   * ```
   */
  addConference(room: string, attributes?: ConferenceAttributes): this {
    this.append('Conference', room, attributes);
    return this;
  }
}
