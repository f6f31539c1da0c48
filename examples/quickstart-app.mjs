// The smallest app a Switchboard (or Plivo) call can talk to: it answers every call with a Dial to
// a simulated number and prints each webhook it receives. No dependencies: `node examples/quickstart-app.mjs`.
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? 3000);
const BASE = `http://127.0.0.1:${PORT}`;
const DIAL_TO = process.env.DIAL_TO ?? '+15550002';

const xml = {
  // timeout="20": a number that never answers gives DialStatus=no-answer after 20 s, before the
  // caller (on the default script, `ring 1s, answer, hangup after 30s`) hangs up and makes it `cancel`.
  '/answer': `<Response><Dial action="${BASE}/action" callbackUrl="${BASE}/callback" timeout="20"><Number>${DIAL_TO}</Number></Dial></Response>`,
  '/action': '<Response><Speak>Thank you, goodbye.</Speak></Response>',
};

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const path = new URL(req.url, BASE).pathname;
    const p = Object.fromEntries(new URLSearchParams(body));
    const keys = ['Event', 'CallStatus', 'DialAction', 'DialStatus', 'DialRingStatus', 'DialHangupCause', 'HangupCause', 'HangupCauseCode', 'Duration'];
    console.log(path.padEnd(10), keys.filter((k) => p[k] !== undefined).map((k) => `${k}=${p[k]}`).join(' '));
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(xml[path] ?? '<Response/>');
  });
}).listen(PORT, '127.0.0.1', () => console.log(`app listening on ${BASE}`));
