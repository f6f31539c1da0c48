/** The simulated network: scripted numbers (add, edit, remove) and a test call, outbound or inbound. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import type { SimNumber } from '../api/types.ts';
import { Empty, ErrorBox, Field, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { fmtNumber } from '../format.ts';
import { navigate, useTitle } from '../router.tsx';
import { placeInbound, placeOutbound } from './place-call.ts';

const EXAMPLES = ['ring 2s, answer, hangup after 10s', 'busy', 'no-answer', 'ring 3s, reject', 'fail UNALLOCATED_NUMBER', '70% ring 1-3s, answer, hangup after 20s | 30% busy'];
const STORE = 'switchboard.testcall';

function errorsOf(err: unknown): { field?: Record<string, string>; general?: string } {
  if (err instanceof ApiError && err.param) return { field: { [err.param]: err.message } };
  return { general: explainError(err) };
}

export function SimulatorPage() {
  useTitle('Simulator');
  const api = useApi();
  const numbers = useResource((signal) => api.get<{ objects: SimNumber[] }>('/Simulator/Number/', undefined, signal), [api]);
  const [form, setForm] = useState({ number: '', script: EXAMPLES[0]! });
  const [formErr, setFormErr] = useState<ReturnType<typeof errorsOf>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [listErr, setListErr] = useState<string>();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setFormErr({});
    try {
      await api.post('/Simulator/Number/', form);
      setForm({ number: '', script: form.script });
      setEditing(null);
      numbers.reload();
    } catch (err) {
      setFormErr(errorsOf(err));
    }
  };
  const remove = async (n: string) => {
    setListErr(undefined);
    try {
      await api.del(`/Simulator/Number/${encodeURIComponent(n)}/`);
      numbers.reload();
    } catch (err) {
      setListErr(explainError(err));
    }
  };
  const notSim = numbers.error instanceof ApiError && numbers.error.code === 'SB_NOT_SUPPORTED';

  return (
    <section>
      <PageHeader title="Simulator" />
      <p className="muted">
        Numbers on the simulated network behave as their script says; numbers without one use the engine’s default script. The script language is described in <code>docs/simulated-network.md</code>.

      </p>
      <div className="two-col">
        <div>
          <h2>Scripted numbers</h2>
          {notSim && <ErrorBox error={numbers.error} title="This engine runs on a SIP network: there is no simulator" />}
          {numbers.error !== undefined && !notSim && <ErrorBox error={numbers.error} title="Could not load the numbers" onRetry={numbers.reload} />}
          {listErr && (
            <p className="error-box" role="alert">
              {listErr}
            </p>
          )}
          {numbers.loading && !numbers.data && <Loading what="Loading numbers" />}
          {numbers.data && numbers.data.objects.length === 0 && <Empty title="No scripted numbers">Add one with the form; until then every number answers with the default script.</Empty>}
          {numbers.data && numbers.data.objects.length > 0 && (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Scripted numbers</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Script</th>
                    <th scope="col">Changed</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {numbers.data.objects.map((n) => (
                    <tr key={n.number}>
                      <td className="mono">{fmtNumber(n.number)}</td>
                      <td>
                        <code>{n.script}</code>
                      </td>
                      <td>
                        <Time value={n.updated_at} />
                      </td>
                      <td className="row-actions">
                        <button
                          type="button"
                          onClick={() => {
                            setEditing(n.number);
                            setForm({ number: n.number, script: n.script });
                            document.getElementById('sim-number')?.focus();
                          }}
                          aria-label={`Edit ${fmtNumber(n.number)}`}
                        >
                          Edit
                        </button>
                        <button type="button" className="danger" onClick={() => void remove(n.number)} aria-label={`Remove ${fmtNumber(n.number)}`}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <form onSubmit={save} className="card" aria-label={editing ? 'Edit number' : 'Add a number'}>
            <h3>{editing ? `Edit ${fmtNumber(editing)}` : 'Add a number'}</h3>
            <Field label="Number" id="sim-number" error={formErr.field?.number}>
              <input id="sim-number" value={form.number} onChange={(e) => setForm({ ...form, number: e.target.value })} placeholder="+15550002" aria-describedby="sim-number-error" />
            </Field>
            <Field label="Script" id="sim-script" error={formErr.field?.script} hint="e.g. ring 2s, answer, hangup after 30s">
              <input id="sim-script" value={form.script} onChange={(e) => setForm({ ...form, script: e.target.value })} aria-describedby="sim-script-hint sim-script-error" spellCheck={false} />
            </Field>
            <div className="chips" role="group" aria-label="Example scripts">
              {EXAMPLES.map((x) => (
                <button type="button" key={x} className="chip" onClick={() => setForm({ ...form, script: x })}>
                  {x}
                </button>
              ))}
            </div>
            {formErr.general && (
              <p className="field-error" role="alert">
                {formErr.general}
              </p>
            )}
            <button type="submit" className="primary">
              {editing ? 'Save script' : 'Add number'}
            </button>
            {editing && (
              <button
                type="button"
                onClick={() => {
                  setEditing(null);
                  setForm({ number: '', script: form.script });
                }}
              >
                Cancel
              </button>
            )}
          </form>
        </div>
        <TestCall />
      </div>
    </section>
  );
}

function TestCall() {
  const api = useApi();
  const saved = (() => {
    try {
      return JSON.parse(localStorage.getItem(STORE) ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  })();
  const [mode, setMode] = useState<'outbound' | 'inbound'>('outbound');
  const [f, setF] = useState({
    from: saved.from ?? '+15550000',
    to: saved.to ?? '+15550001',
    answer_url: saved.answer_url ?? 'http://127.0.0.1:3000/answer',
    ring_url: saved.ring_url ?? '',
    hangup_url: saved.hangup_url ?? '',
    script: saved.script ?? 'hangup after 20s',
  });
  const [err, setErr] = useState<ReturnType<typeof errorsOf>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const place = async (e: FormEvent) => {
    e.preventDefault();
    setErr({});
    setBusy(true);
    localStorage.setItem(STORE, JSON.stringify(f));
    try {
      const uuid =
        mode === 'outbound'
          ? await placeOutbound(api, { from: f.from, to: f.to, answer_url: f.answer_url, ring_url: f.ring_url, hangup_url: f.hangup_url })
          : await placeInbound(api, { from: f.from, to: f.to, script: f.script });
      if (uuid) navigate(`/calls/${uuid}`);
      else setErr({ general: 'The call was placed, but it did not show up in time. Look for it on the Live or Calls page.' });
    } catch (error) {
      setErr(errorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={place} className="card" aria-labelledby="test-call-title">
      <h2 id="test-call-title">Place a test call</h2>
      <fieldset className="segmented">
        <legend className="sr-only">Direction</legend>
        <label>
          <input type="radio" name="mode" checked={mode === 'outbound'} onChange={() => setMode('outbound')} /> Outbound (<code>POST /Call/</code>)
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'inbound'} onChange={() => setMode('inbound')} /> Inbound to one of your numbers
        </label>
      </fieldset>
      <Field label="From" id="tc-from" error={err.field?.from}>
        <input id="tc-from" value={f.from} onChange={set('from')} />
      </Field>
      <Field label="To" id="tc-to" error={err.field?.to} hint={mode === 'inbound' ? 'A number on the Numbers page, with an application or flow' : 'The number to call; its simulator script decides what happens'}>
        <input id="tc-to" value={f.to} onChange={set('to')} />
      </Field>
      {mode === 'outbound' ? (
        <>
          <Field label="Answer URL" id="tc-answer" error={err.field?.answer_url} hint="Your app's URL that returns Plivo XML">
            <input id="tc-answer" type="url" value={f.answer_url} onChange={set('answer_url')} />
          </Field>
          <Field label="Ring URL (optional)" id="tc-ring" error={err.field?.ring_url}>
            <input id="tc-ring" type="url" value={f.ring_url} onChange={set('ring_url')} />
          </Field>
          <Field label="Hangup URL (optional)" id="tc-hangup" error={err.field?.hangup_url}>
            <input id="tc-hangup" type="url" value={f.hangup_url} onChange={set('hangup_url')} />
          </Field>
        </>
      ) : (
        <Field label="Caller script (optional)" id="tc-script" error={err.field?.script} hint="e.g. digits 1 after 3s, hangup after 20s">
          <input id="tc-script" value={f.script} onChange={set('script')} spellCheck={false} />
        </Field>
      )}
      {err.general && (
        <p className="field-error" role="alert">
          {err.general}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Placing…' : 'Place call'}
      </button>
    </form>
  );
}
