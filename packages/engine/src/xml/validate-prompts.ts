// Speak, Play and Wait: what a call hears, alone or inside GetDigits / GetInput, and all a
// confirmSound or dialMusic document may hold (plivo.md §3.1, §4.2).

import { AttributeReader, isHttpUrl } from './attribute-reader.ts';
import type { MediaElement, PlayElement, SpeakElement, WaitElement } from './elements.ts';
import { checkNesting, contentError, noBody, requiredBody } from './nesting.ts';
import type { XmlElementNode, XmlNode } from './xml-reader.ts';

export function validateSpeak(node: XmlElementNode, warnings: string[]): SpeakElement {
  const attrs = new AttributeReader(node, ['voice', 'language', 'loop'], warnings);
  const voice = readVoice(attrs);
  const language = attrs.trimmed('language') ?? 'en-US';
  const loop = attrs.int('loop', { min: 0 }) ?? 1;
  let hasSsml = false;
  const walk = (parent: XmlElementNode): string => {
    let text = '';
    for (const c of parent.children) {
      if (c.type === 'text') {
        text += c.text;
      } else {
        checkNesting(parent, c);
        hasSsml = true;
        text += walk(c);
      }
    }
    return text;
  };
  const text = walk(node).trim();
  if (text === '' && !hasSsml) throw contentError(node, 'text to speak is missing (the element body is empty)');
  const base = { kind: 'Speak' as const, pos: node.pos, text, voice, language, loop };
  return hasSsml ? { ...base, ssml: serialize(node.children).trim() } : base;
}

/** `WOMAN`, `MAN` (any letter case) or an Amazon Polly voice `Polly.<Name>` (plivo.md §4.2). */
function readVoice(attrs: AttributeReader): string {
  const raw = attrs.string('voice');
  if (raw === undefined) return 'WOMAN';
  const v = raw.trim();
  if (/^(woman|man)$/i.test(v)) return v.toUpperCase();
  if (/^Polly\.[A-Za-z][A-Za-z-]*$/.test(v)) return v;
  return attrs.fail('voice', `must be WOMAN, MAN or Polly.<Name>, got "${raw}"`);
}

export function validatePlay(node: XmlElementNode, warnings: string[]): PlayElement {
  const attrs = new AttributeReader(node, ['loop'], warnings);
  const loop = attrs.int('loop', { min: 0 }) ?? 1;
  const url = requiredBody(node, 'URL');
  if (!isHttpUrl(url)) throw contentError(node, `body must be an absolute http or https URL, got "${url}"`);
  return { kind: 'Play', pos: node.pos, url, loop };
}

export function validateWait(node: XmlElementNode, warnings: string[]): WaitElement {
  const attrs = new AttributeReader(node, ['length', 'silence', 'minSilence', 'min_silence', 'beep'], warnings);
  noBody(node);
  const length = attrs.int('length', { unit: 'seconds', min: 1 }) ?? 1;
  const silence = attrs.bool('silence') ?? false;
  // The SDK accepts both spellings (plivo.md §4.2); camelCase wins when both are written.
  const minSilence = attrs.has('minSilence')
    ? attrs.int('minSilence', { unit: 'milliseconds', min: 0 })
    : attrs.int('min_silence', { unit: 'milliseconds', min: 0 });
  const beep = attrs.bool('beep') ?? false;
  return { kind: 'Wait', pos: node.pos, length, silence, minSilence: minSilence ?? 2000, beep };
}

export function validateMedia(node: XmlElementNode, warnings: string[]): MediaElement | undefined {
  switch (node.name) {
    case 'Speak':
      return validateSpeak(node, warnings);
    case 'Play':
      return validatePlay(node, warnings);
    case 'Wait':
      return validateWait(node, warnings);
    default:
      return undefined;
  }
}

function serialize(nodes: readonly XmlNode[]): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text') {
      out += escape(n.text, false);
      continue;
    }
    const attrs = n.attributes.map((a) => ` ${a.name}="${escape(a.value, true)}"`).join('');
    out += n.children.length === 0 ? `<${n.name}${attrs}/>` : `<${n.name}${attrs}>${serialize(n.children)}</${n.name}>`;
  }
  return out;
}

function escape(text: string, inAttribute: boolean): string {
  const t = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return inAttribute ? t.replace(/"/g, '&quot;') : t;
}
