// Validation of Plivo XML into the typed element tree: what the official `plivo` SDK emits,
// every default (plivo.md §3.1, §3.2, §4.2), nesting (§4.1), warnings, and every error class
// with its exact message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkResponse } from './xml-sdk.ts';
import { XmlError, parseMediaDocument, parseResponse } from '../src/xml/index.ts';
import type { DialElement, Element, SourcePos } from '../src/xml/index.ts';

function ok(xml: string) {
  const r = parseResponse(xml);
  if (!r.ok) assert.fail(`expected a document, got: ${r.error.message}`);
  return r;
}

/** The single element of `<Response>…</Response>`. */
function only(inner: string): Element {
  const r = ok(`<Response>${inner}</Response>`);
  assert.equal(r.document.children.length, 1);
  const el = r.document.children[0];
  assert.ok(el !== undefined);
  return el;
}

function err(xml: string): XmlError {
  const r = parseResponse(xml);
  if (r.ok) assert.fail('expected an error, got a document');
  return r.error;
}

/** Position of the n-th occurrence (0-based) of `fragment` in a one-line document. */
function at(xml: string, fragment: string, nth = 0): SourcePos {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = xml.indexOf(fragment, i + 1);
    assert.notEqual(i, -1, `${fragment} not found`);
  }
  return { line: 1, column: i + 1 };
}

const P11 = { line: 1, column: 11 }; // the first child of <Response>

describe('documents the official plivo SDK emits', () => {
  test('the dial status app: Speak, Dial with every attribute, Number and User, Hangup, Wait, Redirect', () => {
    const r = sdkResponse();
    r.addSpeak('Connecting you', { voice: 'WOMAN', language: 'en-US', loop: 1 });
    const d = r.addDial({
      action: 'https://ex.com/dial?x=1&y=2',
      method: 'POST',
      redirect: false,
      callbackUrl: 'https://ex.com/cb',
      callbackMethod: 'GET',
      timeout: 20,
      timeLimit: 3600,
      hangupOnStar: true,
      callerId: '14155551212',
      callerName: 'Support',
      confirmSound: 'https://ex.com/confirm',
      confirmKey: '5',
      confirmTimeout: 30,
      dialMusic: 'real',
      digitsMatch: '123,*9',
      digitsMatchBLeg: '#1',
      sipHeaders: 'Team=blue,Tier=gold',
    });
    d.addNumber('14155550001', { sendDigits: 'ww123', sendOnPreanswer: true, sendDigitsMode: 'rfc2833', callerId: '1555', callerName: 'A' });
    d.addUser('sip:alice@phone.plivo.com', { sipHeaders: 'X-PH-k=v', sendDigits: '9', callerName: 'none' });
    r.addHangup({ reason: 'busy', schedule: 10 });
    r.addWait({ length: 2 });
    r.addRedirect('https://ex.com/next', { method: 'GET' });
    const xml = r.toXML();
    const parsed = ok(xml);
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(parsed.document, {
      kind: 'Response',
      children: [
        { kind: 'Speak', pos: P11, text: 'Connecting you', voice: 'WOMAN', language: 'en-US', loop: 1 },
        {
          kind: 'Dial',
          pos: at(xml, '<Dial'),
          action: 'https://ex.com/dial?x=1&y=2',
          method: 'POST',
          redirect: false,
          timeout: 20,
          timeLimit: 3600,
          hangupOnStar: true,
          callerId: '14155551212',
          callerName: 'Support',
          confirmSound: 'https://ex.com/confirm',
          confirmKey: '5',
          confirmTimeout: 30,
          dialMusic: 'real',
          callbackUrl: 'https://ex.com/cb',
          callbackMethod: 'GET',
          digitsMatch: ['123', '*9'],
          digitsMatchBLeg: ['#1'],
          sipHeaders: { Team: 'blue', Tier: 'gold' },
          targets: [
            {
              kind: 'Number',
              pos: at(xml, '<Number'),
              number: '14155550001',
              sendDigits: 'ww123',
              sendOnPreanswer: true,
              sendDigitsMode: 'rfc2833',
              callerId: '1555',
              callerName: 'A',
            },
            {
              kind: 'User',
              pos: at(xml, '<User'),
              uri: 'sip:alice@phone.plivo.com',
              sendDigits: '9',
              sendOnPreanswer: false,
              sipHeaders: { 'X-PH-k': 'v' },
              callerName: '',
            },
          ],
        },
        { kind: 'Hangup', pos: at(xml, '<Hangup'), reason: 'busy', schedule: 10 },
        { kind: 'Wait', pos: at(xml, '<Wait'), length: 2, silence: false, minSilence: 2000, beep: false },
        { kind: 'Redirect', pos: at(xml, '<Redirect'), url: 'https://ex.com/next', method: 'GET' },
      ],
    });
  });

  test('IVR: PreAnswer, GetDigits, GetInput, Play, DTMF and SSML in Speak', () => {
    const r = sdkResponse();
    const pre = r.addPreAnswer();
    pre.addSpeak('early');
    pre.addDTMF('1w2');
    const g = r.addGetDigits({
      action: 'https://ex.com/digits', method: 'GET', timeout: 7, digitTimeout: 3, finishOnKey: '*', numDigits: 4,
      retries: 2, redirect: false, playBeep: true, validDigits: '123', invalidDigitsSound: 'https://ex.com/bad.mp3', log: false,
    });
    g.addPlay('https://ex.com/menu.mp3', { loop: 2 });
    g.addWait({ length: 1, silence: true, minSilence: 500, beep: true });
    const gi = r.addGetInput({
      action: 'https://ex.com/in', inputType: 'dtmf speech', executionTimeout: 20, digitEndTimeout: 'auto',
      speechEndTimeout: 3, finishOnKey: 'none', numDigits: 6, speechModel: 'phone_call', hints: 'sales,support',
      language: 'en-GB', profanityFilter: true, interimSpeechResultsCallback: 'https://ex.com/interim',
      interimSpeechResultsCallbackMethod: 'GET', redirect: true,
    });
    gi.addSpeak('Say something');
    const s = r.addSpeak('Hi', { voice: 'Polly.Joanna' });
    s.addBreak({ time: '1s' });
    s.addEmphasis('really', { level: 'strong' });
    r.addDTMF('12#', { async: false });
    const xml = r.toXML();
    const { document, warnings } = ok(xml);
    assert.deepEqual(warnings, []);
    assert.deepEqual(document.children, [
      {
        kind: 'PreAnswer',
        pos: P11,
        children: [
          { kind: 'Speak', pos: at(xml, '<Speak'), text: 'early', voice: 'WOMAN', language: 'en-US', loop: 1 },
          { kind: 'DTMF', pos: at(xml, '<DTMF'), digits: '1w2', async: true },
        ],
      },
      {
        kind: 'GetDigits',
        pos: at(xml, '<GetDigits'),
        action: 'https://ex.com/digits',
        method: 'GET',
        timeout: 7,
        digitTimeout: 3,
        finishOnKey: '*',
        numDigits: 4,
        retries: 2,
        redirect: false,
        playBeep: true,
        validDigits: '123',
        invalidDigitsSound: 'https://ex.com/bad.mp3',
        log: false,
        children: [
          { kind: 'Play', pos: at(xml, '<Play'), url: 'https://ex.com/menu.mp3', loop: 2 },
          { kind: 'Wait', pos: at(xml, '<Wait'), length: 1, silence: true, minSilence: 500, beep: true },
        ],
      },
      {
        kind: 'GetInput',
        pos: at(xml, '<GetInput'),
        action: 'https://ex.com/in',
        method: 'POST',
        inputType: 'dtmf speech',
        executionTimeout: 20,
        digitEndTimeout: 'auto',
        speechEndTimeout: 3,
        finishOnKey: '',
        numDigits: 6,
        redirect: true,
        language: 'en-GB',
        speechModel: 'phone_call',
        hints: 'sales,support',
        profanityFilter: true,
        interimSpeechResultsCallback: 'https://ex.com/interim',
        interimSpeechResultsCallbackMethod: 'GET',
        log: true,
        children: [{ kind: 'Speak', pos: at(xml, '<Speak', 1), text: 'Say something', voice: 'WOMAN', language: 'en-US', loop: 1 }],
      },
      {
        kind: 'Speak',
        pos: at(xml, '<Speak', 2),
        text: 'Hireally',
        ssml: 'Hi<break time="1s"/><emphasis level="strong">really</emphasis>',
        voice: 'Polly.Joanna',
        language: 'en-US',
        loop: 1,
      },
      { kind: 'DTMF', pos: at(xml, '<DTMF', 1), digits: '12#', async: false },
    ]);
  });

  test('Record and Conference are typed with Plivo\'s defaults; elements Switchboard cannot run come through as Unsupported, attributes verbatim', () => {
    const r = sdkResponse();
    r.addRecord({ action: 'https://ex.com/rec', maxLength: 30 });
    r.addConference('room1', { muted: true });
    r.addMessage('hello', { src: '1', dst: '2' });
    r.addStream('wss://ex.com/s', { bidirectional: true, audioTrack: 'inbound' });
    r.addMultiPartyCall('mpc1', { role: 'Agent' });
    const xml = r.toXML();
    const children = ok(xml).document.children;
    assert.deepEqual(children.slice(0, 4), [
      {
        kind: 'Record', pos: P11, action: 'https://ex.com/rec', method: 'POST', fileFormat: 'mp3', redirect: true, timeout: 15,
        maxLength: 30, playBeep: true, finishOnKey: '1234567890*#', recordSession: false, startOnDialAnswer: false,
        transcriptionMethod: 'POST', callbackMethod: 'POST',
      },
      {
        kind: 'Conference', pos: at(xml, '<Conference'), room: 'room1', muted: true, beep: false, startConferenceOnEnter: true,
        endConferenceOnExit: false, timeLimit: 86400, hangupOnStar: false, maxMembers: 20, record: false, recordWhenAlone: false,
        recordFileFormat: 'mp3', method: 'POST', redirect: true, digitsMatch: [], callbackMethod: 'POST', stayAlone: true,
        floorEvent: false, relayDTMF: true, transcriptionMethod: 'POST',
      },
      { kind: 'Unsupported', pos: at(xml, '<Message'), name: 'Message', attributes: { src: '1', dst: '2' }, body: 'hello' },
      {
        kind: 'Unsupported', pos: at(xml, '<Stream'), name: 'Stream',
        attributes: { bidirectional: 'true', audioTrack: 'inbound' }, body: 'wss://ex.com/s',
      },
    ]);
    const mpc = children[4];
    assert.ok(mpc?.kind === 'Unsupported');
    assert.equal(mpc.name, 'MultiPartyCall');
    assert.equal(mpc.body, 'mpc1');
    assert.equal(mpc.attributes['role'], 'Agent');
    assert.equal(mpc.attributes['maxDuration'], '14400');
  });

  test('an empty SDK response is an empty document', () => {
    assert.deepEqual(ok(sdkResponse().toXML()).document, { kind: 'Response', children: [] });
  });

  test('the tree is frozen all the way down', () => {
    const { document } = ok('<Response><Dial sipHeaders="a=b"><Number>1</Number></Dial></Response>');
    const dial = document.children[0] as DialElement;
    assert.ok(Object.isFrozen(document));
    assert.ok(Object.isFrozen(document.children));
    assert.ok(Object.isFrozen(dial.targets[0]));
    assert.ok(Object.isFrozen(dial.sipHeaders));
    assert.ok(Object.isFrozen(dial.pos));
  });
});

describe('defaults (plivo.md §3.1, §4.2)', () => {
  test('Speak, Play, Wait', () => {
    assert.deepEqual(only('<Speak>hi</Speak>'), { kind: 'Speak', pos: P11, text: 'hi', voice: 'WOMAN', language: 'en-US', loop: 1 });
    assert.deepEqual(only('<Play> https://e.com/a.mp3 </Play>'), { kind: 'Play', pos: P11, url: 'https://e.com/a.mp3', loop: 1 });
    assert.deepEqual(only('<Wait/>'), { kind: 'Wait', pos: P11, length: 1, silence: false, minSilence: 2000, beep: false });
  });

  test('Hangup, Redirect, DTMF, PreAnswer', () => {
    assert.deepEqual(only('<Hangup/>'), { kind: 'Hangup', pos: P11 });
    assert.deepEqual(only('<Redirect>\n  https://e.com/next\n</Redirect>'), {
      kind: 'Redirect', pos: P11, url: 'https://e.com/next', method: 'POST',
    });
    assert.deepEqual(only('<DTMF> 123 </DTMF>'), { kind: 'DTMF', pos: P11, digits: '123', async: true });
    assert.deepEqual(only('<DTMF digits="9#"/>'), { kind: 'DTMF', pos: P11, digits: '9#', async: true });
    assert.deepEqual(only('<PreAnswer/>'), { kind: 'PreAnswer', pos: P11, children: [] });
  });

  test('GetDigits: digitTimeout follows timeout unless given', () => {
    const base = {
      kind: 'GetDigits', pos: P11, method: 'POST', finishOnKey: '#', numDigits: 99, retries: 1,
      redirect: true, playBeep: false, validDigits: '1234567890*#', log: true, children: [],
    };
    assert.deepEqual(only('<GetDigits/>'), { ...base, timeout: 5, digitTimeout: 5 });
    assert.deepEqual(only('<GetDigits timeout="9"/>'), { ...base, timeout: 9, digitTimeout: 9 });
    assert.deepEqual(only('<GetDigits timeout="9" digitTimeout="2" finishOnKey=""/>'), {
      ...base, timeout: 9, digitTimeout: 2, finishOnKey: '',
    });
  });

  test('GetInput', () => {
    assert.deepEqual(only('<GetInput inputType="speech"/>'), {
      kind: 'GetInput', pos: P11, method: 'POST', inputType: 'speech', executionTimeout: 15, digitEndTimeout: 'auto',
      speechEndTimeout: 'auto', finishOnKey: '#', numDigits: 32, redirect: true, language: 'en-US', profanityFilter: false,
      interimSpeechResultsCallbackMethod: 'POST', log: true, children: [],
    });
    const both = only('<GetInput inputType=" Speech  DTMF " digitEndTimeout="5"/>');
    assert.ok(both.kind === 'GetInput');
    assert.equal(both.inputType, 'dtmf speech');
    assert.equal(both.digitEndTimeout, 5);
  });

  test('Dial with one Number, and a User', () => {
    assert.deepEqual(only('<Dial><Number> +1 415 555 0001 </Number></Dial>'), {
      kind: 'Dial', pos: P11, method: 'POST', redirect: true, timeLimit: 14400, hangupOnStar: false, confirmTimeout: 120,
      callbackMethod: 'POST', digitsMatch: [], digitsMatchBLeg: [], sipHeaders: {},
      targets: [{ kind: 'Number', pos: { line: 1, column: 17 }, number: '+1 415 555 0001', sendOnPreanswer: false }],
    });
    const d = only('<Dial>\n  <User>sip:bob@pbx.example.com</User>\n</Dial>');
    assert.ok(d.kind === 'Dial');
    assert.deepEqual(d.targets, [
      { kind: 'User', pos: { line: 2, column: 3 }, uri: 'sip:bob@pbx.example.com', sendOnPreanswer: false, sipHeaders: {} },
    ]);
  });

  test('Dial: timeout <= 0 means none; timeLimit is capped at 24 h and <= 0 falls back, each with a warning', () => {
    for (const t of ['0', '-5']) {
      const d = only(`<Dial timeout="${t}"><Number>1</Number></Dial>`);
      assert.ok(d.kind === 'Dial');
      assert.equal('timeout' in d, false);
    }
    const capped = ok('<Response><Dial timeLimit="90000"><Number>1</Number></Dial></Response>');
    assert.equal((capped.document.children[0] as DialElement).timeLimit, 86400);
    assert.deepEqual(capped.warnings, ['Dial: timeLimit "90000" is over 24 hours; using 86400 (line 1, column 11)']);
    assert.equal((only('<Dial timeLimit="86400"><Number>1</Number></Dial>') as DialElement).timeLimit, 86400);
    const zero = ok('<Response><Dial timeLimit="0"><Number>1</Number></Dial></Response>');
    assert.equal((zero.document.children[0] as DialElement).timeLimit, 14400);
    assert.deepEqual(zero.warnings, ['Dial: timeLimit "0" is not positive; using 14400 (line 1, column 11)']);
  });

  test('Dial: callerId and callerName "none" mean empty; dialMusic none/real/URL', () => {
    const d = only('<Dial callerId="None" callerName="none" dialMusic="NONE"><Number>1</Number></Dial>') as DialElement;
    assert.equal(d.callerId, '');
    assert.equal(d.callerName, '');
    assert.equal(d.dialMusic, 'none');
    const m = only('<Dial dialMusic=" https://e.com/music "><Number>1</Number></Dial>') as DialElement;
    assert.equal(m.dialMusic, 'https://e.com/music');
    const fifty = 'x'.repeat(50);
    assert.equal((only(`<Dial callerName="${fifty}"><Number>1</Number></Dial>`) as DialElement).callerName, fifty);
  });

  test('Dial: several targets keep document order; empty URL attributes count as absent', () => {
    const d = only('<Dial action="" callbackUrl=" "><Number>1</Number><User>sip:a@b</User><Number>2</Number></Dial>') as DialElement;
    assert.deepEqual(d.targets.map((t) => t.kind), ['Number', 'User', 'Number']);
    assert.equal('action' in d, false);
    assert.equal('callbackUrl' in d, false);
  });

  test('booleans and methods in any letter case; Wait min_silence spelling', () => {
    const d = only('<Dial redirect="FALSE" hangupOnStar="True" method="get"><Number>1</Number></Dial>') as DialElement;
    assert.equal(d.redirect, false);
    assert.equal(d.hangupOnStar, true);
    assert.equal(d.method, 'GET');
    const w = only('<Wait min_silence="300" silence="true"/>');
    assert.ok(w.kind === 'Wait');
    assert.equal(w.minSilence, 300);
    assert.equal((only('<Speak voice="man" loop="0">x</Speak>') as { voice: string }).voice, 'MAN');
  });

  test('whitespace, comments and CDATA between elements are ignored', () => {
    const r = ok('<Response>\n  <!-- greet -->\n  <Speak>hi</Speak>\n  <![CDATA[  ]]>\n  <Hangup/>\n</Response>');
    assert.deepEqual(r.document.children.map((c) => c.kind), ['Speak', 'Hangup']);
    assert.deepEqual(r.document.children[1]?.pos, { line: 5, column: 3 });
  });
});

describe('warnings: unknown attributes are named, not fatal', () => {
  test('unknown attributes on known elements and on Response', () => {
    const r = ok('<Response version="2"><Dial callerID="1" foo="x"><Number gateways="gw1">1</Number></Dial></Response>');
    assert.deepEqual(r.warnings, [
      'Response: unknown attribute "version" ignored (line 1, column 11)',
      'Dial: unknown attribute "callerID" ignored (line 1, column 29)',
      'Dial: unknown attribute "foo" ignored (line 1, column 42)',
      'Number: unknown attribute "gateways" ignored (line 1, column 58)',
    ]);
    assert.equal('callerId' in (r.document.children[0] as DialElement), false);
  });

  test('Number does not take sipHeaders (plivo.md §3.2): a warning, and the header is not sent', () => {
    const r = ok('<Response><Dial><Number sipHeaders="a=b">1</Number></Dial></Response>');
    assert.deepEqual(r.warnings, ['Number: unknown attribute "sipHeaders" ignored (line 1, column 25)']);
  });
});

describe('errors: nesting and content (plivo.md §4.1)', () => {
  const cases: [string, string, string][] = [
    ['<Dial/>', 'root', 'root element must be <Response>, got <Dial> (line 1, column 1)'],
    ['<Response><Response/></Response>', 'nesting', 'Response cannot be nested in Response (line 1, column 11)'],
    ['<Response><Number>1</Number></Response>', 'nesting', 'Number cannot be nested in Response (line 1, column 11)'],
    ['<Response><Dial><Speak>x</Speak></Dial></Response>', 'nesting', 'Speak cannot be nested in Dial (line 1, column 17)'],
    ['<Response><GetDigits><Dial/></GetDigits></Response>', 'nesting', 'Dial cannot be nested in GetDigits (line 1, column 22)'],
    ['<Response><GetDigits><GetDigits/></GetDigits></Response>', 'nesting', 'GetDigits cannot be nested in GetDigits (line 1, column 22)'],
    ['<Response><GetInput inputType="dtmf"><Redirect>https://e.com</Redirect></GetInput></Response>', 'nesting',
      'Redirect cannot be nested in GetInput (line 1, column 38)'],
    ['<Response><PreAnswer><Hangup/></PreAnswer></Response>', 'nesting', 'Hangup cannot be nested in PreAnswer (line 1, column 22)'],
    ['<Response><PreAnswer><PreAnswer/></PreAnswer></Response>', 'nesting', 'PreAnswer cannot be nested in PreAnswer (line 1, column 22)'],
    ['<Response><PreAnswer><Dial><Number>1</Number></Dial></PreAnswer></Response>', 'nesting',
      'Dial cannot be nested in PreAnswer (line 1, column 22)'],
    ['<Response><Play><Speak>x</Speak></Play></Response>', 'nesting', 'Speak cannot be nested in Play (line 1, column 17)'],
    ['<Response><Speak><Play>x</Play></Speak></Response>', 'nesting', 'Play cannot be nested in Speak (line 1, column 18)'],
    ['<Response><Speak><p><p>x</p></p></Speak></Response>', 'nesting', 'p cannot be nested in p (line 1, column 21)'],
    ['<Response><Record><Play>x</Play></Record></Response>', 'nesting', 'Play cannot be nested in Record (line 1, column 19)'],
    ['<Response><Foo/></Response>', 'unknown-element', 'unknown element <Foo> (line 1, column 11)'],
    ['<Response><dial/></Response>', 'unknown-element',
      'unknown element <dial>; element names are case-sensitive: did you mean <Dial>? (line 1, column 11)'],
    ['<Response><Speak><BREAK/>x</Speak></Response>', 'unknown-element',
      'unknown element <BREAK>; element names are case-sensitive: did you mean <break>? (line 1, column 18)'],
    ['<Response><SIPTransfer>sip:a@b</SIPTransfer></Response>', 'unknown-element', 'unknown element <SIPTransfer> (line 1, column 11)'],
    ['<Response>\n  hello\n</Response>', 'content', 'text is not allowed in <Response>, got "hello" (line 1, column 11)'],
    ['<Response><Dial>15550001<Number>1</Number></Dial></Response>', 'content',
      'text is not allowed in <Dial>, got "15550001" (line 1, column 17)'],
    ['<Response><GetDigits>Press 1</GetDigits></Response>', 'content', 'text is not allowed in <GetDigits>, got "Press 1" (line 1, column 22)'],
    ['<Response><Wait>5</Wait></Response>', 'content', 'Wait: takes no text, got "5" (line 1, column 11)'],
    ['<Response><Hangup>now</Hangup></Response>', 'content', 'Hangup: takes no text, got "now" (line 1, column 11)'],
    ['<Response><Dial></Dial></Response>', 'content', 'Dial: at least one <Number> or <User> is required (line 1, column 11)'],
    ['<Response><Dial callerId="1"/></Response>', 'content', 'Dial: at least one <Number> or <User> is required (line 1, column 11)'],
    ['<Response><Dial><Number> </Number></Dial></Response>', 'content', 'Number: number is missing (the element body is empty) (line 1, column 17)'],
    ['<Response><Dial><Number>call me</Number></Dial></Response>', 'content', 'Number: "call me" is not a phone number (line 1, column 17)'],
    ['<Response><Dial><User/></Dial></Response>', 'content', 'User: SIP URI is missing (the element body is empty) (line 1, column 17)'],
    ['<Response><Dial><User>alice@e.com</User></Dial></Response>', 'content',
      'User: body must be a SIP URI (sip:user@host), got "alice@e.com" (line 1, column 17)'],
    ['<Response><Play/></Response>', 'content', 'Play: URL is missing (the element body is empty) (line 1, column 11)'],
    ['<Response><Play>music.mp3</Play></Response>', 'content',
      'Play: body must be an absolute http or https URL, got "music.mp3" (line 1, column 11)'],
    ['<Response><Redirect>  </Redirect></Response>', 'content', 'Redirect: URL is missing (the element body is empty) (line 1, column 11)'],
    ['<Response><Redirect>/next</Redirect></Response>', 'content',
      'Redirect: body must be an absolute http or https URL, got "/next" (line 1, column 11)'],
    ['<Response><Speak>  </Speak></Response>', 'content', 'Speak: text to speak is missing (the element body is empty) (line 1, column 11)'],
    ['<Response><DTMF/></Response>', 'content', 'DTMF: digits are missing (the element body is empty) (line 1, column 11)'],
    ['<Response><DTMF>12x</DTMF></Response>', 'content',
      'DTMF: digits must contain only 0-9, *, #, A-D and w/W pauses, got "12x" (line 1, column 11)'],
  ];
  for (const [xml, code, message] of cases) {
    test(message, () => {
      const e = err(xml);
      assert.equal(e.message, message);
      assert.equal(e.code, code);
    });
  }

  test('errors carry the element name', () => {
    assert.equal(err('<Response><Dial><Speak>x</Speak></Dial></Response>').element, 'Speak');
    assert.equal(err('<Response><Dial/></Response>').element, 'Dial');
  });
});

describe('errors: known attributes with bad values', () => {
  const cases: [string, string, string][] = [
    ['<Dial timeout="abc"><Number>1</Number></Dial>', 'timeout',
      'Dial: attribute "timeout" must be a whole number of seconds, got "abc" (line 1, column 11)'],
    ['<Dial timeout="2.5"><Number>1</Number></Dial>', 'timeout',
      'Dial: attribute "timeout" must be a whole number of seconds, got "2.5" (line 1, column 11)'],
    ['<Dial timeout="99999999999999999999"><Number>1</Number></Dial>', 'timeout',
      'Dial: attribute "timeout" must be a whole number of seconds, got "99999999999999999999" (line 1, column 11)'],
    ['<Dial timeLimit=""><Number>1</Number></Dial>', 'timeLimit',
      'Dial: attribute "timeLimit" must be a whole number of seconds, got "" (line 1, column 11)'],
    ['<Dial method="PUT"><Number>1</Number></Dial>', 'method', 'Dial: attribute "method" must be GET or POST, got "PUT" (line 1, column 11)'],
    ['<Dial callbackMethod="DELETE"><Number>1</Number></Dial>', 'callbackMethod',
      'Dial: attribute "callbackMethod" must be GET or POST, got "DELETE" (line 1, column 11)'],
    ['<Dial redirect="yes"><Number>1</Number></Dial>', 'redirect', 'Dial: attribute "redirect" must be true or false, got "yes" (line 1, column 11)'],
    ['<Dial hangupOnStar="1"><Number>1</Number></Dial>', 'hangupOnStar',
      'Dial: attribute "hangupOnStar" must be true or false, got "1" (line 1, column 11)'],
    ['<Dial confirmKey="12"><Number>1</Number></Dial>', 'confirmKey', 'Dial: attribute "confirmKey" must be one of 0-9, * or #, got "12" (line 1, column 11)'],
    ['<Dial confirmKey="A"><Number>1</Number></Dial>', 'confirmKey', 'Dial: attribute "confirmKey" must be one of 0-9, * or #, got "A" (line 1, column 11)'],
    ['<Dial confirmTimeout="0"><Number>1</Number></Dial>', 'confirmTimeout',
      'Dial: attribute "confirmTimeout" must be at least 1, got "0" (line 1, column 11)'],
    [`<Dial callerName="${'n'.repeat(51)}"><Number>1</Number></Dial>`, 'callerName',
      'Dial: attribute "callerName" must be at most 50 characters, got 51 (line 1, column 11)'],
    ['<Dial action="ex.com/dial"><Number>1</Number></Dial>', 'action',
      'Dial: attribute "action" must be an absolute http or https URL, got "ex.com/dial" (line 1, column 11)'],
    ['<Dial callbackUrl="ftp://e.com/cb"><Number>1</Number></Dial>', 'callbackUrl',
      'Dial: attribute "callbackUrl" must be an absolute http or https URL, got "ftp://e.com/cb" (line 1, column 11)'],
    ['<Dial confirmSound="confirm.xml"><Number>1</Number></Dial>', 'confirmSound',
      'Dial: attribute "confirmSound" must be an absolute http or https URL, got "confirm.xml" (line 1, column 11)'],
    ['<Dial dialMusic="ringing"><Number>1</Number></Dial>', 'dialMusic',
      'Dial: attribute "dialMusic" must be an absolute http or https URL, got "ringing" (line 1, column 11)'],
    ['<Dial sipHeaders="novalue"><Number>1</Number></Dial>', 'sipHeaders',
      'Dial: attribute "sipHeaders" must be name=value pairs separated by commas, got "novalue" (line 1, column 11)'],
    ['<Dial sipHeaders="a=1,bad name=2"><Number>1</Number></Dial>', 'sipHeaders',
      'Dial: attribute "sipHeaders" must be name=value pairs separated by commas, got "a=1,bad name=2" (line 1, column 11)'],
    ['<Dial digitsMatch="12,ab"><Number>1</Number></Dial>', 'digitsMatch',
      'Dial: attribute "digitsMatch" must be digit patterns (0-9, *, #) separated by commas, got "12,ab" (line 1, column 11)'],
    ['<Dial><Number sendDigits="12x">1</Number></Dial>', 'sendDigits',
      'Number: attribute "sendDigits" must contain only 0-9, *, #, A-D and w/W pauses, got "12x" (line 1, column 17)'],
    ['<Dial><Number sendOnPreanswer="maybe">1</Number></Dial>', 'sendOnPreanswer',
      'Number: attribute "sendOnPreanswer" must be true or false, got "maybe" (line 1, column 17)'],
    ['<Dial><User sipHeaders="=v">sip:a@b</User></Dial>', 'sipHeaders',
      'User: attribute "sipHeaders" must be name=value pairs separated by commas, got "=v" (line 1, column 17)'],
    ['<Speak loop="-1">x</Speak>', 'loop', 'Speak: attribute "loop" must be at least 0, got "-1" (line 1, column 11)'],
    ['<Speak voice="ROBOT">x</Speak>', 'voice', 'Speak: attribute "voice" must be WOMAN, MAN or Polly.<Name>, got "ROBOT" (line 1, column 11)'],
    ['<Play loop="twice">https://e.com/a.mp3</Play>', 'loop', 'Play: attribute "loop" must be a whole number, got "twice" (line 1, column 11)'],
    ['<Wait length="0"/>', 'length', 'Wait: attribute "length" must be at least 1, got "0" (line 1, column 11)'],
    ['<Wait length="1.5"/>', 'length', 'Wait: attribute "length" must be a whole number of seconds, got "1.5" (line 1, column 11)'],
    ['<Wait minSilence="-1"/>', 'minSilence', 'Wait: attribute "minSilence" must be at least 0, got "-1" (line 1, column 11)'],
    ['<Wait beep="on"/>', 'beep', 'Wait: attribute "beep" must be true or false, got "on" (line 1, column 11)'],
    ['<Hangup schedule="0"/>', 'schedule', 'Hangup: attribute "schedule" must be at least 1, got "0" (line 1, column 11)'],
    ['<Hangup schedule="soon"/>', 'schedule', 'Hangup: attribute "schedule" must be a whole number of seconds, got "soon" (line 1, column 11)'],
    ['<Redirect method="PATCH">https://e.com</Redirect>', 'method', 'Redirect: attribute "method" must be GET or POST, got "PATCH" (line 1, column 11)'],
    ['<GetDigits timeout="0"/>', 'timeout', 'GetDigits: attribute "timeout" must be at least 1, got "0" (line 1, column 11)'],
    ['<GetDigits numDigits="many"/>', 'numDigits', 'GetDigits: attribute "numDigits" must be a whole number, got "many" (line 1, column 11)'],
    ['<GetDigits retries="0"/>', 'retries', 'GetDigits: attribute "retries" must be at least 1, got "0" (line 1, column 11)'],
    ['<GetDigits finishOnKey="##"/>', 'finishOnKey',
      'GetDigits: attribute "finishOnKey" must be one of 0-9, * or #, or empty or none, got "##" (line 1, column 11)'],
    ['<GetDigits validDigits="12a"/>', 'validDigits', 'GetDigits: attribute "validDigits" must contain only 0-9, * and #, got "12a" (line 1, column 11)'],
    ['<GetDigits action="digits"/>', 'action', 'GetDigits: attribute "action" must be an absolute http or https URL, got "digits" (line 1, column 11)'],
    ['<GetInput inputType="voice"/>', 'inputType', 'GetInput: attribute "inputType" must be dtmf, speech or "dtmf speech", got "voice" (line 1, column 11)'],
    ['<GetInput inputType="dtmf" executionTimeout="61"/>', 'executionTimeout',
      'GetInput: attribute "executionTimeout" must be between 5 and 60, got "61" (line 1, column 11)'],
    ['<GetInput inputType="dtmf" digitEndTimeout="1"/>', 'digitEndTimeout',
      'GetInput: attribute "digitEndTimeout" must be between 2 and 10, got "1" (line 1, column 11)'],
    ['<GetInput inputType="dtmf" speechEndTimeout="later"/>', 'speechEndTimeout',
      'GetInput: attribute "speechEndTimeout" must be auto or a whole number of seconds, got "later" (line 1, column 11)'],
    ['<GetInput inputType="dtmf" numDigits="33"/>', 'numDigits', 'GetInput: attribute "numDigits" must be between 1 and 32, got "33" (line 1, column 11)'],
    ['<DTMF async="no">1</DTMF>', 'async', 'DTMF: attribute "async" must be true or false, got "no" (line 1, column 11)'],
  ];
  for (const [inner, attribute, message] of cases) {
    test(message, () => {
      const e = err(`<Response>${inner}</Response>`);
      assert.equal(e.message, message);
      assert.equal(e.code, 'attribute');
      assert.equal(e.attribute, attribute);
      assert.equal(e.element, message.slice(0, message.indexOf(':')));
    });
  }

  test('the position is the element\'s, on whatever line it starts', () => {
    const e = err('<Response>\n  <Speak>hi</Speak>\n\n    <Dial timeout="abc">\n<Number>1</Number></Dial></Response>');
    assert.equal(e.message, 'Dial: attribute "timeout" must be a whole number of seconds, got "abc" (line 4, column 5)');
    assert.deepEqual([e.line, e.column, e.element, e.attribute], [4, 5, 'Dial', 'timeout']);
  });

  test('an error inside GetDigits or PreAnswer points at the nested element', () => {
    assert.equal(
      err('<Response><GetDigits><Play loop="x">https://e.com/a</Play></GetDigits></Response>').message,
      'Play: attribute "loop" must be a whole number, got "x" (line 1, column 22)',
    );
    assert.equal(
      err('<Response><PreAnswer><Speak voice="x">y</Speak></PreAnswer></Response>').message,
      'Speak: attribute "voice" must be WOMAN, MAN or Polly.<Name>, got "x" (line 1, column 22)',
    );
  });
});

describe('parseMediaDocument: confirmSound and dialMusic documents (plivo.md §3.1)', () => {
  test('keeps Play, Speak and Wait; drops the rest with a warning', () => {
    const xml = '<Response><Speak>Press 1</Speak><Dial><Number>1</Number></Dial><Play>https://e.com/m.mp3</Play>\n<Hangup/><Wait length="2"/></Response>';
    const r = parseMediaDocument(xml);
    assert.ok(r.ok);
    assert.deepEqual(r.document, {
      kind: 'Response',
      children: [
        { kind: 'Speak', pos: P11, text: 'Press 1', voice: 'WOMAN', language: 'en-US', loop: 1 },
        { kind: 'Play', pos: at(xml, '<Play'), url: 'https://e.com/m.mp3', loop: 1 },
        { kind: 'Wait', pos: { line: 2, column: 10 }, length: 2, silence: false, minSilence: 2000, beep: false },
      ],
    });
    assert.deepEqual(r.warnings, [
      '<Dial> dropped: a media document may only hold Play, Speak and Wait (line 1, column 33)',
      '<Hangup> dropped: a media document may only hold Play, Speak and Wait (line 2, column 1)',
    ]);
  });

  test('the SDK builds such documents', () => {
    const r = sdkResponse();
    r.addPlay('https://e.com/hold.mp3', { loop: 0 });
    const m = parseMediaDocument(r.toXML());
    assert.ok(m.ok);
    assert.deepEqual(m.document.children, [{ kind: 'Play', pos: P11, url: 'https://e.com/hold.mp3', loop: 0 }]);
  });

  test('bad kept elements, text, and a wrong root are still errors', () => {
    const bad = parseMediaDocument('<Response><Play loop="x">https://e.com/a</Play></Response>');
    assert.ok(!bad.ok);
    assert.equal(bad.error.message, 'Play: attribute "loop" must be a whole number, got "x" (line 1, column 11)');
    const text = parseMediaDocument('<Response><Foo/>music</Response>');
    assert.ok(!text.ok);
    assert.equal(text.error.message, 'text is not allowed in <Response>, got "music" (line 1, column 17)');
    const root = parseMediaDocument('<Play>https://e.com/a</Play>');
    assert.ok(!root.ok);
    assert.equal(root.error.code, 'root');
  });
});
