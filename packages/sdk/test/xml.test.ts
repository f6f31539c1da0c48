import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import plivo from 'plivo';
import { Response, XmlBuildError, type DialAttributes } from '../src/xml/index.ts';

// The same calls made on our builder and on plivo's; `b` is whichever builder is passed in.
// plivo has no types, hence the loose `any` at this boundary only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Build = (r: any) => void;
// plivo declares `Response(): any` as a function; it is also a constructor.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const PlivoResponse = plivo.Response as unknown as new () => any;

function both(build: Build): { ours: string; theirs: string } {
  const ours = new Response();
  build(ours);
  const theirs = new PlivoResponse();
  build(theirs);
  return { ours: ours.toXML(), theirs: theirs.toXML() as string };
}

const DOCUMENTS: Record<string, Build> = {
  empty: () => {},
  'speak with attributes': (r) => r.addSpeak('Connecting you', { voice: 'WOMAN', language: 'en-US', loop: 1 }),
  'observed plivo.md §4.1 document': (r) => {
    r.addSpeak('Connecting you', { voice: 'WOMAN', language: 'en-US', loop: 1 });
    const d = r.addDial({
      action: 'https://ex.com/dial?x=1&y=2', method: 'POST', redirect: false, callbackUrl: 'https://ex.com/cb',
      callbackMethod: 'POST', timeout: 20, timeLimit: 3600, hangupOnStar: true, callerId: '14155551212',
      callerName: 'Bob & Co', confirmSound: 'https://ex.com/confirm', confirmKey: '#', confirmTimeout: 10,
      dialMusic: 'real', digitsMatch: '123,456', digitsMatchBLeg: '9', sipHeaders: 'X-PH-a=1,X-PH-b=2',
    });
    d.addNumber('14155550001', { sendDigits: 'ww123', sendOnPreanswer: true });
    d.addUser('sip:alice@phone.plivo.com', { sipHeaders: 'X-PH-k=v' });
    r.addHangup({ reason: 'busy', schedule: 10 });
    r.addWait({ length: 2 });
    r.addRedirect('https://ex.com/next', { method: 'GET' });
  },
  'empty dial and bare elements': (r) => {
    r.addDial();
    r.addWait();
    r.addHangup();
    r.addPreAnswer();
    r.addGetDigits();
  },
  'get digits with prompt': (r) => {
    const g = r.addGetDigits({
      action: 'https://app/menu', method: 'GET', timeout: 7, digitTimeout: 2, finishOnKey: '#', numDigits: 1,
      retries: 2, invalidDigitsSound: 'https://app/bad.mp3', validDigits: '12', playBeep: false, redirect: true, log: false,
    });
    g.addSpeak('Press 1 for sales, 2 for support', { voice: 'Polly.Joanna' });
    g.addPlay('https://app/menu.mp3', { loop: 0 });
    g.addWait({ length: 3, silence: true, minSilence: 500, min_silence: 400, beep: true });
    r.addSpeak('We did not get your input');
  },
  'get input': (r) => {
    r.addGetInput({
      action: 'https://app/input', inputType: 'dtmf speech', executionTimeout: 15, digitEndTimeout: 'auto',
      speechEndTimeout: 2, language: 'en-GB', hints: 'sales,support', profanityFilter: true,
      interimSpeechResultsCallback: 'https://app/interim', interimSpeechResultsCallbackMethod: 'POST', speechModel: 'default',
    }).addSpeak('Say sales or support');
  },
  'pre-answer': (r) => {
    const p = r.addPreAnswer();
    p.addSpeak('Please hold');
    p.addPlay('https://app/ring.mp3');
    p.addWait({ length: 1 });
    p.addDTMF('12w3', { async: true });
    p.addGetDigits({ numDigits: 1 }).addSpeak('Press 1');
    p.addRedirect('https://app/next');
    r.addSpeak('Answered');
  },
  'sequential dials': (r) => {
    r.addDial({ timeout: 10 }).addNumber('1001');
    const d = r.addDial({ timeout: 15, action: 'https://app/a', redirect: true });
    d.addNumber('1002', { callerId: '1999', callerName: 'Desk', sendDigitsMode: 'rfc2833' });
    d.addNumber('1003');
    d.addUser('sip:bob@example.com', { sendDigits: '1', sendOnPreanswer: false, callerId: '2', callerName: 'x' });
  },
  'dtmf, record and conference': (r) => {
    r.addDTMF('1234', { digits: '9' });
    r.addRecord({ action: 'https://app/rec', maxLength: 30, playBeep: true, fileFormat: 'wav', startOnDialAnswer: false });
    r.addConference('room & <1>', { startConferenceOnEnter: true, endConferenceOnExit: false, maxMembers: 5, waitSound: 'https://app/wait' });
  },
  escaping: (r) => {
    r.addSpeak("Tom & Jerry's <show> > 1 \r\n\t end");
    r.addRedirect('https://app/next?a=1&b=<2>', { method: 'POST' });
    r.addDial({ callerName: 'A&B <c> \t tab\nline\rcr', sipHeaders: "X-PH-q='1'" }).addNumber('1');
  },
  unicode: (r) => {
    r.addSpeak('Grüße, 你好 😀', { language: 'de-DE' });
  },
};

describe('xml: toXML() equals plivo.Response().toXML()', () => {
  for (const [name, build] of Object.entries(DOCUMENTS)) {
    it(name, () => {
      const { ours, theirs } = both(build);
      assert.equal(ours, theirs);
    });
  }

  it('matches plivo for random Speak/Play/Wait/Dial documents', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '&', '<', '>', "'", '\n', '\r', '\t', 'é', '1'), minLength: 1, maxLength: 12 });
    const step = fc.oneof(
      fc.record({ kind: fc.constant('speak' as const), text, loop: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }) }),
      fc.record({ kind: fc.constant('play' as const), text }),
      fc.record({ kind: fc.constant('wait' as const), length: fc.integer({ min: 0, max: 99 }), beep: fc.boolean() }),
      fc.record({
        kind: fc.constant('dial' as const),
        callerName: text,
        timeout: fc.integer({ min: 1, max: 60 }),
        redirect: fc.boolean(),
        numbers: fc.array(fc.stringMatching(/^[0-9]{3,12}$/), { minLength: 0, maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), (steps) => {
        const build: Build = (r) => {
          for (const s of steps) {
            if (s.kind === 'speak') r.addSpeak(s.text, s.loop === undefined ? {} : { loop: s.loop });
            else if (s.kind === 'play') r.addPlay(s.text);
            else if (s.kind === 'wait') r.addWait({ length: s.length, beep: s.beep });
            else {
              const d = r.addDial({ callerName: s.callerName, timeout: s.timeout, redirect: s.redirect });
              for (const n of s.numbers) d.addNumber(n);
            }
          }
        };
        const { ours, theirs } = both(build);
        assert.equal(ours, theirs);
      }),
      { numRuns: 300, seed: 0x5b0a2d },
    );
  });
});

describe('xml: where we differ from plivo on purpose', () => {
  it('keeps " escaped in attribute values so the output is well-formed', () => {
    const r = new Response();
    r.addDial({ callerName: 'Bob & "Co"' }).addNumber('1');
    assert.equal(r.toXML(), '<Response><Dial callerName="Bob &amp; &quot;Co&quot;"><Number>1</Number></Dial></Response>');
    const p = new PlivoResponse();
    p.addDial({ callerName: 'Bob & "Co"' }).addNumber('1');
    assert.equal(p.toXML(), '<Response><Dial callerName="Bob &amp; "Co""><Number>1</Number></Dial></Response>');
  });

  it('" in text is written as is, like plivo', () => {
    const { ours, theirs } = both((r) => r.addSpeak('say "hi"'));
    assert.equal(ours, '<Response><Speak>say "hi"</Speak></Response>');
    assert.equal(theirs, ours);
  });

  it('leaves out attributes set to undefined', () => {
    const r = new Response().addWait({ length: 2, beep: undefined });
    assert.equal(r.toXML(), '<Response><Wait length="2"/></Response>');
  });

  it('leaf methods chain on the same builder', () => {
    const xml = new Response().addSpeak('a').addPlay('https://x/y.mp3').addHangup().toXML();
    assert.equal(xml, '<Response><Speak>a</Speak><Play>https://x/y.mp3</Play><Hangup/></Response>');
  });

  it('child builders serialise their own fragment', () => {
    const dial = new Response().addDial({ timeout: 5 }).addNumber('1');
    assert.equal(dial.toXML(), '<Dial timeout="5"><Number>1</Number></Dial>');
  });
});

describe('xml: errors', () => {
  const fails = (fn: () => unknown, code: string, element: string, attribute: string | undefined, message: RegExp) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof XmlBuildError);
      assert.equal(err.code, code);
      assert.equal(err.element, element);
      assert.equal(err.attribute, attribute);
      assert.match(err.message, message);
      return true;
    });

  it('rejects attributes outside the whitelist, naming element and attribute', () => {
    fails(() => new Response().addDial({ callerID: '1' } as DialAttributes), 'XML_INVALID_ATTRIBUTE', 'Dial', 'callerID', /"callerID" is not a valid attribute of <Dial>/);
    fails(
      () => new Response().addDial().addNumber('1', { sipHeaders: 'a=b' } as object),
      'XML_INVALID_ATTRIBUTE',
      'Number',
      'sipHeaders',
      /allowed: sendDigits, sendOnPreanswer, sendDigitsMode, callerId, callerName/,
    );
  });

  it('rejects bad values', () => {
    fails(() => new Response().addWait({ length: Number.NaN }), 'XML_INVALID_VALUE', 'Wait', 'length', /finite number/);
    fails(() => new Response().addWait({ length: null as unknown as number }), 'XML_INVALID_VALUE', 'Wait', 'length', /got null/);
    fails(() => new Response().addSpeak('x', { voice: 'Robot' as 'MAN' }), 'XML_INVALID_VALUE', 'Speak', 'voice', /Polly/);
    fails(() => new Response().addHangup('busy' as unknown as object), 'XML_INVALID_VALUE', 'Hangup', undefined, /must be an object/);
  });

  it('rejects a missing or empty body', () => {
    fails(() => new Response().addSpeak(''), 'XML_MISSING_BODY', 'Speak', undefined, /non-empty string body, got ""/);
    fails(() => new Response().addPlay(undefined as unknown as string), 'XML_MISSING_BODY', 'Play', undefined, /got undefined/);
  });

  it('rejects characters XML cannot carry, with their position', () => {
    fails(() => new Response().addSpeak('ab\u0001'), 'XML_INVALID_CHARACTER', 'Speak', undefined, /U\+0001 at index 2 of the body of <Speak>/);
    fails(() => new Response().addDial({ callerName: '\uD800x' }), 'XML_INVALID_CHARACTER', 'Dial', 'callerName', /U\+D800 at index 0/);
  });
});
