/**
 * Writing SIP messages, strictly (RFC 3261 §7): CRLF line ends, one header per line in long form,
 * canonical capitalisation, and a Content-Length that always matches the body's bytes.
 */
import { spell, type SipMessage } from './message.ts';

export function serialize(msg: SipMessage): Buffer {
  const lines: string[] = [msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`];
  for (const [name, value] of msg.headers) {
    if (name === 'content-length') continue;
    // CR/LF inside a value would forge headers: never let one through.
    lines.push(`${spell(name)}: ${value.replace(/[\r\n]+/g, ' ')}`);
  }
  const body = Buffer.from(msg.body, 'utf8');
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), body]);
}
