/**
 * Validates a flow document on save: every problem is collected and names its node and field
 * (`Call_Forward.ring_timeout: must be a whole number of seconds from 1 to 600`), so a user fixes
 * them all in one round. The result has defaults filled in (flow-schema.ts).
 */
import {
  BRANCH_OPERATORS,
  DIAL_STATES,
  HTTP_METHODS,
  HTTP_STATES,
  INITIATE_STATES,
  NODE_TYPES,
  PROMPT_STATES,
  START_STATES,
  type BranchCondition,
  type Flow,
  type FlowNode,
  type HttpAuth,
  type NodeType,
} from './flow-schema.ts';
import { checkTemplate } from './templates.ts';

export interface FlowProblem {
  /** The node's name (or its position, `nodes[2]`, when it has none); absent for the document itself. */
  readonly node?: string;
  readonly field: string;
  readonly message: string;
}

export type FlowValidation = { ok: true; flow: Flow } | { ok: false; problems: FlowProblem[] };

export function describeProblem(p: FlowProblem): string {
  return `${p.node ? `${p.node}.` : ''}${p.field}: ${p.message}`;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_NODES = 200;
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one node's fields, recording problems against it. */
class Reader {
  constructor(
    private readonly o: Obj,
    private readonly node: string,
    private readonly problems: FlowProblem[],
  ) {}

  problem(field: string, message: string): void {
    this.problems.push({ node: this.node, field, message });
  }

  has(field: string): boolean {
    return this.o[field] !== undefined && this.o[field] !== null && this.o[field] !== '';
  }

  /** A Liquid template; checked to parse. */
  template(field: string, required: true): string;
  template(field: string, required?: false): string | undefined;
  template(field: string, required = false): string | undefined {
    const v = this.o[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.problem(field, 'is required');
      return undefined;
    }
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      this.problem(field, `must be a string (got ${kindOf(v)})`);
      return undefined;
    }
    return this.checked(field, v);
  }

  checked(field: string, v: string): string {
    try {
      checkTemplate(v);
    } catch (err) {
      this.problem(field, `is not a valid Liquid template (${firstLine((err as Error).message)})`);
    }
    return v;
  }

  int(field: string, fallback: number, min: number, max: number, unit = ''): number {
    const v = this.o[field];
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problem(field, `must be a whole number${unit} from ${min} to ${max} (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T | undefined {
    const v = this.o[field];
    if (v === undefined || v === null || v === '') {
      if (fallback === undefined) this.problem(field, `is required (one of ${allowed.join(', ')})`);
      return fallback;
    }
    // Only a string can name a choice; String() of arbitrary JSON may throw (`{"toString": ""}`).
    const s = typeof v === 'string' ? v.trim() : undefined;
    const hit = s === undefined ? undefined : allowed.find((a) => a.toLowerCase() === s.toLowerCase());
    if (!hit) {
      this.problem(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return hit;
  }

  /** A map of names to templates (headers, params, payload, body data). */
  map(field: string, templates = true): Record<string, string> {
    return this.mapValue(field, this.o[field], templates);
  }

  /** Like map(), for a value nested deeper than the node's own fields (`body.data`). */
  mapValue(field: string, v: unknown, templates = true): Record<string, string> {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.problem(field, `must be an object of key/value pairs (got ${kindOf(v)})`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, raw] of Object.entries(v)) {
      if (k.trim() === '') {
        this.problem(field, 'has an empty key');
        continue;
      }
      if (raw !== null && typeof raw === 'object') {
        this.problem(`${field}.${k}`, `must be a string, number or boolean (got ${kindOf(raw)})`);
        continue;
      }
      const s = raw === null || raw === undefined ? '' : String(raw);
      out[k] = templates ? this.checked(`${field}.${k}`, s) : s;
    }
    return out;
  }

  get(field: string): unknown {
    return this.o[field];
  }
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

/** Validates `input` (a parsed JSON document). Never throws. */
export function validateFlow(input: unknown): FlowValidation {
  const problems: FlowProblem[] = [];
  if (!isObj(input)) return { ok: false, problems: [{ field: 'flow', message: `must be a JSON object (got ${kindOf(input)})` }] };
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name) problems.push({ field: 'name', message: 'is required' });
  else if (name.length > 200) problems.push({ field: 'name', message: 'must be at most 200 characters' });
  const description = typeof input.description === 'string' ? input.description : undefined;
  if (!Array.isArray(input.nodes) || input.nodes.length === 0) {
    problems.push({ field: 'nodes', message: 'must be a non-empty array of nodes' });
    return { ok: false, problems };
  }
  if (input.nodes.length > MAX_NODES) {
    problems.push({ field: 'nodes', message: `at most ${MAX_NODES} nodes (got ${input.nodes.length})` });
    return { ok: false, problems };
  }

  const nodes: FlowNode[] = [];
  const seen = new Set<string>();
  input.nodes.forEach((raw, i) => {
    const label = isObj(raw) && typeof raw.name === 'string' && raw.name ? raw.name : `nodes[${i}]`;
    if (!isObj(raw)) {
      problems.push({ node: label, field: 'node', message: `must be an object (got ${kindOf(raw)})` });
      return;
    }
    if (typeof raw.name !== 'string' || !NAME.test(raw.name)) {
      problems.push({ node: label, field: 'name', message: 'must start with a letter and hold only letters, digits and _ (it is how templates refer to the node: {{Name.variable}})' });
    } else if (seen.has(raw.name)) {
      problems.push({ node: label, field: 'name', message: 'is used by another node (node names are unique)' });
    } else seen.add(raw.name);
    const node = readNode(raw, label, problems);
    if (node) nodes.push(node);
  });

  const starts = nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) problems.push({ field: 'nodes', message: `must hold exactly one start node (found ${starts.length})` });
  // Transitions point at existing nodes, never back at the start node.
  for (const n of nodes) {
    for (const [state, target] of Object.entries(n.transitions)) {
      if (target === null || target === undefined) continue;
      const to = nodes.find((m) => m.name === target);
      if (!to) problems.push({ node: n.name, field: `transitions.${state}`, message: `names no node of this flow ("${target}")` });
      else if (to.type === 'start') problems.push({ node: n.name, field: `transitions.${state}`, message: 'cannot lead back to the start node' });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, flow: { name, ...(description !== undefined && { description }), nodes } };
}

function readTransitions(r: Reader, allowed: readonly string[]): Record<string, string | null> {
  const raw = r.get('transitions');
  const out: Record<string, string | null> = {};
  if (raw === undefined || raw === null) return out;
  if (!isObj(raw)) {
    r.problem('transitions', `must be an object of state -> node name (got ${kindOf(raw)})`);
    return out;
  }
  for (const [state, target] of Object.entries(raw)) {
    if (!allowed.includes(state)) {
      r.problem(`transitions.${state}`, allowed.length ? `is not a state of this node (states: ${allowed.join(', ')})` : 'this node has no states');
      continue;
    }
    if (target === null || target === '') out[state] = null;
    else if (typeof target === 'string') out[state] = target;
    else r.problem(`transitions.${state}`, `must be a node name or null (got ${kindOf(target)})`);
  }
  return out;
}

function readNode(o: Obj, label: string, problems: FlowProblem[]): FlowNode | undefined {
  const r = new Reader(o, label, problems);
  const type = r.oneOf<NodeType>('type', NODE_TYPES);
  if (!type) return undefined;
  const name = label;
  switch (type) {
    case 'start': {
      const payload = r.map('payload', false);
      return { name, type, payload, transitions: readTransitions(r, START_STATES) };
    }
    case 'call_forward': {
      const rawTo = r.get('to');
      const list = typeof rawTo === 'string' ? [rawTo] : Array.isArray(rawTo) ? rawTo : undefined;
      const to: string[] = [];
      if (!list || list.length === 0) r.problem('to', 'is required: a number, a comma-separated list, or an array of numbers');
      else list.forEach((t, i) => (typeof t === 'string' && t.trim() ? to.push(r.checked(`to[${i}]`, t.trim())) : r.problem(`to[${i}]`, 'must be a non-empty string')));
      const screening = readScreening(r);
      const from = r.template('from');
      const callerName = r.template('caller_name');
      return {
        name,
        type,
        to,
        ...(from !== undefined && { from }),
        ...(callerName !== undefined && { callerName }),
        ringTimeout: r.int('ring_timeout', 30, 1, 600, ' of seconds'),
        mode: r.oneOf('mode', ['parallel', 'sequential'] as const, 'parallel')!,
        ...(screening && { screening }),
        transitions: readTransitions(r, DIAL_STATES),
      };
    }
    case 'initiate_call':
      return {
        name,
        type,
        from: r.template('from', true),
        to: r.template('to', true),
        ringTimeout: r.int('ring_timeout', 30, 1, 600, ' of seconds'),
        transitions: readTransitions(r, INITIATE_STATES),
      };
    case 'http_request': {
      const method = r.oneOf('method', HTTP_METHODS, 'GET')!;
      const url = r.template('url', true);
      if (url && !url.includes('{') && !/^https?:\/\/\S+$/.test(url)) r.problem('url', 'must be an absolute http(s) URL');
      const body = readBody(r);
      // Only when GET is what was asked for, not the fallback of a bad method (reported already).
      const asked = r.get('method');
      if (body && method === 'GET' && (asked === undefined || String(asked).toUpperCase() === 'GET')) r.problem('body', 'a GET request has no body (use params, or POST/PUT/DELETE)');
      const auth = readAuth(r);
      return {
        name,
        type,
        method,
        url,
        headers: r.map('headers'),
        params: r.map('params'),
        ...(auth && { auth }),
        ...(body && { body }),
        timeout: r.int('timeout', 10, 1, 60, ' of seconds'),
        transitions: readTransitions(r, HTTP_STATES),
      };
    }
    case 'play':
      return { name, type, url: r.template('url', true), loop: r.int('loop', 1, 1, 100), transitions: readTransitions(r, PROMPT_STATES) };
    case 'speak': {
      const voice = r.oneOf('voice', ['WOMAN', 'MAN'] as const, 'WOMAN');
      const language = typeof r.get('language') === 'string' ? (r.get('language') as string) : undefined;
      return {
        name,
        type,
        text: r.template('text', true),
        ...(voice && { voice }),
        ...(language && { language }),
        loop: r.int('loop', 1, 1, 100),
        transitions: readTransitions(r, PROMPT_STATES),
      };
    }
    case 'branch': {
      const conditions = readConditions(r);
      return { name, type, conditions, transitions: readTransitions(r, [...conditions.map((c) => c.state), 'no_match']) };
    }
    case 'hangup':
      return { name, type, transitions: readTransitions(r, []) };
  }
}

function readScreening(r: Reader): { message?: string; confirmKey: string } | undefined {
  const s = r.get('screening');
  if (s === undefined || s === null || s === false) return undefined;
  if (!isObj(s)) {
    r.problem('screening', `must be an object {message, confirm_key} (got ${kindOf(s)})`);
    return undefined;
  }
  const key = typeof s.confirm_key === 'number' ? String(s.confirm_key) : s.confirm_key;
  if (typeof key !== 'string' || !/^[0-9*#]$/.test(key)) {
    r.problem('screening.confirm_key', 'must be one key: 0-9, * or #');
    return undefined;
  }
  const message = typeof s.message === 'string' && s.message ? r.checked('screening.message', s.message) : undefined;
  return { confirmKey: key, ...(message !== undefined && { message }) };
}

function readAuth(r: Reader): HttpAuth | undefined {
  const a = r.get('auth');
  if (a === undefined || a === null) return undefined;
  if (!isObj(a)) {
    r.problem('auth', `must be an object (got ${kindOf(a)})`);
    return undefined;
  }
  const type = typeof a.type === 'string' ? a.type.toLowerCase() : '';
  const str = (field: string): string | undefined => {
    const v = a[field];
    if (typeof v !== 'string' || v === '') {
      r.problem(`auth.${field}`, 'is required');
      return undefined;
    }
    return r.checked(`auth.${field}`, v);
  };
  if (type === 'basic') {
    const username = str('username');
    const password = typeof a.password === 'string' ? r.checked('auth.password', a.password) : '';
    return username === undefined ? undefined : { type: 'basic', username, password };
  }
  if (type === 'bearer') {
    const token = str('token');
    return token === undefined ? undefined : { type: 'bearer', token };
  }
  r.problem('auth.type', `must be basic or bearer (got ${JSON.stringify(a.type)})`);
  return undefined;
}

function readBody(r: Reader): { type: 'form' | 'json'; data: Record<string, string> } | undefined {
  const b = r.get('body');
  if (b === undefined || b === null) return undefined;
  if (!isObj(b)) {
    r.problem('body', `must be an object {type: form|json, data: {...}} (got ${kindOf(b)})`);
    return undefined;
  }
  const type = typeof b.type === 'string' ? b.type.toLowerCase() : 'json';
  if (type !== 'form' && type !== 'json') {
    r.problem('body.type', `must be form or json (got ${JSON.stringify(b.type)})`);
    return undefined;
  }
  return { type, data: r.mapValue('body.data', b.data) };
}

function readConditions(r: Reader): BranchCondition[] {
  const raw = r.get('conditions');
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problem('conditions', 'must be a non-empty array of {state, variable, operator, value}');
    return [];
  }
  const out: BranchCondition[] = [];
  const states = new Set<string>();
  raw.forEach((c, i) => {
    const at = `conditions[${i}]`;
    if (!isObj(c)) {
      r.problem(at, `must be an object (got ${kindOf(c)})`);
      return;
    }
    const state = typeof c.state === 'string' ? c.state.trim() : '';
    if (!NAME.test(state) || state === 'no_match') r.problem(`${at}.state`, 'must be a state name (letters, digits, _; not no_match)');
    else if (states.has(state)) r.problem(`${at}.state`, `"${state}" is used by another condition`);
    states.add(state);
    const variable = typeof c.variable === 'string' && c.variable ? r.checked(`${at}.variable`, c.variable) : (r.problem(`${at}.variable`, 'is required'), '');
    const opRaw = typeof c.operator === 'string' ? c.operator.toLowerCase() : '';
    const operator = BRANCH_OPERATORS.find((o) => o === opRaw);
    if (!operator) r.problem(`${at}.operator`, `must be one of ${BRANCH_OPERATORS.join(', ')} (got ${JSON.stringify(c.operator)})`);
    const value = c.value === undefined || c.value === null ? '' : typeof c.value === 'object' ? (r.problem(`${at}.value`, 'must be a string or number'), '') : r.checked(`${at}.value`, String(c.value));
    if (operator) out.push({ state, variable, operator, value });
  });
  return out;
}
