/** The side panel's form for the selected node: every field of its type (docs/flows.md "Nodes"). */
import { useState, type ReactNode } from 'react';
import { Field, InputField, SelectField } from '../components/form.tsx';
import { NODE_INFO, type RawNode } from './flow-model.ts';

type Change = (raw: RawNode) => void;

/** `key=value` lines <-> an object (headers, form data, payload). */
function kvText(v: unknown): string {
  return v && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join('\n') : '';
}
function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

function problemFor(problems: string[], field: string): string | undefined {
  const hit = problems.filter((p) => p.startsWith(`${field}:`) || p.startsWith(`${field}.`) || p.startsWith(`${field}[`));
  return hit.length ? hit.join('; ') : undefined;
}

export function NodePanel({ raw, problems, onChange, onDelete, nameTaken }: { raw: RawNode; problems: string[]; onChange: Change; onDelete: () => void; nameTaken: (n: string) => boolean }) {
  const set = (patch: Record<string, unknown>) => onChange({ ...raw, ...patch });
  const id = (f: string) => `node-${f}`;
  const text = (field: string, label: string, hint?: string): ReactNode => (
    <InputField label={label} id={id(field)} error={problemFor(problems, field)} hint={hint} value={String(raw[field] ?? '')} onChange={(e) => set({ [field]: e.target.value })} spellCheck={false} />
  );
  const num = (field: string, label: string): ReactNode => (
    <InputField label={label} id={id(field)} error={problemFor(problems, field)} inputMode="numeric" value={String(raw[field] ?? '')} onChange={(e) => set({ [field]: e.target.value === '' ? undefined : Number.isNaN(Number(e.target.value)) ? e.target.value : Number(e.target.value) })} />
  );
  const select = (field: string, label: string, options: string[]): ReactNode => (
    <SelectField label={label} id={id(field)} error={problemFor(problems, field)} options={options} value={String(raw[field] ?? options[0])} onChange={(e) => set({ [field]: e.target.value })} />
  );
  const kv = (field: string, label: string, value: unknown, put: (v: Record<string, string>) => void): ReactNode => (
    <Field label={label} id={id(field)} error={problemFor(problems, field)} hint="One key=value per line; values may be templates">
      <KvArea id={id(field)} value={value} onChange={put} />
    </Field>
  );

  const general = problems.filter((p) => !/^[a-z_]+[.:[]/.test(p) || p.startsWith('node:') || p.startsWith('name:'));
  return (
    <div className="node-panel">
      <h2>
        {NODE_INFO[raw.type].label} <span className="muted">node</span>
      </h2>
      <p className="muted">{NODE_INFO[raw.type].blurb}</p>
      <NameField raw={raw} onChange={onChange} nameTaken={nameTaken} error={problemFor(problems, 'name')} />
      {raw.type === 'start' && kv('payload', 'Run API payload keys (with defaults)', raw.payload, (v) => set({ payload: v }))}
      {raw.type === 'call_forward' && (
        <>
          <Field label="To" id={id('to')} error={problemFor(problems, 'to')} hint="Numbers or SIP URIs, comma-separated; templates allowed">
            <ListInput id={id('to')} value={raw.to} onChange={(to) => set({ to })} />
          </Field>
          {text('from', 'Caller ID (from)', 'Default: the caller’s number')}
          {text('caller_name', 'Caller name')}
          {num('ring_timeout', 'Ring timeout (s)')}
          {select('mode', 'Mode', ['parallel', 'sequential'])}
        </>
      )}
      {raw.type === 'initiate_call' && (
        <>
          {text('from', 'From')}
          {text('to', 'To')}
          {num('ring_timeout', 'Ring timeout (s)')}
        </>
      )}
      {raw.type === 'http_request' && (
        <>
          {select('method', 'Method', ['GET', 'POST', 'PUT', 'DELETE'])}
          {text('url', 'URL', 'e.g. http://127.0.0.1:3000/dialstatus/action/')}
          {num('timeout', 'Timeout (s)')}
          {kv('headers', 'Headers', raw.headers, (v) => set({ headers: v }))}
          {kv('params', 'Query parameters', raw.params, (v) => set({ params: v }))}
          {raw.method !== 'GET' && (
            <>
              <SelectField
                label="Body type"
                id={id('body-type')}
                error={problemFor(problems, 'body')}
                options={['form', 'json']}
                value={(raw.body as { type?: string } | undefined)?.type ?? 'form'}
                onChange={(e) => set({ body: { type: e.target.value, data: (raw.body as { data?: unknown } | undefined)?.data ?? {} } })}
              />
              {kv('body', 'Body data', (raw.body as { data?: unknown } | undefined)?.data, (v) => set({ body: { type: (raw.body as { type?: string } | undefined)?.type ?? 'form', data: v } }))}
            </>
          )}
        </>
      )}
      {raw.type === 'play' && (
        <>
          {text('url', 'Audio URL')}
          {num('loop', 'Loop')}
        </>
      )}
      {raw.type === 'speak' && (
        <>
          {text('text', 'Text')}
          {select('voice', 'Voice', ['WOMAN', 'MAN'])}
          {text('language', 'Language', 'e.g. en-US')}
          {num('loop', 'Loop')}
        </>
      )}
      {raw.type === 'branch' && <ConditionsField raw={raw} onChange={onChange} error={problemFor(problems, 'conditions')} />}
      {general.length > 0 && (
        <ul className="field-error" role="alert">
          {general.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
      )}
      {raw.type !== 'start' && (
        <button type="button" className="danger" onClick={onDelete}>
          Delete node
        </button>
      )}
    </div>
  );
}

function KvArea({ id, value, onChange }: { id: string; value: unknown; onChange: (v: Record<string, string>) => void }) {
  const [text, setText] = useState(kvText(value));
  return (
    <textarea
      id={id}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseKv(e.target.value));
      }}
      spellCheck={false}
    />
  );
}

/**
 * A comma-separated list typed as text: the text is the field's own state, so a comma just typed
 * stays on screen while the list it stands for (empty items left out) goes to the node.
 */
function ListInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(Array.isArray(value) ? (value as string[]).join(', ') : String(value ?? ''));
  return (
    <input
      id={id}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean));
      }}
      spellCheck={false}
    />
  );
}

function NameField({ raw, onChange, nameTaken, error }: { raw: RawNode; onChange: Change; nameTaken: (n: string) => boolean; error: string | undefined }) {
  const [name, setName] = useState(raw.name);
  const bad = !/^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? 'must start with a letter and hold only letters, digits and _' : name !== raw.name && nameTaken(name) ? 'is used by another node' : undefined;
  return (
    <InputField
      label="Name"
      id="node-name"
      error={bad ?? error}
      hint="Templates refer to the node by it: {{Name.variable}}"
      value={name}
      onChange={(e) => setName(e.target.value)}
      onBlur={() => {
        if (!bad && name !== raw.name) onChange({ ...raw, name });
      }}
    />
  );
}

function ConditionsField({ raw, onChange, error }: { raw: RawNode; onChange: Change; error: string | undefined }) {
  const [text, setText] = useState(JSON.stringify(raw.conditions ?? [], null, 2));
  const [parseError, setParseError] = useState<string>();
  return (
    <Field label="Conditions (JSON)" id="node-conditions" error={parseError ?? error} hint='[{"state": "vip", "variable": "{{Start.call.from}}", "operator": "starts_with", "value": "1555"}]'>
      <textarea
        id="node-conditions"
        value={text}
        rows={8}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const v = JSON.parse(e.target.value) as unknown;
            if (!Array.isArray(v)) throw new Error('must be a JSON array');
            setParseError(undefined);
            onChange({ ...raw, conditions: v });
          } catch (err) {
            setParseError((err as Error).message);
          }
        }}
      />
    </Field>
  );
}
