/**
 * Writing SIP messages, strictly (RFC 3261 §7): CRLF line ends, one header per line in long form,
 * canonical capitalisation, and a Content-Length that always matches the body's bytes.
 */
import { spell, type SipMessage } from './message.ts';

/** The message as it goes on the wire, as text (UTF-8 when encoded). */
export function serializeText(msg: SipMessage): string {
  return serializeHead(msg) + msg.body;
}

/**
 * Everything before the body, the blank line included. What a transaction keeps to resend, with
 * the body string it already shares with its leg: one flat string costs less than the parsed
 * message and the request strings it shares.
 */
export function serializeHead(msg: SipMessage): string {
  // One string and one encode: the head and the body used to be encoded apart and concatenated.
  let text = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const [name, value] of msg.headers) {
    if (name === 'content-length') continue;
    // CR/LF inside a value would forge headers: never let one through (looked for first: almost no value has one).
    const safe = value.indexOf('\r') < 0 && value.indexOf('\n') < 0 ? value : value.replace(/[\r\n]+/g, ' ');
    text += `${spell(name)}: ${safe}\r\n`;
  }
  return text + `Content-Length: ${Buffer.byteLength(msg.body, 'utf8')}\r\n\r\n`;
}

export function serialize(msg: SipMessage): Buffer {
  return Buffer.from(serializeText(msg), 'utf8');
}
