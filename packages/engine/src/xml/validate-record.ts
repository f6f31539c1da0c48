// `<Record>` (plivo.md §4.2): attribute names from the SDK's whitelist, defaults from Plivo's
// Record XML reference (timeout 15, maxLength 60, playBeep true, redirect true, fileFormat mp3).

import { AttributeReader } from './attribute-reader.ts';
import type { RecordElement } from './elements.ts';
import { noBody } from './nesting.ts';
import type { XmlElementNode } from './xml-reader.ts';

const KNOWN = [
  'action', 'method', 'fileFormat', 'redirect', 'timeout', 'maxLength', 'playBeep', 'finishOnKey', 'recordSession',
  'startOnDialAnswer', 'transcriptionType', 'transcriptionUrl', 'transcriptionMethod', 'callbackUrl', 'callbackMethod',
  'recordChannelType',
] as const;

export function validateRecord(node: XmlElementNode, warnings: string[]): RecordElement {
  const attrs = new AttributeReader(node, KNOWN, warnings);
  noBody(node);
  const finishOnKey = attrs.string('finishOnKey');
  if (finishOnKey !== undefined && !/^[0-9*#]*$/.test(finishOnKey.trim())) {
    attrs.fail('finishOnKey', `must hold only digits, * and #, got "${finishOnKey}"`);
  }
  const transcriptionType = attrs.trimmed('transcriptionType');
  const transcriptionUrl = attrs.url('transcriptionUrl');
  const action = attrs.url('action');
  const callbackUrl = attrs.url('callbackUrl');
  return {
    kind: 'Record',
    pos: node.pos,
    ...(action !== undefined && { action }),
    method: attrs.method('method') ?? 'POST',
    fileFormat: attrs.oneOf('fileFormat', ['mp3', 'wav'] as const) ?? 'mp3',
    redirect: attrs.bool('redirect') ?? true,
    timeout: attrs.int('timeout', { unit: 'seconds', min: 1 }) ?? 15,
    // Plivo: "integer greater than 1".
    maxLength: attrs.int('maxLength', { unit: 'seconds', min: 1 }) ?? 60,
    playBeep: attrs.bool('playBeep') ?? true,
    finishOnKey: finishOnKey === undefined ? '1234567890*#' : finishOnKey.trim(),
    recordSession: attrs.bool('recordSession') ?? false,
    startOnDialAnswer: attrs.bool('startOnDialAnswer') ?? false,
    ...(transcriptionType !== undefined && { transcriptionType }),
    ...(transcriptionUrl !== undefined && { transcriptionUrl }),
    transcriptionMethod: attrs.method('transcriptionMethod') ?? 'POST',
    ...(callbackUrl !== undefined && { callbackUrl }),
    callbackMethod: attrs.method('callbackMethod') ?? 'POST',
  };
}
