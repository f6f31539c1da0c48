/**
 * `@switchboard/sdk/xml` — a typed builder for Plivo XML documents (plivo.md §3, §4).
 *
 * @example
 * ```ts
 * import { Response } from '@switchboard/sdk/xml';
 * const xml = new Response().addSpeak('Hello').toXML();
 * ```
 * @module
 */
export { Response, DialBuilder, PromptBuilder, PreAnswerBuilder } from './builders.ts';
export { ElementBuilder } from './element-builder.ts';
export { XmlBuildError, type XmlBuildErrorCode } from './errors.ts';
export {
  ATTRIBUTE_WHITELIST,
  type ConferenceAttributes,
  type DialAttributes,
  type DtmfAttributes,
  type ElementName,
  type GetDigitsAttributes,
  type GetInputAttributes,
  type HangupAttributes,
  type HttpMethod,
  type NumberAttributes,
  type PlayAttributes,
  type RecordAttributes,
  type RedirectAttributes,
  type SpeakAttributes,
  type SpeakVoice,
  type UserAttributes,
  type WaitAttributes,
} from './attributes.ts';
