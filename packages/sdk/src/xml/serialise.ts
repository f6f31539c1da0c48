// Turns the builder's node tree into text. Byte-for-byte the output of the `plivo` package
// (plivo.md §4.1: no declaration, attributes in insertion order, self-closing when empty) except
// that `"` in attribute values stays `&quot;`, so the result is always well-formed XML.
import { XmlBuildError } from './errors.ts';

/**
 * One element of the document being built.
 *
 * @example
 * ```ts
 * const n: XmlNode = { name: 'Wait', attributes: [['length', '2']], text: undefined, children: [] };
 * ```
 */
export interface XmlNode {
  readonly name: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly text: string | undefined;
  readonly children: XmlNode[];
}

/**
 * Writes a node and its subtree as XML text.
 *
 * @example
 * ```ts
 * serialise({ name: 'Wait', attributes: [['length', '2']], text: undefined, children: [] }); // '<Wait length="2"/>'
 * ```
 */
export function serialise(node: XmlNode): string {
  let out = `<${node.name}`;
  for (const [name, value] of node.attributes) out += ` ${name}="${escapeAttribute(value)}"`;
  if (node.text === undefined && node.children.length === 0) return `${out}/>`;
  out += '>';
  if (node.text !== undefined) out += escapeText(node.text);
  for (const child of node.children) out += serialise(child);
  return `${out}</${node.name}>`;
}

// Same replacements and order as the plivo package's serialiser (xmlbuilder 9).
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

// XML 1.0 §2.2 Char: tab, LF, CR, and U+0020.. except surrogates (unless paired) and U+FFFE/U+FFFF.
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws an {@link XmlBuildError} if `value` holds a character no XML document can carry,
 * naming its position.
 *
 * @example
 * ```ts
 * assertXmlChars('ok', 'Speak', undefined); // returns; '\u0001' would throw
 * ```
 */
export function assertXmlChars(value: string, element: string, attribute: string | undefined): void {
  const match = ILLEGAL_CHAR.exec(value);
  if (match) {
    const code = match[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    const where = attribute === undefined ? `the body of <${element}>` : `attribute "${attribute}" of <${element}>`;
    throw new XmlBuildError('XML_INVALID_CHARACTER', element, attribute, `U+${code} at index ${match.index} of ${where} is not allowed in XML`);
  }
}
