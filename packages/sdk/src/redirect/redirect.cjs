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
 * and `https.get` (and `http.request` / `http.get`), and a request for any host the `plivo`
 * package can contact (`PLIVO_HOSTS`) goes to `SWITCHBOARD_URL` instead — plain HTTP, or HTTPS
 * when the URL says `https:` — with its method, path (after the URL's own path prefix, if any),
 * headers and body unchanged. Any other request aimed at a Plivo domain (`plivo.com`,
 * `*.plivo.com`) fails with an error (code `SWITCHBOARD_PLIVO_HOST_REFUSED`) before a socket is
 * opened, so no Plivo-bound request, and no credential it carries, leaves the machine (issue
 * 16.6). Every other request passes through untouched. It works because axios (through
 * follow-redirects) looks `https.request` up on the module object at the moment of each request.
 *
 * CommonJS on purpose: `node --require` loads CommonJS, and it must run before the app's code.
 * Without `SWITCHBOARD_URL` it changes nothing and says so on stderr, so a forgotten variable is
 * not a silent call to the real Plivo.
 * @module
 */
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { syncBuiltinESMExports } = require('node:module');
const { urlToHttpOptions } = require('node:url');

/** Node's own `http.request`, for the refusals: the installed wrapper would refuse them again. */
const nativeHttpRequest = http.request;

/**
 * Every host the official `plivo` package (4.79.0) can contact (plivo.md §7.2-§7.3): the REST API,
 * the PHLO runner, call feedback (`resources/callFeedback.js`) and number lookup
 * (`resources/lookup.js`). Their paths do not collide on the engine.
 */
const PLIVO_HOSTS = Object.freeze(['api.plivo.com', 'phlorunner.plivo.com', 'stats.plivo.com', 'lookup.plivo.com']);

/** @param {string} host */
function isPlivoDomain(host) {
  const h = host.replace(/\.$/, '');
  return h === 'plivo.com' || h.endsWith('.plivo.com');
}

/** @type {{ request: typeof https.request, get: typeof https.get, httpRequest: typeof http.request, httpGet: typeof http.get, target: URL } | undefined} */
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
 * A request that fails before any socket or DNS lookup: a Plivo host the engine does not stand in
 * for. It is a real ClientRequest, so callers see an ordinary 'error' event (axios rejects with it).
 * @param {import('node:https').RequestOptions} options
 * @param {Function | undefined} callback
 */
function refuse(options, callback) {
  const host = hostOf(options);
  const err = Object.assign(
    new Error(
      `@switchboard/sdk/redirect: refused a request to ${host}${options.path ?? ''}: it is a Plivo host Switchboard ` +
        `does not stand in for, and Plivo-bound requests never leave the machine while the redirect is installed`,
    ),
    { code: 'SWITCHBOARD_PLIVO_HOST_REFUSED', host },
  );
  process.emitWarning(err.message, { code: 'SWITCHBOARD_PLIVO_HOST_REFUSED' });
  const req = nativeHttpRequest({
    method: options.method,
    path: options.path,
    host: host || 'plivo.invalid',
    // No agent: Node then calls this createConnection, which never looks up or dials anything.
    createConnection: () => {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(err));
      return socket;
    },
  }, /** @type {any} */ (callback));
  return req;
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
  const original = { request: https.request, get: https.get, httpRequest: http.request, httpGet: http.get };
  const toEngine = target.protocol === 'https:' ? original.request : original.httpRequest;

  /**
   * @param {typeof https.request} passThrough
   * @param {typeof https} module
   * @returns {typeof https.request}
   */
  const wrap = (passThrough, module) =>
    /** @type {typeof https.request} */ (function request(...args) {
      const { options, callback } = normalise(args);
      const host = hostOf(options);
      if (lower.includes(host)) {
        const moved = retarget(options, target);
        return callback ? toEngine(moved, /** @type {any} */ (callback)) : toEngine(moved);
      }
      if (isPlivoDomain(host)) return refuse(options, callback);
      return passThrough.apply(module, /** @type {any} */ (args));
    });
  /** @param {typeof https.request} request @returns {typeof https.get} */
  const getter = (request) =>
    /** @type {typeof https.get} */ (function get(...args) {
      const req = request(...args);
      req.end();
      return req;
    });
  https.request = wrap(original.request, https);
  https.get = getter(https.request);
  http.request = wrap(original.httpRequest, /** @type {any} */ (http));
  http.get = getter(http.request);
  bypassProxy([...lower, '.plivo.com', 'plivo.com']);
  // ESM code that did `import { request } from 'node:https'` sees the wrapped functions too.
  syncBuiltinESMExports();
  installed = { ...original, target };
}

/**
 * axios honours HTTPS_PROXY: it would then send `CONNECT api.plivo.com:443` to the proxy instead of
 * calling `https.request` for api.plivo.com, and the redirect would never see the request. Listing
 * the hosts, and the whole `.plivo.com` domain, in NO_PROXY (read by axios at each request) keeps
 * them direct, hence redirected or refused here.
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
  http.request = installed.httpRequest;
  http.get = installed.httpGet;
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
