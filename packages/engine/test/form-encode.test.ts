/**
 * webhooks/form-encode.ts: a webhook's body (POST) or query (GET) is exactly what
 * `URLSearchParams` would write, for any parameters: generated ones, with every kind of character
 * (reserved, non-ASCII, astral, lone surrogates), and the escapes one by one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formEncode } from '../src/webhooks/form-encode.ts';

const reference = (params: Record<string, string>) => new URLSearchParams(params).toString();

test('formEncode writes what URLSearchParams writes, whatever the parameters', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\u00e9\u20ac\ud800\udc00') }));
  fc.assert(
    fc.property(fc.dictionary(text, text, { maxKeys: 8 }), (params) => {
      assert.equal(formEncode(params), reference(params));
    }),
    { numRuns: 2000 },
  );
});

test('each printable ASCII character, a space, non-ASCII and a lone surrogate, one by one', () => {
  const chars = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\u00e9', '\u20ac', '\ud83d\ude00', '\ud800', '\udc00', '\n', '\u0000'];
  for (const c of chars) assert.equal(formEncode({ [`k${c}`]: `v${c}v` }), reference({ [`k${c}`]: `v${c}v` }), JSON.stringify(c));
  assert.equal(formEncode({}), '');
  assert.equal(formEncode({ CallUUID: 'a-b', To: '+1 555', Empty: '' }), 'CallUUID=a-b&To=%2B1+555&Empty=');
});
