// The engine's XML stage: Plivo XML text in, an immutable typed element tree out (DESIGN.md).
export type * from './elements.ts';
export { parseMediaDocument, parseResponse } from './parse-response.ts';
export type { MediaParseResult, ParseResult } from './parse-response.ts';
export { XmlError } from './xml-error.ts';
export type { XmlErrorCode } from './xml-error.ts';
export { MAX_DEPTH, MAX_DOCUMENT_BYTES } from './xml-reader.ts';
export { DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT } from './validate-dial.ts';
