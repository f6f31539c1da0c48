// Places a call with the official `plivo` package and prints what the Call API reports, the way
// a Plivo user scripts it. Credentials come from PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN. Run it with
// `node --require @switchboard/sdk/redirect make-call.js` and SWITCHBOARD_URL set: every request
// below then goes to the engine instead of api.plivo.com.
var plivo = require('plivo');

var client = new plivo.Client();
var FROM = process.env.FROM || '+15550000000';
var TO = process.env.TO || '+15550001';
var ANSWER_URL = process.env.ANSWER_URL || 'http://127.0.0.1:5000/dialstatus/';

function sleep(ms) {
  return new Promise(function (resolve) {
    setTimeout(resolve, ms);
  });
}

async function main() {
  var created = await client.calls.create(FROM, TO, ANSWER_URL, { answerMethod: 'POST' });
  console.log('created: ' + created.message + ' request_uuid=' + created.requestUuid);

  // Wait for the call (and the Dial inside it) to end.
  var live;
  for (var i = 0; i < 600; i++) {
    await sleep(100);
    live = await client.calls.listLiveCalls({});
    if (live.length === 0) break;
  }

  // The A leg is the call to TO; the Dial's B leg lists with it, its parent_call_uuid set.
  var page = await client.calls.list({ limit: 20 });
  var aleg = page.find(function (c) {
    return c.toNumber.replace(/^\+/, '') === TO.replace(/^\+/, '') && c.parentCallUuid === null;
  });
  var cdr = await client.calls.get(aleg.callUuid);
  console.log('A leg: ' + cdr.callUuid + ' ' + cdr.callState + ' duration=' + cdr.callDuration + 's cause=' + cdr.hangupCauseName);
  page
    .filter(function (c) {
      return c.parentCallUuid === aleg.callUuid;
    })
    .forEach(function (b) {
      console.log('B leg: ' + b.callUuid + ' to ' + b.toNumber + ' duration=' + b.callDuration + 's cause=' + b.hangupCauseName);
    });
}

main().catch(function (err) {
  console.error(err);
  process.exitCode = 1;
});
