/**
 * Accept what Plivo accepts (DESIGN.md principles; issue 16.1). The official `plivo` package is
 * the judge: every element its XML builder knows, with every attribute its whitelist allows, is
 * built with the SDK itself, then parsed and run on a real engine. The whitelist is read from the
 * SDK's element objects, so a new SDK attribute without a sample value here fails the test.
 * Then golden documents in the styles real apps write, and the three documents Plivo ran that
 * Switchboard once refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse } from '../src/xml/index.ts';
import { startHarness, AUTH_TOKEN, type Harness } from './support/harness.ts';
import { sdkResponse, type SdkElement } from './xml-sdk.ts';

type Value = string | number | boolean | readonly string[];
type Attributes = Record<string, Value>;

/** What the SDK's element objects expose besides their builder methods. */
interface SdkNode extends SdkElement {
  readonly valid_attributes: readonly string[];
  readonly nestables: readonly string[];
  readonly element: string;
}

const URL = 'http://app.invalid/x';

/** One plausible value per attribute name, in the types apps pass to the SDK. */
function sampleValue(element: string, name: string, url: string): Value | undefined {
  const perElement: Record<string, Record<string, Value>> = {
    Dial: { timeout: 20, timeLimit: 3600, confirmTimeout: 30, sipHeaders: 'k1=v1,k2=v2', digitsMatch: '123,*9' },
    Number: { sendDigits: 'ww12', sendDigitsMode: 'rfc2833' },
    User: { sendDigits: '12', sipHeaders: 'k=v' },
    GetDigits: { timeout: 7, numDigits: 4, retries: 2, digitTimeout: 3, finishOnKey: '*' },
    GetInput: { inputType: 'dtmf speech', numDigits: 4, executionTimeout: 10, digitEndTimeout: 3, speechEndTimeout: 'auto' },
    Record: { timeout: 10, maxLength: 30, finishOnKey: '#', fileFormat: 'wav', transcriptionType: 'auto', recordChannelType: 'stereo' },
    Conference: { timeLimit: 600, maxMembers: 10, recordFileFormat: 'mp3', digitsMatch: '0', waitSound: url, enterSound: 'beep:1', exitSound: 'beep:2', transcriptionType: 'auto' },
    Message: { src: '14155551212', dst: '14155550001', type: 'sms' },
    Wait: { length: 2, minSilence: 500, min_silence: 500 },
    Hangup: { reason: 'busy', schedule: 10 },
    DTMF: { digits: '12', async: false },
    Speak: { voice: 'WOMAN', language: 'en-US', loop: 2 },
    Play: { loop: 2 },
    MultiPartyCall: { role: 'agent', maxDuration: 600, maxParticipants: 5, recordMinMemberCount: 1, statusCallbackEvents: 'mpc-state-changes', enterSound: 'beep:1', exitSound: 'beep:2', recordFileFormat: 'wav' },
    Stream: { audioTrack: 'inbound', streamTimeout: 60, contentType: 'audio/x-l16;rate=8000', extraHeaders: 'a=1' },
    break: { strength: 'medium', time: '250ms' },
    emphasis: { level: 'strong' },
    lang: { 'xml:lang': 'fr-FR' },
    phoneme: { alphabet: 'ipa', ph: 'pɪˈkɑːn' },
    prosody: { pitch: 'high', rate: 'slow', volume: 'loud' },
    'say-as': { 'interpret-as': 'characters', format: 'mdy' },
    sub: { alias: 'World Wide Web' },
    w: { role: 'amazon:VB' },
  };
  const own = perElement[element]?.[name];
  if (own !== undefined) return own;
  if (/Method$/.test(name) || name === 'method') return 'GET';
  if (/(Url|Sound|Audio|Callback)$/.test(name) || ['action', 'dialMusic', 'confirmSound'].includes(name)) {
    // The SDK's MultiPartyCall URL check wants a dotted host name; the element is never run anyway.
    return element === 'MultiPartyCall' ? 'https://app.example.com/mpc' : url;
  }
  const common: Record<string, Value> = {
    callerId: '14155551212', callerName: 'Acme Support', confirmKey: '5', digitsMatchBLeg: '*8', language: 'en-US',
    speechModel: 'default', hints: 'sales,support', finishOnKey: '#', profanityFilter: true, log: false,
    // What plivo 4.x writes for addGetDigits({ validDigits: ['1', '2', '3'] }): "1,2,3" (issue 16).
    validDigits: ['1', '2', '3'],
  };
  if (common[name] !== undefined) return common[name];
  const booleans = [
    'redirect', 'hangupOnStar', 'playBeep', 'sendOnPreanswer', 'muted', 'beep', 'startConferenceOnEnter',
    'endConferenceOnExit', 'record', 'recordWhenAlone', 'stayAlone', 'floorEvent', 'relayDTMF', 'recordSession',
    'startOnDialAnswer', 'silence', 'bidirectional', 'keepCallAlive', 'coachMode', 'mute', 'hold',
    'startMpcOnEnter', 'endMpcOnExit', 'relayDTMFInputs', 'recordParticipantTrack', 'async',
  ];
  if (booleans.includes(name)) return true;
  return undefined;
}

interface Built {
  readonly name: string;
  readonly xml: string;
  /** Attribute names written on the element under test. */
  readonly attributes: readonly string[];
}

/** Every attribute of `probe`'s whitelist with its sample value; fails naming any without one. */
function allAttributes(probe: SdkNode, url: string): Attributes {
  const out: Attributes = {};
  for (const name of probe.valid_attributes) {
    const v = sampleValue(probe.element, name, url);
    assert.notEqual(v, undefined, `no sample value for ${probe.element}@${name}: add one to sampleValue()`);
    out[name] = v!;
  }
  return out;
}

type Adder = (parent: SdkElement, attrs: Attributes, url: string) => SdkElement;

/** Each SDK builder method with the parent it is nested in and the body it needs. */
const TOP: Record<string, Adder> = {
  Speak: (p, a) => p.addSpeak('Welcome to Acme', a as never),
  Play: (p, a) => p.addPlay('https://media.example.com/hello.mp3', a as never),
  Wait: (p, a) => p.addWait(a as never),
  Hangup: (p, a) => p.addHangup(a as never),
  Redirect: (p, a, url) => p.addRedirect(url, a as never),
  GetDigits: (p, a) => p.addGetDigits(a as never),
  GetInput: (p, a) => p.addGetInput(a as never),
  PreAnswer: (p) => p.addPreAnswer(),
  Dial: (p, a) => p.addDial(a as never),
  DTMF: (p, a) => p.addDTMF('123', a as never),
  Record: (p, a) => p.addRecord(a as never),
  Conference: (p, a) => p.addConference('room-1', a as never),
  Message: (p, a) => p.addMessage('hello', a as never),
  Stream: (p, a) => p.addStream('wss://stream.example.com/audio', a as never),
  MultiPartyCall: (p, a) => p.addMultiPartyCall('mpc-1', a as never),
};

const SSML: Record<string, (speak: any, a: Attributes) => SdkNode> = {
  break: (s, a) => s.addBreak(a),
  emphasis: (s, a) => s.addEmphasis('really', a),
  lang: (s, a) => s.addLang('bonjour', a),
  p: (s) => s.addP('A paragraph.'),
  phoneme: (s, a) => s.addPhoneme('pecan', a),
  prosody: (s, a) => s.addProsody('slowly', a),
  s: (s) => s.addS('A sentence.'),
  'say-as': (s, a) => s.addSayAs('ABC', a),
  sub: (s, a) => s.addSub('WWW', a),
  w: (s, a) => s.addW('read', a),
};

/** The corpus: one document per element the SDK builds, every whitelisted attribute set. */
function corpus(url: string): Built[] {
  const out: Built[] = [];
  for (const [name, add] of Object.entries(TOP)) {
    // MultiPartyCall is the one element the SDK will not build without an attribute (role).
    const probe = add(sdkResponse(), name === 'MultiPartyCall' ? { role: 'agent' } : {}, url) as SdkNode;
    const attrs = allAttributes(probe, url);
    const r = sdkResponse();
    const el = add(r, attrs, url);
    if (name === 'Dial') el.addNumber('15553330001');
    if (name === 'GetDigits' || name === 'GetInput') el.addSpeak('Press a key');
    if (name === 'PreAnswer') el.addSpeak('Early');
    out.push({ name, xml: r.toXML(), attributes: Object.keys(attrs) });
  }
  // Nouns inside Dial, and children of PreAnswer, GetDigits and GetInput, as the SDK nests them.
  for (const noun of ['Number', 'User'] as const) {
    const probe = (noun === 'Number' ? sdkResponse().addDial().addNumber('1') : sdkResponse().addDial().addUser('sip:a@b')) as SdkNode;
    const attrs = allAttributes(probe, url);
    const r = sdkResponse();
    const dial = r.addDial();
    if (noun === 'Number') dial.addNumber('15553330001', attrs as never);
    else dial.addUser('sip:alice@sip.example.com', attrs as never);
    out.push({ name: noun, xml: r.toXML(), attributes: Object.keys(attrs) });
  }
  for (const [name, add] of Object.entries(SSML)) {
    const probe = add(sdkResponse().addSpeak('x'), {});
    const attrs = allAttributes(probe, url);
    const r = sdkResponse();
    add(r.addSpeak('Hello'), attrs);
    out.push({ name, xml: r.toXML(), attributes: Object.keys(attrs) });
  }
  for (const parent of ['PreAnswer', 'GetDigits', 'GetInput'] as const) {
    const probe = TOP[parent]!(sdkResponse(), {}, url) as SdkNode;
    for (const child of probe.nestables) {
      const r = sdkResponse();
      const holder = TOP[parent]!(r, parent === 'GetInput' ? { inputType: 'dtmf' } : {}, url);
      TOP[child]!(holder, {}, url);
      out.push({ name: `${parent}>${child}`, xml: r.toXML(), attributes: [] });
    }
  }
  return out;
}

const IMPLEMENTED = new Set(['Speak', 'Play', 'Wait', 'Hangup', 'Redirect', 'GetDigits', 'GetInput', 'PreAnswer', 'Dial', 'DTMF', 'Record', 'Conference']);

describe('every element and attribute the SDK whitelist allows parses (built with the SDK)', () => {
  for (const doc of corpus(URL)) {
    test(doc.name, () => {
      const r = parseResponse(doc.xml);
      assert.ok(r.ok, `${doc.xml}\n-> ${r.ok ? '' : r.error.message}`);
      // Every whitelisted attribute of an element Switchboard runs is one it knows: no "unknown attribute" warning.
      assert.deepEqual(r.warnings.filter((w) => w.includes('unknown attribute')), [], doc.xml);
    });
  }
  test('the corpus covers every element of the SDK Response and each of its attributes', () => {
    const names = new Set(corpus(URL).map((d) => d.name.split('>')[0]!));
    const response = sdkResponse() as SdkNode;
    for (const n of response.nestables) assert.ok(names.has(n), n);
    for (const n of Object.keys(SSML)) assert.ok(names.has(n), n);
    assert.ok(names.has('Number') && names.has('User'));
  });
});

// ---------------------------------------------------------------- the three refused documents, and real-app styles

/** Parsing alone: the document, its warnings, and what an element turned into. */
function accepted(xml: string): { warnings: string[]; document: any } {
  const r = parseResponse(xml);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return { warnings: r.warnings, document: r.document };
}

describe('corrected with a warning, not refused (issue 16.1)', () => {
  test('GetDigits validDigits="1,2,3" (plivo 4.x addGetDigits with an array) keeps the keys 123', () => {
    const r = sdkResponse();
    r.addGetDigits({ action: 'https://app.example.com/menu', validDigits: ['1', '2', '3'] as never, numDigits: 1 });
    const xml = r.toXML();
    assert.equal(xml, '<Response><GetDigits action="https://app.example.com/menu" validDigits="1,2,3" numDigits="1"/></Response>');
    const { warnings, document } = accepted(xml);
    assert.equal(document.children[0].validDigits, '123');
    assert.deepEqual(warnings, ['GetDigits: validDigits "1,2,3" read as "123" (separators ignored) (line 1, column 11)']);
    assert.equal(accepted('<Response><GetDigits validDigits=" 1, 2 ,#"/></Response>').document.children[0].validDigits, '12#');
  });

  test('GetInput without inputType listens for DTMF', () => {
    const { warnings, document } = accepted('<Response><GetInput action="https://app.example.com/in"><Speak>Press 1</Speak></GetInput></Response>');
    assert.equal(document.children[0].inputType, 'dtmf');
    assert.deepEqual(warnings, ['GetInput: no inputType; using dtmf (line 1, column 11)']);
  });

  test('Hangup reason="drop" hangs up normally, the reason ignored', () => {
    const { warnings, document } = accepted('<Response><Hangup reason="drop"/></Response>');
    assert.deepEqual(document.children[0], { kind: 'Hangup', pos: { line: 1, column: 11 } });
    assert.deepEqual(warnings, [
      'Hangup: unknown reason "drop" ignored (Plivo knows rejected and busy); hanging up normally (line 1, column 11)',
    ]);
  });

  test('what Plivo cannot run is still refused: keys that are no keys, unknown elements, bad nesting', () => {
    for (const [xml, code] of [
      ['<Response><GetDigits validDigits="1,a"/></Response>', 'attribute'],
      ['<Response><Gather/></Response>', 'unknown-element'],
      ['<Response><Dial><Speak>x</Speak></Dial></Response>', 'nesting'],
    ] as const) {
      const r = parseResponse(xml);
      assert.equal(r.ok, false, xml);
      assert.equal(r.ok ? '' : r.error.code, code, xml);
    }
  });
});

// ---------------------------------------------------------------- they run on a real engine

const A = '15551110001';
const B = '15553330001';
const DIALER = '15551110002';
const IVR = '15551110003';

/** Runs `xml` as the answer document of one call; returns its hangup request and CDR. */
async function runDocument(h: Harness, id: string, xml: string, to = A): Promise<{ hangup: Record<string, string>; cdr: any }> {
  h.app.on(`/answer-${id}`, xml);
  const res = await h.call({ to, answer_url: h.app.url(`/answer-${id}`), hangup_url: h.app.url(`/hangup-${id}`) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [hangup] = await h.waitFor(`/hangup-${id}`);
  const cdr = await h.api('GET', `Call/${hangup!.params.CallUUID}/`);
  assert.equal(cdr.status, 200);
  return { hangup: hangup!.params, cdr: cdr.body };
}

test('every corpus document, the refused three and real-app golden documents run as calls', async () => {
  const h = await startHarness();
  try {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 2s, answer, hangup after 5s');
    const url = h.app.url('/any');
    const docs = corpus(url).map((d, i) => ({ id: `c${i}`, name: d.name, xml: d.xml }));
    for (const d of docs) {
      const { hangup, cdr } = await runDocument(h, d.id, d.xml);
      assert.equal(cdr.error, null, `${d.name}: ${d.xml} -> ${cdr.error}`);
      assert.notEqual(hangup.HangupCauseCode, '5010', `${d.name} ended as Invalid Answer XML`);
      const top = d.name.split('>')[0]!;
      if (!IMPLEMENTED.has(top) && !['Number', 'User'].includes(top) && !(top in SSML)) {
        assert.ok(cdr.warnings.some((w: string) => w.includes(`<${top}> is not supported`)), `${d.name}: ${cdr.warnings}`);
      }
    }

    // The dialer (issue 16): GetDigits with validDigits as plivo 4.x writes it; the caller presses 2.
    await h.sim(DIALER, 'ring 1s, answer, digits 2 after 2s');
    const dialer = sdkResponse();
    dialer.addGetDigits({ action: h.app.url('/menu'), method: 'POST', numDigits: 1, validDigits: ['1', '2', '3'] as never, timeout: 10 })
      .addSpeak('Press 1 for sales, 2 for support');
    h.app.on('/menu', '<Response><Hangup reason="drop"/></Response>');
    const d1 = await runDocument(h, 'dialer', dialer.toXML(), DIALER);
    const [menu] = await h.waitFor('/menu');
    assert.equal(menu!.params.Digits, '2');
    assert.equal(d1.hangup.CallStatus, 'completed');
    assert.equal(d1.hangup.HangupCauseName, 'Normal Hangup');
    assert.deepEqual(d1.cdr.warnings.map((w: string) => w.replace(/ http\S+:/, ' URL:')), [
      'answer URL: GetDigits: validDigits "1,2,3" read as "123" (separators ignored) (line 1, column 11)',
      'digits URL: Hangup: unknown reason "drop" ignored (Plivo knows rejected and busy); hanging up normally (line 1, column 11)',
    ]);

    // The IVR: GetInput without inputType, then a Dial from its action.
    await h.sim(IVR, 'ring 1s, answer, digits 1 after 3s');
    h.app.on('/ivr-choice', `<Response><Speak>Connecting</Speak><Dial><Number>${B}</Number></Dial></Response>`);
    const ivr = await runDocument(h, 'ivr',
      `<Response><GetInput action="${h.app.url('/ivr-choice')}" method="POST" numDigits="1"><Speak>Press 1 for sales</Speak></GetInput></Response>`, IVR);
    const [choice] = await h.waitFor('/ivr-choice');
    assert.equal(choice!.params.Digits, '1');
    assert.equal(choice!.params.InputType, 'dtmf');
    assert.equal(ivr.cdr.error, null);
    assert.ok(ivr.cdr.warnings.some((w: string) => w.endsWith('GetInput: no inputType; using dtmf (line 1, column 11)')), String(ivr.cdr.warnings));

    h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    await h.close();
  }
});
