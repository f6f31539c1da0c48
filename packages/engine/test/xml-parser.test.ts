// The XML reader: well-formedness, entities, CDATA, positions, the 100 KB limit, DTD refusal,
// depth, the raw-quote tolerance for the official SDK's output (engine.md §1, plivo.md §4.1),
// and properties: no input makes parsing throw.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sdkResponse } from './xml-sdk.ts';
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, XmlError, parseMediaDocument, parseResponse } from '../src/xml/index.ts';
import type { DialElement, ParseResult, SpeakElement } from '../src/xml/index.ts';
import { readXml } from '../src/xml/xml-reader.ts';

function ok(xml: string) {
  const r = parseResponse(xml);
  if (!r.ok) assert.fail(`expected a document, got: ${r.error.message}`);
  return r;
}

function err(xml: string): XmlError {
  const r = parseResponse(xml);
  if (r.ok) assert.fail('expected an error, got a document');
  assert.ok(r.error instanceof XmlError);
  return r.error;
}

function speakText(xml: string): string {
  const child = ok(xml).document.children[0] as SpeakElement;
  assert.equal(child.kind, 'Speak');
  return child.text;
}

describe('XML reader: documents it accepts', () => {
  test('empty Response in both spellings, with whitespace, declaration, BOM and comments', () => {
    for (const xml of [
      '<Response/>',
      '<Response></Response>',
      '  \n\t<Response />\n\n',
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response></Response>',
      '\uFEFF<?xml version="1.0"?><Response/>',
      '<!-- app v2 --><Response><!-- nothing yet --></Response><!-- end -->',
      '<?xml-stylesheet href="x"?><Response/>',
      '<Response >\n</Response >',
    ]) {
      const r = ok(xml);
      assert.deepEqual(r.document, { kind: 'Response', children: [] }, xml);
      assert.deepEqual(r.warnings, []);
    }
  });

  test('builds the generic tree: names, attributes in order, merged text', () => {
    const xml = `<Response a='1' b = "two"><X>hi <!-- c --> there<![CDATA[ & more]]></X><Y/></Response>`;
    const root = readXml(xml);
    assert.equal(root.name, 'Response');
    assert.deepEqual(
      root.attributes.map((a) => [a.name, a.value]),
      [['a', '1'], ['b', 'two']],
    );
    assert.equal(root.children.length, 2);
    const x = root.children[0];
    assert.ok(x !== undefined && x.type === 'element');
    assert.deepEqual(x.children, [{ type: 'text', text: 'hi  there & more', pos: { line: 1, column: xml.indexOf('hi') + 1 } }]);
    assert.deepEqual(root.children[1], { type: 'element', name: 'Y', attributes: [], children: [], pos: { line: 1, column: xml.indexOf('<Y/>') + 1 } });
  });

  test('single- and double-quoted attribute values, each holding the other quote', () => {
    const dial = ok(`<Response><Dial callerName='say "hi"' callbackUrl="https://e.com/it's"><Number>1</Number></Dial></Response>`)
      .document.children[0] as DialElement;
    assert.equal(dial.callerName, 'say "hi"');
    assert.equal(dial.callbackUrl, "https://e.com/it's");
  });

  test('the five predefined entities and numeric references, in text and attributes', () => {
    assert.equal(speakText('<Response><Speak>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;</Speak></Response>'), `<a> & "b" 'c'`);
    assert.equal(speakText('<Response><Speak>&#123;&#x1F;&#x41;&#xe9;</Speak></Response>'), '{\u001fA\u00e9');
    assert.equal(speakText('<Response><Speak>smile &#x1F600; &#128512;</Speak></Response>'), 'smile \u{1F600} \u{1F600}');
    const dial = ok('<Response><Dial callerName="A&amp;B &#65;&#x42;"><Number>1</Number></Dial></Response>')
      .document.children[0] as DialElement;
    assert.equal(dial.callerName, 'A&B AB');
  });

  test('CDATA keeps markup characters as text', () => {
    assert.equal(speakText('<Response><Speak><![CDATA[a < b && c > d]]></Speak></Response>'), 'a < b && c > d');
    assert.equal(speakText('<Response><Speak>x <![CDATA[<y>]]> z</Speak></Response>'), 'x <y> z');
  });

  test('line ends are normalised: CRLF and CR count as one line', () => {
    const crlf = err('<Response>\r\n  <Speak>hi</Speak>\r\n  <Bogus/>\r\n</Response>');
    assert.equal(crlf.line, 3);
    assert.equal(crlf.column, 3);
    const cr = err('<Response>\r\r<Bogus/></Response>');
    assert.deepEqual([cr.line, cr.column], [3, 1]);
  });

  test('literal tabs and newlines in an attribute value read as spaces (XML 1.0 §3.3.3)', () => {
    const dial = ok('<Response><Dial callerName="a\tb\nc"><Number>1</Number></Dial></Response>').document
      .children[0] as DialElement;
    assert.equal(dial.callerName, 'a b c');
  });
});

describe('XML reader: the official SDK writes raw quotes inside attribute values (plivo.md §4.1)', () => {
  test('callerName="Bob &amp; "Co"" reads as Bob & "Co"', () => {
    const r = sdkResponse();
    const d = r.addDial({ callerName: 'Bob & "Co"', timeout: 20 });
    d.addNumber('14155550001');
    const xml = r.toXML();
    assert.equal(
      xml,
      '<Response><Dial callerName="Bob &amp; "Co"" timeout="20"><Number>14155550001</Number></Dial></Response>',
    );
    const dial = ok(xml).document.children[0] as DialElement;
    assert.equal(dial.callerName, 'Bob & "Co"');
    assert.equal(dial.timeout, 20);
  });

  test('the exact string from the spec, and a quote before the tag end', () => {
    const a = ok('<Response><Dial callerName="Bob &amp; "Co""><Number>1</Number></Dial></Response>').document
      .children[0] as DialElement;
    assert.equal(a.callerName, 'Bob & "Co"');
    const b = ok('<Response><Dial><Number callerName="Bob &amp; "Co"">1</Number></Dial></Response>').document
      .children[0] as DialElement;
    assert.equal(b.targets[0]?.callerName, 'Bob & "Co"');
  });

  test('a quoted word in the middle of a value', () => {
    const r = sdkResponse();
    r.addDial({ callerName: 'Bob "The" Builder', hangupOnStar: true }).addNumber('1');
    const dial = ok(r.toXML()).document.children[0] as DialElement;
    assert.equal(dial.callerName, 'Bob "The" Builder');
    assert.equal(dial.hangupOnStar, true);
  });

  test('a value that ends the tag keeps its quote, self-closing or not', () => {
    const t = readXml('<R><A x="say "hi""/><B y="a"b"></B></R>');
    const [a, b] = t.children;
    assert.ok(a?.type === 'element' && b?.type === 'element');
    assert.deepEqual(a.attributes.map((x) => x.value), ['say "hi"']);
    assert.deepEqual(b.attributes.map((x) => x.value), ['a"b']);
  });
});

describe('XML reader: errors name the problem and its position', () => {
  const cases: [string, string, string][] = [
    ['', 'malformed', 'document is empty: expected <Response> (line 1, column 1)'],
    ['   \n  ', 'malformed', 'document is empty: expected <Response> (line 2, column 3)'],
    ['hello', 'malformed', 'text is not allowed before the root element (line 1, column 1)'],
    ['<Response>', 'malformed', '<Response> is not closed (line 1, column 1)'],
    ['<Response><Speak>hi</Response>', 'malformed',
      'closing tag </Response> does not match <Speak> opened at line 1, column 11 (line 1, column 20)'],
    ['<Response></Response><Response/>', 'malformed', 'content after the root element is not allowed (line 1, column 22)'],
    ['<Response/>trailing', 'malformed', 'content after the root element is not allowed (line 1, column 12)'],
    ['<Response><Dial timeout></Dial></Response>', 'malformed', '<Dial>: attribute "timeout" has no value (line 1, column 17)'],
    ['<Response><Dial timeout=20></Dial></Response>', 'malformed',
      '<Dial>: value of attribute "timeout" must be quoted (line 1, column 17)'],
    ['<Response><Dial timeout="1" timeout="2"></Dial></Response>', 'malformed',
      '<Dial>: attribute "timeout" is given twice (line 1, column 29)'],
    ['<Response><Dial a="1"/b></Dial></Response>', 'malformed',
      '<Dial>: expected whitespace, "/>" or ">" after an attribute, got "/" (line 1, column 22)'],
    ['<Response><Dial a="1></Dial></Response>', 'malformed', '<Dial>: value of attribute "a" is not closed (line 1, column 17)'],
    ['<Response><Dial a="x<y"></Dial></Response>', 'malformed', '<Dial>: attribute "a" contains "<"; write "&lt;" (line 1, column 21)'],
    ['<Response><Dial', 'malformed', 'start tag <Dial> is not closed (line 1, column 11)'],
    ['<Response><Speak>a < b</Speak></Response>', 'malformed',
      '"<" must start a tag; write "&lt;" for a literal "<" (line 1, column 20)'],
    ['<Response><Speak>Tom & Jerry</Speak></Response>', 'malformed',
      '"&" must start a reference; write "&amp;" for a literal "&" (line 1, column 22)'],
    ['<Response><Speak>&nbsp;</Speak></Response>', 'entity',
      'unknown entity "&nbsp;": only &amp; &lt; &gt; &quot; &apos; and numeric references are allowed (line 1, column 18)'],
    ['<Response><Speak>&#0;</Speak></Response>', 'entity',
      'character reference "&#0;" is not an allowed XML character (line 1, column 18)'],
    ['<Response><Speak>&#xD800;</Speak></Response>', 'entity',
      'character reference "&#xD800;" is not an allowed XML character (line 1, column 18)'],
    ['<Response><!-- open</Response>', 'malformed', 'comment is not closed (line 1, column 11)'],
    ['<Response><Speak><![CDATA[x</Speak></Response>', 'malformed', 'CDATA section is not closed (line 1, column 18)'],
    ['<Response><?pi open</Response>', 'malformed', 'processing instruction is not closed (line 1, column 11)'],
    ['<Response><?xml version="1.0"?></Response>', 'malformed',
      'the XML declaration is only allowed at the start of the document (line 1, column 11)'],
    ['<Response></Speak></Response>', 'malformed',
      'closing tag </Speak> does not match <Response> opened at line 1, column 1 (line 1, column 11)'],
    ['<Response></ Response>', 'malformed', 'expected closing tag name, got " " (line 1, column 13)'],
    ['<1Response/>', 'malformed', 'expected element name, got "1" (line 1, column 2)'],
    ['<Response>\u0001</Response>', 'malformed', 'character U+0001 is not allowed in XML (line 1, column 11)'],
    ['<Response>\uD800</Response>', 'malformed', 'character U+D800 is not allowed in XML (line 1, column 11)'],
    ['<Response><![IGNORE[x]]></Response>', 'malformed', 'markup declarations ("<!") are not allowed (line 1, column 11)'],
  ];
  for (const [xml, code, message] of cases) {
    test(`${JSON.stringify(xml)} -> ${message}`, () => {
      const e = err(xml);
      assert.equal(e.message, message);
      assert.equal(e.code, code);
      assert.equal(e.name, 'XmlError');
    });
  }

  test('the error carries line, column, element and attribute as fields', () => {
    const e = err('<Response>\n  <Dial\n    timeout="1" timeout="2"><Number>1</Number></Dial></Response>');
    assert.equal(e.line, 3);
    assert.equal(e.column, 17);
    assert.equal(e.element, 'Dial');
    assert.equal(e.attribute, 'timeout');
    assert.equal(e.reason, '<Dial>: attribute "timeout" is given twice');
    assert.ok(e instanceof Error);
  });

  test('an unclosed element deep in a document points at its start tag', () => {
    const e = err('<Response>\n<GetDigits action="https://e.com/a">\n  <Speak>hi</Speak>\n');
    assert.equal(e.message, '<GetDigits> is not closed (line 2, column 1)');
    assert.equal(e.element, 'GetDigits');
  });
});

describe('XML reader: refuses DTDs and non-predefined entities (engine.md §1)', () => {
  test('a DOCTYPE with an internal subset is refused before any entity is defined', () => {
    const e = err('<?xml version="1.0"?>\n<!DOCTYPE Response [<!ENTITY boom "kaboom">]>\n<Response><Speak>&boom;</Speak></Response>');
    assert.equal(e.code, 'dtd');
    assert.equal(e.message, 'DOCTYPE declarations are not allowed (line 2, column 1)');
  });

  test('a DOCTYPE after the root and an ENTITY inside an element are refused', () => {
    assert.equal(err('<Response/><!DOCTYPE x>').code, 'dtd');
    assert.equal(err('<Response><!ENTITY x "y"></Response>').message, 'markup declarations ("<!") are not allowed (line 1, column 11)');
  });

  test('the billion-laughs shape costs nothing: refused at the DOCTYPE', () => {
    const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Response><Speak>&lol2;</Speak></Response>';
    assert.equal(err(lol).code, 'dtd');
  });
});

describe('XML reader: size and depth limits', () => {
  const pad = (bytes: number) => {
    const head = '<Response><Speak>';
    const tail = '</Speak></Response>';
    return head + 'a'.repeat(bytes - head.length - tail.length) + tail;
  };

  test(`exactly ${MAX_DOCUMENT_BYTES} bytes is accepted`, () => {
    const xml = pad(MAX_DOCUMENT_BYTES);
    assert.equal(Buffer.byteLength(xml), 102400);
    assert.equal(speakText(xml).length, 102400 - 36);
  });

  test('one byte more is refused, counting UTF-8 bytes, not characters', () => {
    const e = err(pad(MAX_DOCUMENT_BYTES + 1));
    assert.equal(e.code, 'too-large');
    assert.equal(e.message, 'document is 102401 bytes; the limit is 102400 bytes (100 KB) (line 1, column 1)');
    // 51,200 two-byte characters plus markup: under 100 K characters, over 100 KB.
    const wide = '<Response><Speak>' + '\u00e9'.repeat(51200) + '</Speak></Response>';
    assert.ok(wide.length < MAX_DOCUMENT_BYTES);
    assert.equal(err(wide).message, 'document is 102436 bytes; the limit is 102400 bytes (100 KB) (line 1, column 1)');
  });

  test(`${MAX_DEPTH} levels are read; one more is refused`, () => {
    const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    let node = readXml(nest(MAX_DEPTH));
    for (let depth = 1; depth < MAX_DEPTH; depth++) {
      const next = node.children[0];
      assert.ok(next?.type === 'element');
      node = next;
    }
    assert.equal(node.children.length, 0);
    assert.throws(() => readXml(nest(MAX_DEPTH + 1)), {
      name: 'XmlError',
      message: `elements are nested deeper than ${MAX_DEPTH} levels (line 1, column ${3 * MAX_DEPTH + 1})`,
    });
  });

  test('very deep SSML inside Speak is refused without exhausting the stack', () => {
    const xml = '<Response><Speak>' + '<s>'.repeat(9000) + 'x' + '</s>'.repeat(9000) + '</Speak></Response>';
    const e = err(xml);
    assert.equal(e.code, 'too-deep');
    assert.equal(e.element, 's');
  });

  test('deep but allowed SSML nesting parses', () => {
    const xml = '<Response><Speak>' + '<prosody rate="slow">'.repeat(50) + 'deep' + '</prosody>'.repeat(50) + '</Speak></Response>';
    assert.equal(speakText(xml), 'deep');
  });
});

describe('XML reader: properties', () => {
  const settled = (r: ParseResult) => {
    assert.equal(typeof r.ok, 'boolean');
    if (r.ok) assert.equal(r.document.kind, 'Response');
    else {
      assert.ok(r.error instanceof XmlError);
      assert.ok(r.error.line >= 1 && r.error.column >= 1);
      assert.match(r.error.message, /\(line \d+, column \d+\)$/);
    }
  };

  test('random strings never make parsing throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        settled(parseResponse(s));
        parseMediaDocument(s);
      }),
      { numRuns: 2000 },
    );
  });

  test('random bytes, decoded as UTF-8 and as Latin-1, never make parsing throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        settled(parseResponse(Buffer.from(bytes).toString('utf8')));
        settled(parseResponse(Buffer.from(bytes).toString('latin1')));
      }),
      { numRuns: 2000 },
    );
  });

  test('strings made of XML punctuation and Plivo names never make parsing throw', () => {
    const token = fc.constantFrom(
      '<', '>', '/', '=', '"', "'", '&', ';', '#', 'x', '!', '?', '-', '[', ']', ' ', '\n', 'CDATA', 'DOCTYPE',
      '<Response>', '</Response>', '<Dial>', '</Dial>', '<Number>', '</Number>', '1', 'amp', 'lt', '&#', '<!--', '-->',
      '<Speak', 'timeout', '"20"', 'sip:a@b', 'https://e.com/', '<![CDATA[', ']]>', '<?xml', '?>', 'PreAnswer',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => settled(parseResponse(parts.join('')))),
      { numRuns: 3000 },
    );
  });

  test('random mutations of valid SDK documents never make parsing throw', () => {
    const r = sdkResponse();
    r.addSpeak('Hello & "welcome"', { voice: 'MAN', language: 'en-GB', loop: 2 });
    const pre = r.addPreAnswer();
    pre.addPlay('https://e.com/ring.mp3');
    const g = r.addGetDigits({ action: 'https://e.com/digits?a=1&b=2', timeout: 7, numDigits: 4, retries: 2 });
    g.addSpeak('Press');
    g.addWait({ length: 2 });
    const d = r.addDial({ action: 'https://e.com/dial', callerName: 'Bob "Co"', timeout: 20, sipHeaders: 'a=b,c=d' });
    d.addNumber('+14155550001', { sendDigits: 'ww12' });
    d.addUser('sip:alice@e.com', { sipHeaders: 'x=y' });
    r.addDTMF('12#', { async: false });
    r.addHangup({ reason: 'busy' });
    const valid = r.toXML();
    assert.equal(parseResponse(valid).ok, true);

    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.oneof(fc.constantFrom('<', '>', '"', "'", '&', '/', '=', '&#', ']]>', '<!--', '<Dial>', '</Dial>'), fc.string({ maxLength: 4 })),
      }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (muts) => {
        let s = valid;
        for (const m of muts) {
          const at = m.at % (s.length + 1);
          if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
          else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
          else s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
        }
        settled(parseResponse(s));
        parseMediaDocument(s);
      }),
      { numRuns: 3000 },
    );
  });

  test('a non-string input is an error, not a crash', () => {
    const r = parseResponse(undefined as unknown as string);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.message, 'document must be a string, got undefined (line 1, column 1)');
  });
});
