'use strict';
/**
 * `@switchboard/sdk/redirect` — makes unchanged Plivo code talk to Switchboard.
 *
 * Preload it and point `SWITCHBOARD_URL` at the engine:
 *
 * @example
 * ```sh
 * SWITCHBOARD_URL=http://127.0.0.1:8080 node --require @switchboard/sdk/redirect app.js
 * # or, for every node process of a shell:
 * export NODE_OPTIONS="--require @switchboard/sdk/redirect" SWITCHBOARD_URL=http://127.0.0.1:8080
 * ```
 *
 * Why a preload and not a client option: the official `plivo` package builds the URL of every
 * voice request from a hard-coded `https://api.plivo.com/v1/Account/` and ignores `options.url`
 * for them (plivo.md §7.3). This module takes option 3 of §7.3: it wraps Node's `https.request`
 * and `https.get`, and a request for `api.plivo.com` or `phlorunner.plivo.com` goes to
 * `SWITCHBOARD_URL` instead — plain HTTP, or HTTPS when the URL says `https:` — with its method,
 * path (after the URL's own path prefix, if any), headers and body unchanged. Every other request
 * passes through untouched. It works because axios (through follow-redirects) looks
 * `https.request` up on the module object at the moment of each request.
 *
 * CommonJS on purpose: `node --require` loads CommonJS, and it must run before the app's code.
 * Without `SWITCHBOARD_URL` it changes nothing and says so on stderr, so a forgotten variable is
 * not a silent call to the real Plivo.
 * @module
 */
const http = require('node:http');
const https = require('node:https');
const { syncBuiltinESMExports } = require('node:module');
const { urlToHttpOptions } = require('node:url');

/** The hosts the official SDKs call (plivo.md §7.2-§7.3). */
const PLIVO_HOSTS = Object.freeze(['api.plivo.com', 'phlorunner.plivo.com']);

/** @type {{ request: typeof https.request, get: typeof https.get, target: URL } | undefined} */
let installed;

/**
 * Splits the `(url?, options?, callback?)` arguments of `https.request` into one options object.
 * @param {unknown[]} args
 * @returns {{ options: import('node:https').RequestOptions, callback: Function | undefined }}
 */
function normalise(args) {
  /** @type {import('node:https').RequestOptions} */
  let options = {};
  let callback;
  for (const arg of args) {
    if (typeof arg === 'string') options = { ...urlToHttpOptions(new URL(arg)), ...options };
    else if (arg instanceof URL) options = { ...urlToHttpOptions(arg), ...options };
    else if (typeof arg === 'function') callback = arg;
    else if (arg !== null && typeof arg === 'object') options = { ...options, ...arg };
  }
  return { options, callback };
}

/** @param {import('node:https').RequestOptions} options */
function hostOf(options) {
  if (typeof options.hostname === 'string') return options.hostname.toLowerCase();
  // `host` may carry a port (`api.plivo.com:443`).
  return typeof options.host === 'string' ? options.host.replace(/:\d+$/, '').toLowerCase() : '';
}

/** Agents for the engine: one per protocol, keep-alive (idle sockets do not hold the process open). */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * Rewrites options aimed at a Plivo host so they reach `target`.
 * @param {import('node:https').RequestOptions} options
 * @param {URL} target
 */
function retarget(options, target) {
  const prefix = target.pathname.replace(/\/+$/, '');
  const tls = target.protocol === 'https:';
  /** @type {import('node:https').RequestOptions} */
  const out = {
    ...options,
    protocol: target.protocol,
    hostname: target.hostname.replace(/^\[|\]$/g, ''),
    host: undefined,
    port: Number(target.port || (tls ? 443 : 80)),
    path: prefix + (options.path ?? '/'),
    // The caller's agent was made for api.plivo.com over TLS; plain HTTP cannot use an https.Agent.
    agent: agents[target.protocol],
  };
  // TLS to the engine checks the engine's name, not Plivo's.
  if (tls) out.servername = /^[\d.]+$|:/.test(out.hostname ?? '') ? undefined : out.hostname;
  else delete out.servername;
  return out;
}

/**
 * Installs the redirect. Called on load when `SWITCHBOARD_URL` is set; exported for programs that
 * prefer to call it themselves. Throws when already installed or when `url` is not http(s).
 * @param {string} url the engine, e.g. `http://127.0.0.1:8080`
 * @param {readonly string[]} [hosts] the hosts to redirect (default: Plivo's API hosts)
 */
function install(url, hosts = PLIVO_HOSTS) {
  if (installed !== undefined) throw new Error('@switchboard/sdk/redirect: already installed');
  let target;
  try {
    target = new URL(url);
  } catch {
    throw new Error(`@switchboard/sdk/redirect: SWITCHBOARD_URL is not a URL: ${JSON.stringify(url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`@switchboard/sdk/redirect: SWITCHBOARD_URL must be http: or https: (got ${target.protocol})`);
  }
  const lower = hosts.map((h) => h.toLowerCase());
  const original = { request: https.request, get: https.get };

  /** @type {typeof https.request} */
  const request = function request(...args) {
    const { options, callback } = normalise(args);
    if (!lower.includes(hostOf(options))) return original.request.apply(https, /** @type {any} */ (args));
    const moved = retarget(options, target);
    const send = target.protocol === 'https:' ? original.request : http.request;
    return callback ? send(moved, /** @type {any} */ (callback)) : send(moved);
  };
  /** @type {typeof https.get} */
  const get = function get(...args) {
    const req = request(...args);
    req.end();
    return req;
  };
  https.request = request;
  https.get = get;
  bypassProxy(lower);
  // ESM code that did `import { request } from 'node:https'` sees the wrapped functions too.
  syncBuiltinESMExports();
  installed = { ...original, target };
}

/**
 * axios honours HTTPS_PROXY: it would then send `CONNECT api.plivo.com:443` to the proxy instead of
 * calling `https.request` for api.plivo.com, and the redirect would never see the request. Listing
 * the hosts in NO_PROXY (read by axios at each request) keeps them direct, hence redirectable.
 * @param {readonly string[]} hosts
 */
function bypassProxy(hosts) {
  const current = process.env.no_proxy || process.env.NO_PROXY || '';
  if (current.trim() === '*') return;
  const listed = current.split(/[\s,]+/).filter(Boolean);
  const value = [...listed, ...hosts.filter((h) => !listed.includes(h))].join(',');
  process.env.no_proxy = value;
  process.env.NO_PROXY = value;
}

/** Puts the original `https.request` / `https.get` back. */
function uninstall() {
  if (installed === undefined) return;
  https.request = installed.request;
  https.get = installed.get;
  syncBuiltinESMExports();
  installed = undefined;
}

/** The engine requests are sent to, or undefined when not installed. */
function target() {
  return installed?.target.href;
}

module.exports = { PLIVO_HOSTS, install, uninstall, target };

const configured = process.env.SWITCHBOARD_URL;
if (configured !== undefined && configured !== '') {
  install(configured);
} else {
  process.emitWarning('SWITCHBOARD_URL is not set: requests to api.plivo.com are NOT redirected to Switchboard', {
    code: 'SWITCHBOARD_REDIRECT_OFF',
  });
}
