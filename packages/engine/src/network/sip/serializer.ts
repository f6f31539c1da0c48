/**
 * Writing SIP messages, strictly (RFC 3261 §7): CRLF line ends, one header per line in long form,
 * canonical capitalisation, and a Content-Length that always matches the body's bytes.
 */
import { spell, type SipMessage } from './message.ts';

export function serialize(msg: SipMessage): Buffer {
  // One string and one encode: the head and the body used to be encoded apart and concatenated.
  let text = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const [name, value] of msg.headers) {
    if (name === 'content-length') continue;
    // CR/LF inside a value would forge headers: never let one through (looked for first: almost no value has one).
    const safe = value.indexOf('\r') < 0 && value.indexOf('\n') < 0 ? value : value.replace(/[\r\n]+/g, ' ');
    text += `${spell(name)}: ${safe}\r\n`;
  }
  text += `Content-Length: ${Buffer.byteLength(msg.body, 'utf8')}\r\n\r\n`;
  return Buffer.from(text + msg.body, 'utf8');
}
