// The shared core of every builder: checks attributes against the element's whitelist and
// records a node. Validation happens when an element is added, so an error points at the call
// that caused it rather than at `toXML()`.
import { ATTRIBUTE_WHITELIST, type ElementName } from './attributes.ts';
import { XmlBuildError } from './errors.ts';
import { assertXmlChars, serialise, type XmlNode } from './serialise.ts';

/** Values an attribute object may hold; `undefined` means "leave the attribute out". */
type AttributeInput = object | undefined;

/**
 * Base of every builder; gives each one `toXML()`.
 *
 * @example
 * ```ts
 * const part: ElementBuilder = new Response().addDial();
 * part.toXML(); // '<Dial/>'
 * ```
 */
export abstract class ElementBuilder {
  /** @internal The node this builder appends to. */
  protected readonly node: XmlNode;

  protected constructor(node: XmlNode) {
    this.node = node;
  }

  /**
   * Serialises this element and everything in it, with no XML declaration (plivo.md §4.1).
   *
   * @example
   * ```ts
   * new Response().addHangup().toXML(); // '<Response><Hangup/></Response>'
   * ```
   */
  toXML(): string {
    return serialise(this.node);
  }

  /** Appends a child element and returns its node. `body === null` marks an element that takes no text. */
  protected append(name: ElementName, body: string | null, attributes: AttributeInput): XmlNode {
    if (body !== null) {
      if (typeof body !== 'string' || body === '') {
        throw new XmlBuildError('XML_MISSING_BODY', name, undefined, `<${name}> needs a non-empty string body, got ${describe(body)}`);
      }
      assertXmlChars(body, name, undefined);
    }
    const child: XmlNode = { name, attributes: toAttributeList(name, attributes), text: body ?? undefined, children: [] };
    this.node.children.push(child);
    return child;
  }
}

/**
 * A node with no attributes, text or children.
 *
 * @example
 * ```ts
 * serialise(emptyNode('Response')); // '<Response/>'
 * ```
 */
export function emptyNode(name: string): XmlNode {
  return { name, attributes: [], text: undefined, children: [] };
}

function toAttributeList(element: ElementName, attributes: AttributeInput): Array<readonly [string, string]> {
  if (attributes === undefined || attributes === null) return [];
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new XmlBuildError('XML_INVALID_VALUE', element, undefined, `attributes of <${element}> must be an object, got ${describe(attributes)}`);
  }
  const allowed: readonly string[] = ATTRIBUTE_WHITELIST[element];
  const list: Array<readonly [string, string]> = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (!allowed.includes(name)) {
      const hint = allowed.length === 0 ? 'it takes no attributes' : `allowed: ${allowed.join(', ')}`;
      throw new XmlBuildError('XML_INVALID_ATTRIBUTE', element, name, `"${name}" is not a valid attribute of <${element}> (${hint})`);
    }
    if (value === undefined) continue;
    const text = attributeText(element, name, value);
    assertXmlChars(text, element, name);
    list.push([name, text]);
  }
  return list;
}

// Booleans and numbers are written with String(), as the plivo package does (plivo.md §4.1).
function attributeText(element: ElementName, name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') return checkValue(element, name, String(value));
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new XmlBuildError(
    'XML_INVALID_VALUE',
    element,
    name,
    `attribute "${name}" of <${element}> must be a string, finite number or boolean, got ${describe(value)}`,
  );
}

function checkValue(element: ElementName, name: string, value: string): string {
  // The plivo package refuses voices other than MAN, WOMAN and Polly.<Name> (plivo.md §4.2).
  if (element === 'Speak' && name === 'voice' && value !== 'MAN' && value !== 'WOMAN') {
    const parts = value.split('.');
    if (parts.length !== 2 || parts[0] !== 'Polly' || parts[1] === '') {
      throw new XmlBuildError('XML_INVALID_VALUE', element, name, `voice must be MAN, WOMAN or Polly.<Name>, got ${JSON.stringify(value)}`);
    }
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' ? String(value) : typeof value;
}
