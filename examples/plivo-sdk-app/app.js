// The seed's Express app (seed 000, "Create a Express Server for Dial Status Reporting"), plain
// JavaScript with the official `plivo` package, as you would run it against Plivo. Nothing in it
// names Switchboard: the engine reaches it through the answer URL, and its own API calls (none
// here; see make-call.js) go to the engine through `--require @switchboard/sdk/redirect`.
//
// Three changes from the seed, each a fix that Plivo needs too (README.md):
//  - `request.param()` is gone in Express 5: parameters are read from the parsed body or query;
//  - the outcome is `DialStatus` (Plivo sends no `Status` parameter);
//  - the action request is answered with XML (redirect="true" makes the call wait for it),
//    after checking its X-Plivo-Signature-V3 with plivo.validateV3Signature.
var plivo = require('plivo');
var express = require('express');
var app = express();

var AUTH_TOKEN = process.env.PLIVO_AUTH_TOKEN;
var PUBLIC_URL = process.env.PUBLIC_URL; // e.g. your ngrok URL; else taken from the request
var DIAL_TO = process.env.DIAL_TO || '+15671234567';

app.set('port', process.env.PORT || 5000);
app.use(express.urlencoded({ extended: false }));

function baseUrl(request) {
  return PUBLIC_URL ? PUBLIC_URL.replace(/\/+$/, '') : request.protocol + '://' + request.get('host');
}

// POST webhooks carry their parameters in the body, GET ones in the query.
function params(request) {
  return request.method === 'GET' ? {} : request.body || {};
}

function validSignature(request) {
  var signature = request.get('X-Plivo-Signature-V3');
  var nonce = request.get('X-Plivo-Signature-V3-Nonce');
  if (!signature || !nonce || !AUTH_TOKEN) return false;
  var method = request.method === 'GET' ? 'GET' : 'POST';
  return plivo.validateV3Signature(method, baseUrl(request) + request.originalUrl, nonce, AUTH_TOKEN, signature, params(request));
}

app.all('/dialstatus/', function (request, response) {
  var r = plivo.Response();
  var dial = r.addDial({
    action: baseUrl(request) + '/dialstatus/action/',
    method: 'POST',
    redirect: 'true',
  });
  dial.addNumber(DIAL_TO);
  response.set({ 'Content-Type': 'text/xml' });
  response.end(r.toXML());
});

app.all('/dialstatus/action/', function (request, response) {
  if (!validSignature(request)) {
    response.status(403).send('invalid signature');
    return;
  }
  var p = request.method === 'GET' ? request.query : request.body;
  var status = p.DialStatus;
  var aleg = p.DialALegUUID;
  var bleg = p.DialBLegUUID;
  console.log('DialStatus : ' + status + ' Aleg UUID : ' + aleg + ' Bleg UUID : ' + (bleg || '(none)'));

  var r = plivo.Response();
  if (status === 'completed') {
    r.addSpeak('Thank you for calling. Goodbye.');
  } else {
    r.addSpeak('The number you called did not answer. Goodbye.');
    r.addHangup();
  }
  response.set({ 'Content-Type': 'text/xml' });
  response.end(r.toXML());
});

app.listen(app.get('port'), process.env.HOST || '127.0.0.1', function () {
  console.log('Node app is running on port', app.get('port'));
});
