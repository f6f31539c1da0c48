/**
 * Every XML element the interpreter runs (plivo.md §4.2), end to end: the real engine on the
 * simulated network and the virtual clock, a real app server, exact virtual times. Media times on
 * the simulated network: Speak = words / 150 a minute (at least 1 s) x loop, Play = 5 s x loop.
 * Every test ends by checking that each webhook carries a V3 signature the official SDK accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, pick, AUTH_TOKEN, type Harness, type HarnessOptions } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';
import type { SimulatedLeg } from '../src/network/simulated/index.ts';
import { formatTime } from '../src/util/time.ts';

const A = '15551110001';
const N = '15553330001';
const CALLER = '15559990001';
const HANGUP_KEYS = ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration'];

async function withRig(fn: (h: Harness) => Promise<void>, opts: HarnessOptions = {}): Promise<void> {
  const h = await startHarness(opts);
  try {
    await fn(h);
    h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    await h.close();
  }
}

/** `path@seconds` for every request, in arrival order. */
function seq(h: Harness): string[] {
  return h.app.requests().map((r) => `${r.path}@${h.at(r)}`);
}

function doc(body: string): string {
  return `<Response>${body}</Response>`;
}

/** Places the common outbound call (scenarios.md) to A, whose app answers with `body`, and waits until it is over. */
async function runCall(h: Harness, body: string, aScript = 'ring 1s, answer', params: Record<string, unknown> = {}): Promise<CapturedRequest> {
  await h.sim(A, aScript);
  h.app.on('/answer', doc(body));
  const res = await h.call({ to: A, ...params });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [hangup] = await h.waitFor('/hangup');
  await h.settle();
  return hangup!;
}

/** `YYYY-MM-DD HH:MM:SS+00:00` of virtual second `s` of the rig. */
function timeAt(h: Harness, s: number): string {
  return formatTime(h.clock.now() - h.t() * 1000 + s * 1000);
}

async function cdr(h: Harness, uuid: string): Promise<any> {
  const res = await h.api('GET', `Call/${uuid}/`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

// ---------------------------------------------------------------- Speak, Play, Wait

test('Speak lasts words / 150 a minute, at least 1 s, times loop', async () => {
  await withRig(async (h) => {
    const r = (p: string) => `<Redirect>${h.app.url(p)}</Redirect>`;
    // 5 words = 2 s; 3 words = 1.2 s; 1 word = 0.4 s, raised to 1 s, looped 3 times.
    h.app.on('/r1', doc(`<Speak>one two three</Speak>${r('/r2')}`));
    h.app.on('/r2', doc(`<Speak loop="3">hello</Speak>${r('/r3')}`));
    h.app.on('/r3', doc('<Speak loop="2">one two three four five six seven eight nine ten</Speak>'));
    const hangup = await runCall(h, `<Speak>one two three four five</Speak>${r('/r1')}`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/r1@3', '/r2@4.2', '/r3@7.2', '/hangup@15.2']);
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource', 'Duration']), { HangupCauseCode: '4010', HangupSource: 'Plivo', Duration: '14' });
  });
});

test('Play lasts the configured play length (5 s) times loop', async () => {
  await withRig(async (h) => {
    h.app.on('/r1', doc('<Play loop="3">https://media.example.com/b.mp3</Play>'));
    await runCall(h, `<Play>https://media.example.com/a.mp3</Play><Redirect>${h.app.url('/r1')}</Redirect>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/r1@6', '/hangup@21']);
  });
});

test('Play length follows --play-length', async () => {
  await withRig(
    async (h) => {
      await runCall(h, '<Play loop="2">https://media.example.com/a.mp3</Play>');
      assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@5']);
    },
    { flags: { 'play-length': '2s' } },
  );
});

test('Play loop="0" holds the call until time_limit ends it', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Play loop="0">https://media.example.com/a.mp3</Play><Speak>never spoken</Speak>', 'ring 1s, answer', { time_limit: 30 });
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@31']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'ALLOTTED_TIMEOUT',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Plivo',
      Duration: '30',
    });
  });
});

test('Speak loop="0" holds the call until the far end hangs up', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Speak loop="0">hold the line</Speak><Redirect>http://127.0.0.1:9/never</Redirect>', 'ring 1s, answer, hangup after 12s');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@13']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Caller',
      Duration: '12',
    });
  });
});

test('Wait: length seconds (default 1); silence="true" ends after minSilence, capped by length', async () => {
  await withRig(async (h) => {
    const r = (p: string) => `<Redirect>${h.app.url(p)}</Redirect>`;
    h.app.on('/r1', doc(`<Wait/>${r('/r2')}`));
    h.app.on('/r2', doc(`<Wait length="10" silence="true" minSilence="2500"/>${r('/r3')}`));
    h.app.on('/r3', doc('<Wait length="2" silence="true" minSilence="5000"/>'));
    await runCall(h, `<Wait length="3"/>${r('/r1')}`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/r1@4', '/r2@5', '/r3@7.5', '/hangup@9.5']);
  });
});

// ---------------------------------------------------------------- Hangup

test('<Hangup/> ends the call at once: 4000 Normal Hangup, source Answer XML', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Speak>goodbye now</Speak><Hangup/><Speak>never spoken</Speak>');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@2']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Answer XML',
      Duration: '1',
    });
  });
});

test('<Hangup schedule="5"> hangs up 5 s later while the next elements (and a Redirect) run; its reason is ignored', async () => {
  await withRig(async (h) => {
    h.app.on('/next', doc('<Wait length="60"/>'));
    const hangup = await runCall(h, `<Hangup schedule="5" reason="busy"/><Speak>hello</Speak><Redirect>${h.app.url('/next')}</Redirect>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/next@2', '/hangup@6']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Answer XML',
      Duration: '5',
    });
  });
});

test('a scheduled hangup that outlives the document: the document ending ends the call first', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Hangup schedule="5"/><Speak>hello</Speak>');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@2']);
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource']), { HangupCauseCode: '4010', HangupSource: 'Plivo' });
  });
});

test('<Hangup reason="busy"/> on an answered call is a normal hangup: the reason only rejects unanswered calls', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Wait length="2"/><Hangup reason="busy"/>');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@3']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Answer XML',
      Duration: '2',
    });
  });
});

// ---------------------------------------------------------------- Redirect

test('Redirect (POST, the default): Event=Redirect, the new document replaces the rest', async () => {
  await withRig(async (h) => {
    h.app.on('/next', doc('<Wait length="2"/>'));
    const hangup = await runCall(h, `<Wait length="1"/><Redirect>${h.app.url('/next')}</Redirect><Speak>never spoken</Speak><Wait length="60"/>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/next@2', '/hangup@4']);
    const next = h.app.requests('/next')[0]!;
    const answer = h.app.requests('/answer')[0]!;
    assert.equal(next.method, 'POST');
    assert.deepEqual(pick(next, ['Event', 'CallStatus', 'Direction', 'CallUUID', 'From', 'To']), {
      Event: 'Redirect',
      CallStatus: 'in-progress',
      Direction: 'outbound',
      CallUUID: answer.params.CallUUID,
      From: '15550000000',
      To: A,
    });
    assert.equal(hangup.params.HangupCauseCode, '4010');
  });
});

test('Redirect method="GET": the parameters ride in the query, merged with the URL\'s own', async () => {
  await withRig(async (h) => {
    h.app.on('/next', doc('<Speak>hello</Speak>'));
    await runCall(h, `<Redirect method="GET">${h.app.url('/next')}?step=2</Redirect><Wait length="60"/>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/next@1', '/hangup@2']);
    const next = h.app.requests('/next')[0]!;
    assert.equal(next.method, 'GET');
    assert.equal(next.rawBody, '');
    assert.deepEqual(pick(next, ['step', 'Event', 'CallStatus', 'To']), { step: '2', Event: 'Redirect', CallStatus: 'in-progress', To: A });
  });
});

test('a Redirect whose URL answers 500 twice ends the call: 5020 Action URL Failed', async () => {
  await withRig(async (h) => {
    h.app.on('/next', { status: 500 });
    const hangup = await runCall(h, `<Speak>hello</Speak><Redirect>${h.app.url('/next')}</Redirect><Speak>never spoken</Speak>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/next@2', '/next@2', '/hangup@2']);
    assert.deepEqual(pick(hangup, HANGUP_KEYS), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_TEMPORARY_FAILURE',
      HangupCauseCode: '5020',
      HangupCauseName: 'Action URL Failed',
      HangupSource: 'Error',
      Duration: '1',
    });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.match(call.error, /^redirect http:\/\/127\.0\.0\.1:\d+\/next: /);
  });
});

test('invalid XML from a Redirect URL ends the call with 5020 and the error is stored', async () => {
  await withRig(async (h) => {
    h.app.on('/next', '<Response><Speak>unclosed</Response>');
    const hangup = await runCall(h, `<Redirect>${h.app.url('/next')}</Redirect><Speak>never spoken</Speak>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/next@1', '/hangup@1']);
    assert.deepEqual(pick(hangup, ['HangupCause', 'HangupCauseCode', 'HangupSource']), {
      HangupCause: 'NORMAL_TEMPORARY_FAILURE',
      HangupCauseCode: '5020',
      HangupSource: 'Error',
    });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.match(call.error, /^redirect http:\/\/127\.0\.0\.1:\d+\/next: invalid XML: /);
  });
});

test('a document that redirects to itself stops after 1000 documents instead of spinning', async () => {
  await withRig(async (h) => {
    h.app.on('/loop', () => doc(`<Redirect>${h.app.url('/loop')}</Redirect>`));
    // A thousand real HTTP round trips: on a loaded machine that is more than waitFor's usual 10 s.
    await h.sim(A, 'ring 1s, answer');
    h.app.on('/answer', doc(`<Redirect>${h.app.url('/loop')}</Redirect>`));
    assert.equal((await h.call({ to: A })).status, 201);
    await h.app.waitFor((r) => r.path === '/hangup', 120_000);
    await h.settle();
    const hangup = h.app.requests('/hangup')[0]!;
    // The answer's document is the first; the 1000th goto is refused.
    assert.equal(h.app.requests('/loop').length, 1000);
    assert.ok(h.app.requests('/loop').every((r) => h.at(r) === 1));
    assert.equal(h.at(hangup), 1);
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupCauseName', 'HangupSource']), {
      HangupCauseCode: '5020',
      HangupCauseName: 'Action URL Failed',
      HangupSource: 'Error',
    });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.deepEqual(call.warnings, ['more than 1000 documents in one call: stopping (a Redirect loop?)']);
  });
});

test('a Redirect loop that takes time stops fetching once the call has ended (plivo.md §9, "Redirect loops")', async () => {
  await withRig(async (h) => {
    h.app.on('/loop', () => doc(`<Wait length="2"/><Redirect>${h.app.url('/loop')}</Redirect>`));
    const hangup = await runCall(h, `<Redirect>${h.app.url('/loop')}</Redirect>`, 'ring 1s, answer', { time_limit: 6 });
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/loop@1', '/loop@3', '/loop@5', '/hangup@7']);
    assert.deepEqual(pick(hangup, ['HangupCause', 'HangupSource']), { HangupCause: 'ALLOTTED_TIMEOUT', HangupSource: 'Plivo' });
    const events = await h.engine.store.listEvents(hangup.params.CallUUID!);
    assert.equal(events.filter((e) => e.type === 'webhook.redirect').length, 3);
  });
});

// ---------------------------------------------------------------- GetDigits

const KEYS_SCRIPT = 'ring 1s, answer, digits 123# after 2s';

test('GetDigits: the keys up to finishOnKey "#" go to the action (Event=Redirect), whose XML replaces the rest', async () => {
  await withRig(async (h) => {
    h.app.on('/digits', doc('<Speak>thank you</Speak>'));
    const hangup = await runCall(
      h,
      `<GetDigits action="${h.app.url('/digits')}"><Speak>enter your code</Speak></GetDigits><Speak>never spoken</Speak><Wait length="60"/>`,
      KEYS_SCRIPT,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@3', '/hangup@4']);
    const digits = h.app.requests('/digits')[0]!;
    assert.equal(digits.method, 'POST');
    assert.deepEqual(pick(digits, ['Event', 'Digits', 'CallStatus', 'Direction', 'To']), {
      Event: 'Redirect',
      Digits: '123',
      CallStatus: 'in-progress',
      Direction: 'outbound',
      To: A,
    });
    assert.equal(hangup.params.HangupCauseCode, '4010');
  });
});

test('GetDigits numDigits="2" stops after two keys', async () => {
  await withRig(async (h) => {
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" numDigits="2"><Speak>enter</Speak></GetDigits>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@3', '/hangup@3']);
    assert.equal(h.app.requests('/digits')[0]!.params.Digits, '12');
  });
});

test('GetDigits finishOnKey="2" ends on that key; finishOnKey="" keeps "#" and waits out digitTimeout', async () => {
  await withRig(async (h) => {
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" finishOnKey="2"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@3', '/hangup@3']);
    assert.equal(h.app.requests('/digits')[0]!.params.Digits, '1');
  });
  await withRig(async (h) => {
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" finishOnKey="" digitTimeout="4"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@7', '/hangup@7']);
    assert.equal(h.app.requests('/digits')[0]!.params.Digits, '123#');
  });
  // digitTimeout defaults to timeout (docs/xml.md, "Where Switchboard decides for itself").
  await withRig(async (h) => {
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" finishOnKey="" timeout="3"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@6', '/hangup@6']);
    assert.equal(h.app.requests('/digits')[0]!.params.Digits, '123#');
  });
});

test('GetDigits without input: after the prompt and the timeout the next element runs, no action request', async () => {
  await withRig(async (h) => {
    h.app.on('/after', doc(''));
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" timeout="3"><Speak>enter</Speak></GetDigits><Redirect>${h.app.url('/after')}</Redirect>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/after@5', '/hangup@5']);
  });
});

test('GetDigits redirect="false": the action is notified, its XML ignored, and the document goes on', async () => {
  await withRig(async (h) => {
    h.app.on('/digits', doc('<Hangup/>'));
    const hangup = await runCall(h, `<GetDigits action="${h.app.url('/digits')}" redirect="false"/><Wait length="2"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@3', '/hangup@5']);
    assert.deepEqual(pick(h.app.requests('/digits')[0]!, ['Event', 'Digits']), { Event: 'Redirect', Digits: '123' });
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource']), { HangupCauseCode: '4010', HangupSource: 'Plivo' });
  });
});

test('GetDigits retries="2" plays the prompt again and takes keys pressed during the second attempt', async () => {
  const xml = (h: Harness, retries: number) =>
    `<GetDigits action="${h.app.url('/digits')}" timeout="2" numDigits="1" retries="${retries}"><Speak>enter</Speak></GetDigits><Wait length="1"/>`;
  // First attempt: prompt 1 s + 2 s, from t=1 to t=4; the key comes at t=6, in the second.
  await withRig(async (h) => {
    await runCall(h, xml(h, 2), 'ring 1s, answer, digits 7 after 5s');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@6', '/hangup@6']);
    assert.equal(h.app.requests('/digits')[0]!.params.Digits, '7');
  });
  await withRig(async (h) => {
    await runCall(h, xml(h, 1), 'ring 1s, answer, digits 7 after 5s');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@5']);
  });
});

test('GetDigits validDigits: a key outside them fails the attempt; without retries the next element runs', async () => {
  await withRig(async (h) => {
    await runCall(h, `<GetDigits action="${h.app.url('/digits')}" validDigits="12#"/><Wait length="2"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@5']);
  });
});

test('GetDigits: an action that fails after its retry ends the call with 5020', async () => {
  await withRig(async (h) => {
    h.app.on('/digits', { status: 500 });
    const hangup = await runCall(h, `<GetDigits action="${h.app.url('/digits')}"/><Wait length="60"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/digits@3', '/digits@3', '/hangup@3']);
    assert.deepEqual(pick(hangup, ['HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource']), {
      HangupCause: 'NORMAL_TEMPORARY_FAILURE',
      HangupCauseCode: '5020',
      HangupCauseName: 'Action URL Failed',
      HangupSource: 'Error',
    });
  });
});

test('GetDigits: the far end hanging up while keys are awaited ends the call; no action request', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, `<GetDigits action="${h.app.url('/digits')}" timeout="10"/><Speak>never spoken</Speak>`, 'ring 1s, answer, hangup after 3s');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@4']);
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource', 'Duration']), { HangupCauseCode: '4000', HangupSource: 'Caller', Duration: '3' });
  });
});

// ---------------------------------------------------------------- GetInput

test('GetInput inputType="dtmf": Digits and InputType=dtmf go to the action', async () => {
  await withRig(async (h) => {
    await runCall(h, `<GetInput action="${h.app.url('/input')}" inputType="dtmf"><Speak>enter</Speak></GetInput><Wait length="60"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/input@3', '/hangup@3']);
    assert.deepEqual(pick(h.app.requests('/input')[0]!, ['Event', 'Digits', 'InputType']), { Event: 'Redirect', Digits: '123', InputType: 'dtmf' });
  });
});

test('GetInput inputType="speech" is skipped with a warning shown by GET /Call/{uuid}/', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, `<GetInput action="${h.app.url('/input')}" inputType="speech"><Speak>say something</Speak></GetInput><Wait length="2"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@3']);
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.deepEqual(call.warnings, ['GetInput: speech input is not supported by Switchboard; element skipped']);
  });
});

test('GetInput without input: the next element runs after the prompt and executionTimeout', async () => {
  await withRig(async (h) => {
    h.app.on('/after', doc(''));
    await runCall(h, `<GetInput action="${h.app.url('/input')}" inputType="dtmf" executionTimeout="5"><Speak>enter</Speak></GetInput><Redirect>${h.app.url('/after')}</Redirect>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/after@7', '/hangup@7']);
  });
});

test('GetInput inputType="dtmf speech" listens for keys, with a warning that speech is not heard', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, `<GetInput action="${h.app.url('/input')}" inputType="dtmf speech"/>`, KEYS_SCRIPT);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/input@3', '/hangup@3']);
    assert.deepEqual(pick(h.app.requests('/input')[0]!, ['Digits', 'InputType']), { Digits: '123', InputType: 'dtmf' });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.deepEqual(call.warnings, ['GetInput: speech input is not supported; listening for keys only']);
  });
});

test('GetInput executionTimeout caps the whole collection: keys cannot stretch it past the window', async () => {
  await withRig(async (h) => {
    // The window is t=1..6 (no prompt); keys at t=3 and t=7, digitEndTimeout 5 s.
    await runCall(
      h,
      `<GetInput action="${h.app.url('/input')}" inputType="dtmf" executionTimeout="5" digitEndTimeout="5"/>`,
      'ring 1s, answer, digits 1 after 2s, digits 2 after 6s',
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/input@6', '/hangup@6']);
    assert.equal(h.app.requests('/input')[0]!.params.Digits, '1');
  });
});

// ---------------------------------------------------------------- DTMF

/** The A leg's network leg while the call is up. */
function aLeg(h: Harness, callUuid: string): SimulatedLeg {
  const live = h.engine.registry.get(callUuid);
  assert.ok(live?.leg.network, 'the call is live');
  const leg = h.engine.network.getLeg(live.leg.network.id);
  assert.ok(leg);
  return leg;
}

test('DTMF: the digits reach the A leg; async (the default) takes no time, async="false" waits them out', async () => {
  await withRig(async (h) => {
    const seen: string[][] = [];
    const check = (next: string) => (req: CapturedRequest) => {
      seen.push([...aLeg(h, req.params.CallUUID!).sentDigits]);
      return doc(next);
    };
    h.app.on('/check1', check(`<DTMF>45</DTMF><Redirect>${h.app.url('/check2')}</Redirect>`));
    h.app.on('/check2', check(`<DTMF async="false">12w3</DTMF><Redirect>${h.app.url('/check3')}</Redirect>`));
    h.app.on('/check3', check(''));
    await runCall(h, `<Redirect>${h.app.url('/check1')}</Redirect>`);
    // 12w3: three keys of 100 ms and a 500 ms pause.
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/check1@1', '/check2@1', '/check3@1.8', '/hangup@1.8']);
    assert.deepEqual(seen, [[], ['45'], ['45', '12w3']]);
  });
});

// ---------------------------------------------------------------- PreAnswer

/** A rig whose number N answers inbound calls with the app's /answer and reports to /hangup. */
async function withInboundRig(fn: (h: Harness) => Promise<void>): Promise<void> {
  let rig: Harness | undefined;
  await withRig(
    async (h) => {
      rig = h;
      await fn(h);
    },
    {
      inboundRouter: async (to) =>
        to === N && rig ? { answerUrl: rig.app.url('/answer'), answerMethod: 'POST', hangupUrl: rig.app.url('/hangup') } : undefined,
    },
  );
}

async function placeInbound(h: Harness, body: string, script?: string): Promise<CapturedRequest> {
  h.app.on('/answer', doc(body));
  const res = await h.api('POST', 'Simulator/Call/', { from: `+${CALLER}`, to: `+${N}`, ...(script !== undefined && { script }) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [hangup] = await h.waitFor('/hangup');
  await h.settle();
  return hangup!;
}

test('PreAnswer: its children run before an inbound call is answered; the answer comes after them', async () => {
  await withInboundRig(async (h) => {
    // PreAnswer: Speak 2 words (1 s) + Wait 2 s; then the Speak answers the call at t=3 and lasts 1 s.
    const hangup = await placeInbound(h, '<PreAnswer><Speak>please hold</Speak><Wait length="2"/></PreAnswer><Speak>hello</Speak>');
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@4']);
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCauseCode', 'Duration', 'StartTime', 'AnswerTime', 'EndTime']), {
      CallStatus: 'completed',
      HangupCauseCode: '4010',
      Duration: '1',
      StartTime: timeAt(h, 0),
      AnswerTime: timeAt(h, 3),
      EndTime: timeAt(h, 4),
    });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.equal(call.answer_time, hangup.params.AnswerTime);
  });
});

// ---------------------------------------------------------------- what the interpreter cannot run

test('<MultiPartyCall> is skipped with a warning; the document goes on (Record: record.test.ts, Conference: conference.test.ts)', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Record maxLength="2"/><MultiPartyCall role="Agent">mpc</MultiPartyCall><Speak>still here</Speak>');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@4']);
    assert.equal(hangup.params.HangupCauseCode, '4010');
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.deepEqual(call.warnings, [
      '<MultiPartyCall> is not supported by Switchboard and was skipped (line 1, column 34)',
    ]);
  });
});

test('an unknown attribute is ignored with a warning and the element runs', async () => {
  await withRig(async (h) => {
    const hangup = await runCall(h, '<Speak colour="blue" loop="2">hello</Speak>');
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@3']);
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.equal(call.warnings.length, 1);
    assert.match(call.warnings[0], /^answer http:\/\/127\.0\.0\.1:\d+\/answer: Speak: unknown attribute "colour" ignored \(line 1, column 18\)$/);
  });
});
