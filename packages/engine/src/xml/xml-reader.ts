// A small, strict XML reader: text in, a generic node tree out, or an XmlError with a position.
// It knows nothing of Plivo's elements; validation happens afterwards (STYLE.md §3).
// Written for documents of at most 100 KB from apps (engine.md §1, "XML tolerance"):
// no DTDs, no entities beyond the five predefined ones, and one deliberate tolerance for the
// raw `"` the official SDK writes inside attribute values (plivo.md §4.1).

import type { SourcePos } from './elements.ts';
import { XmlError } from './xml-error.ts';
import type { XmlErrorCode } from './xml-error.ts';

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  readonly pos: SourcePos;
}

export interface XmlElementNode {
  readonly type: 'element';
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  readonly pos: SourcePos;
}

/** Character data; adjacent text, CDATA and references are merged into one node. */
export interface XmlTextNode {
  readonly type: 'text';
  readonly text: string;
  readonly pos: SourcePos;
}

export type XmlNode = XmlElementNode | XmlTextNode;

/** engine.md §1: an app's document may be at most 100 KB (counted in UTF-8 bytes). */
export const MAX_DOCUMENT_BYTES = 100 * 1024;

/** Far beyond any real Plivo document; keeps hostile input from costing deep recursion later. */
export const MAX_DEPTH = 100;

interface OpenElement {
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
  pos: SourcePos;
  /** Pending character data not yet flushed into `children`. */
  text: string;
  textPos: SourcePos | undefined;
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9._:\-\u00B7\u00C0-\uFFFF]*/y;
const WS = /[ \t\n]*/y;
const ATTRIBUTE_AHEAD = /[ \t\n]+[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9._:\-\u00B7\u00C0-\uFFFF]*[ \t\n]*=/y;
const TAG_END_AHEAD = /[ \t\n]*\/?>/y;
// Characters XML 1.0 forbids anywhere, including unpaired surrogates.
const FORBIDDEN_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Parses a whole document and returns its root element. Throws XmlError. */
export function readXml(source: string): XmlElementNode {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new XmlError(
      'too-large',
      `document is ${bytes} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (100 KB)`,
      { line: 1, column: 1 },
    );
  }
  return new Reader(source).document();
}

class Reader {
  private readonly src: string;
  private i = 0;
  private readonly lineStarts: number[] = [0];

  constructor(source: string) {
    // XML 1.0 §2.11: line ends become \n before parsing; a leading BOM is not content.
    this.src = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    for (let k = this.src.indexOf('\n'); k !== -1; k = this.src.indexOf('\n', k + 1)) this.lineStarts.push(k + 1);
  }

  document(): XmlElementNode {
    const bad = FORBIDDEN_CHAR.exec(this.src);
    if (bad) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      this.fail('malformed', `character U+${code} is not allowed in XML`, bad.index);
    }
    this.skipWs();
    if (this.src.startsWith('<?xml', this.i) && /[ \t\n?]/.test(this.src.charAt(this.i + 5))) this.skipPi();
    this.misc();
    if (this.i >= this.src.length) this.fail('malformed', 'document is empty: expected <Response>', this.i);
    if (this.src.charAt(this.i) !== '<') this.fail('malformed', 'text is not allowed before the root element', this.i);
    const root = this.element();
    this.misc();
    if (this.i < this.src.length) this.fail('malformed', 'content after the root element is not allowed', this.i);
    return root;
  }

  /** Comments, processing instructions and whitespace outside the root; a DOCTYPE is refused. */
  private misc(): void {
    for (;;) {
      this.skipWs();
      if (this.src.startsWith('<!--', this.i)) this.skipComment();
      else if (this.src.startsWith('<!', this.i)) this.refuseDeclaration();
      else if (this.src.startsWith('<?', this.i)) this.skipPi();
      else return;
    }
  }

  /** The root element and everything in it, without recursion (MAX_DEPTH bounds the stack). */
  private element(): XmlElementNode {
    const first = this.startTag();
    if (first.selfClosing) return close(first.open);
    const stack: OpenElement[] = [first.open];
    for (let top = stack[0]; top !== undefined; top = stack[stack.length - 1]) {
      const at = this.i;
      if (at >= this.src.length) {
        this.fail('malformed', `<${top.name}> is not closed`, this.offsetOf(top.pos), top.name);
      }
      if (this.src.charAt(at) !== '<') {
        const end = this.src.indexOf('<', at);
        const stop = end === -1 ? this.src.length : end;
        this.appendText(top, this.decode(this.src.slice(at, stop), at, false, top.name), at);
        this.i = stop;
      } else if (/[A-Za-z_:\u00C0-\uFFFF]/.test(this.src.charAt(at + 1))) {
        const { open, selfClosing } = this.startTag();
        if (stack.length >= MAX_DEPTH) {
          this.fail('too-deep', `elements are nested deeper than ${MAX_DEPTH} levels`, at, open.name);
        }
        this.flushText(top);
        if (selfClosing) top.children.push(close(open));
        else stack.push(open);
      } else if (this.src.startsWith('</', at)) {
        this.endTag(top);
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent === undefined) return close(top);
        parent.children.push(close(top));
      } else if (this.src.startsWith('<!--', at)) {
        this.skipComment();
      } else if (this.src.startsWith('<![CDATA[', at)) {
        const end = this.src.indexOf(']]>', at + 9);
        if (end === -1) this.fail('malformed', 'CDATA section is not closed', at, top.name);
        this.appendText(top, this.src.slice(at + 9, end), at);
        this.i = end + 3;
      } else if (this.src.startsWith('<!', at)) {
        this.refuseDeclaration();
      } else if (this.src.startsWith('<?', at)) {
        if (/^<\?xml[ \t\n?]/i.test(this.src.slice(at, at + 6))) {
          this.fail('malformed', 'the XML declaration is only allowed at the start of the document', at);
        }
        this.skipPi();
      } else {
        this.fail('malformed', '"<" must start a tag; write "&lt;" for a literal "<"', at, top.name);
      }
    }
    // Unreachable: the loop returns when the root closes, or fails.
    return this.fail('malformed', 'unexpected end of document', this.i);
  }

  private startTag(): { open: OpenElement; selfClosing: boolean } {
    const at = this.i;
    this.i++; // '<'
    const name = this.name('element name', at);
    const open: OpenElement = { name, attributes: [], children: [], pos: this.pos(at), text: '', textPos: undefined };
    const seen = new Set<string>();
    for (;;) {
      const before = this.i;
      this.skipWs();
      if (this.src.startsWith('/>', this.i)) {
        this.i += 2;
        return { open, selfClosing: true };
      }
      if (this.src.charAt(this.i) === '>') {
        this.i++;
        return { open, selfClosing: false };
      }
      if (this.i >= this.src.length) this.fail('malformed', `start tag <${name}> is not closed`, at, name);
      if (this.i === before) {
        const got = JSON.stringify(this.src.charAt(this.i));
        this.fail('malformed', `<${name}>: expected whitespace, "/>" or ">" after an attribute, got ${got}`, this.i, name);
      }
      const attrAt = this.i;
      const attrName = this.name(`attribute name in <${name}>`, attrAt, name);
      this.skipWs();
      if (this.src.charAt(this.i) !== '=') {
        this.fail('malformed', `<${name}>: attribute "${attrName}" has no value`, attrAt, name, attrName);
      }
      this.i++;
      this.skipWs();
      const quote = this.src.charAt(this.i);
      if (quote !== '"' && quote !== "'") {
        this.fail('malformed', `<${name}>: value of attribute "${attrName}" must be quoted`, attrAt, name, attrName);
      }
      const valueStart = this.i + 1;
      const valueEnd = this.closingQuote(quote, valueStart, name, attrName, attrAt);
      const value = this.decode(this.src.slice(valueStart, valueEnd), valueStart, true, name);
      this.i = valueEnd + 1;
      if (seen.has(attrName)) {
        this.fail('malformed', `<${name}>: attribute "${attrName}" is given twice`, attrAt, name, attrName);
      }
      seen.add(attrName);
      open.attributes.push({ name: attrName, value, pos: this.pos(attrAt) });
    }
  }

  /**
   * Where an attribute value ends. The official SDK writes a raw `"` inside double-quoted values
   * (plivo.md §4.1: `callerName="Bob &amp; "Co""`), so a quote only closes the value when what
   * follows looks like the rest of a tag: `>`, `/>`, or whitespace then `name=`. Failing that, the
   * first quote followed by whitespace, `/` or `>` closes it, and the tag's own errors follow.
   */
  private closingQuote(quote: string, from: number, element: string, attribute: string, attrAt: number): number {
    const lt = this.src.indexOf('<', from);
    const limit = lt === -1 ? this.src.length : lt;
    let fallback = -1;
    for (let k = this.src.indexOf(quote, from); k !== -1 && k < limit; k = this.src.indexOf(quote, k + 1)) {
      const next = k + 1;
      if (next >= this.src.length || this.matchesAt(TAG_END_AHEAD, next) || this.matchesAt(ATTRIBUTE_AHEAD, next)) {
        return k;
      }
      if (fallback === -1 && /[ \t\n/>]/.test(this.src.charAt(next))) fallback = k;
    }
    if (fallback !== -1) return fallback;
    if (lt !== -1 && this.src.indexOf(quote, from) !== -1) {
      this.fail('malformed', `<${element}>: attribute "${attribute}" contains "<"; write "&lt;"`, lt, element, attribute);
    }
    return this.fail('malformed', `<${element}>: value of attribute "${attribute}" is not closed`, attrAt, element, attribute);
  }

  private endTag(top: OpenElement): void {
    const at = this.i;
    this.i += 2;
    const name = this.name('closing tag name', at, top.name);
    this.skipWs();
    if (this.src.charAt(this.i) !== '>') this.fail('malformed', `closing tag </${name}> is not closed`, at, top.name);
    this.i++;
    if (name !== top.name) {
      this.fail(
        'malformed',
        `closing tag </${name}> does not match <${top.name}> opened at line ${top.pos.line}, column ${top.pos.column}`,
        at,
        top.name,
      );
    }
    this.flushText(top);
  }

  private name(what: string, at: number, element?: string): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.src);
    if (!m) {
      const got = this.i < this.src.length ? `"${this.src.charAt(this.i)}"` : 'end of document';
      this.fail('malformed', `expected ${what}, got ${got}`, this.i < this.src.length ? this.i : at, element);
    }
    this.i += m[0].length;
    return m[0];
  }

  /** Replaces references; refuses any entity that is not predefined (engine.md §1). */
  private decode(raw: string, offset: number, inAttribute: boolean, element: string): string {
    // XML 1.0 §3.3.3: literal whitespace in an attribute value reads as a space.
    const text = inAttribute ? raw.replace(/[\t\n]/g, ' ') : raw;
    if (!text.includes('&')) return text;
    let out = '';
    let last = 0;
    for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', last)) {
      out += text.slice(last, amp);
      const semi = text.indexOf(';', amp);
      const ref = semi === -1 ? '' : text.slice(amp + 1, semi);
      const at = offset + amp;
      if (semi === -1 || !/^(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_:][A-Za-z0-9._:-]*)$/.test(ref)) {
        this.fail('malformed', '"&" must start a reference; write "&amp;" for a literal "&"', at, element);
      }
      out += this.resolve(ref, at, element);
      last = semi + 1;
    }
    return out + text.slice(last);
  }

  private resolve(ref: string, at: number, element: string): string {
    if (ref.startsWith('#')) {
      const cp = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // As XML 1.1 does, a reference may name a control character (`&#x1F;`), which XML 1.0 would
      // refuse: it is written deliberately and harms nothing here. NUL and surrogates stay refused.
      const allowed = (cp >= 0x1 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!allowed) this.fail('entity', `character reference "&${ref};" is not an allowed XML character`, at, element);
      return String.fromCodePoint(cp);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) {
      this.fail(
        'entity',
        `unknown entity "&${ref};": only &amp; &lt; &gt; &quot; &apos; and numeric references are allowed`,
        at,
        element,
      );
    }
    return value;
  }

  private appendText(top: OpenElement, text: string, at: number): void {
    if (top.textPos === undefined) top.textPos = this.pos(at);
    top.text += text;
  }

  private flushText(top: OpenElement): void {
    if (top.textPos !== undefined) top.children.push({ type: 'text', text: top.text, pos: top.textPos });
    top.text = '';
    top.textPos = undefined;
  }

  private skipComment(): void {
    const end = this.src.indexOf('-->', this.i + 4);
    if (end === -1) this.fail('malformed', 'comment is not closed', this.i);
    this.i = end + 3;
  }

  private skipPi(): void {
    const end = this.src.indexOf('?>', this.i + 2);
    if (end === -1) this.fail('malformed', 'processing instruction is not closed', this.i);
    this.i = end + 2;
  }

  private refuseDeclaration(): never {
    if (this.src.startsWith('<!DOCTYPE', this.i)) {
      return this.fail('dtd', 'DOCTYPE declarations are not allowed', this.i);
    }
    return this.fail('malformed', 'markup declarations ("<!") are not allowed', this.i);
  }

  private skipWs(): void {
    WS.lastIndex = this.i;
    WS.exec(this.src);
    this.i = WS.lastIndex;
  }

  private matchesAt(re: RegExp, at: number): boolean {
    re.lastIndex = at;
    return re.test(this.src);
  }

  private pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  private offsetOf(pos: SourcePos): number {
    return (this.lineStarts[pos.line - 1] ?? 0) + pos.column - 1;
  }

  private fail(code: XmlErrorCode, reason: string, offset: number, element?: string, attribute?: string): never {
    const where: { element?: string; attribute?: string } = {};
    if (element !== undefined) where.element = element;
    if (attribute !== undefined) where.attribute = attribute;
    throw new XmlError(code, reason, this.pos(offset), where);
  }
}

function close(open: OpenElement): XmlElementNode {
  return { type: 'element', name: open.name, attributes: open.attributes, children: open.children, pos: open.pos };
}
