/** The account's numbers and applications: list, create, edit, attach an application or a flow. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import type { ListOf } from '../api/types.ts';
import { Empty, ErrorBox, Field, Loading, PageHeader } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { fmtNumber } from '../format.ts';
import { Link, useTitle } from '../router.tsx';

interface PhoneNumber {
  number: string;
  alias: string | null;
  app_id: string | null;
  flow_id: string | null;
  number_type: string;
  added_on: string;
}
interface Application {
  app_id: string;
  app_name: string;
  answer_url: string;
  answer_method: string;
  hangup_url: string;
  fallback_answer_url: string;
}
interface FlowSummary {
  flow_id: string;
  name: string;
}

type Errors = { field?: Record<string, string>; general?: string };
const errorsOf = (err: unknown): Errors => (err instanceof ApiError && err.param ? { field: { [err.param]: err.message } } : { general: explainError(err) });

export function NumbersPage() {
  useTitle('Numbers and applications');
  const api = useApi();
  const data = useResource(
    async (signal) => {
      const [numbers, apps, flows] = await Promise.all([
        api.get<ListOf<PhoneNumber>>('/Number/', { limit: 20 }, signal),
        api.get<ListOf<Application>>('/Application/', { limit: 20 }, signal),
        api.get<ListOf<FlowSummary>>('/Flow/', { limit: 20 }, signal).catch(() => ({ objects: [] as FlowSummary[], meta: undefined })),
      ]);
      return { numbers: numbers.objects, apps: apps.objects, flows: flows.objects };
    },
    [api],
  );
  const [rowErr, setRowErr] = useState<string>();
  if (data.error !== undefined && !data.data) return <ErrorBox error={data.error} title="Could not load numbers and applications" onRetry={data.reload} />;
  if (!data.data) return <Loading what="Loading numbers" />;
  const { numbers, apps, flows } = data.data;
  const nameOf = (n: PhoneNumber) => (n.app_id ? `App: ${apps.find((a) => a.app_id === n.app_id)?.app_name ?? n.app_id}` : n.flow_id ? `Flow: ${flows.find((f) => f.flow_id === n.flow_id)?.name ?? n.flow_id}` : 'nothing attached');

  const attach = async (number: string, value: string) => {
    setRowErr(undefined);
    const [kind, id] = value.split(':');
    try {
      await api.post(`/Number/${encodeURIComponent(number)}/`, kind === 'flow' ? { flow_id: id } : kind === 'app' ? { app_id: id } : { app_id: '' });
      data.reload();
    } catch (err) {
      setRowErr(`${fmtNumber(number)}: ${explainError(err)}`);
    }
  };
  const remove = async (path: string) => {
    setRowErr(undefined);
    try {
      await api.del(path);
      data.reload();
    } catch (err) {
      setRowErr(explainError(err));
    }
  };

  return (
    <section>
      <PageHeader title="Numbers and applications" />
      {rowErr && (
        <p className="error-box" role="alert">
          {rowErr}
        </p>
      )}
      <div className="two-col">
        <div>
          <h2>Numbers</h2>
          {numbers.length === 0 ? (
            <Empty title="No numbers yet">Add a number, then attach an application or a flow: inbound calls to it run what is attached.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Numbers</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Alias</th>
                    <th scope="col">Runs</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {numbers.map((n) => (
                    <tr key={n.number}>
                      <td className="mono">{fmtNumber(n.number)}</td>
                      <td>{n.alias ?? <span className="muted">—</span>}</td>
                      <td>
                        <label className="sr-only" htmlFor={`attach-${n.number}`}>
                          What {fmtNumber(n.number)} runs
                        </label>
                        <select id={`attach-${n.number}`} value={n.flow_id ? `flow:${n.flow_id}` : n.app_id ? `app:${n.app_id}` : ''} onChange={(e) => void attach(n.number, e.target.value)} title={nameOf(n)}>
                          <option value="">nothing attached</option>
                          <optgroup label="Applications">
                            {apps.map((a) => (
                              <option key={a.app_id} value={`app:${a.app_id}`}>
                                {a.app_name}
                              </option>
                            ))}
                          </optgroup>
                          <optgroup label="Flows">
                            {flows.map((f) => (
                              <option key={f.flow_id} value={`flow:${f.flow_id}`}>
                                {f.name}
                              </option>
                            ))}
                          </optgroup>
                        </select>
                        {n.flow_id && (
                          <Link href={`/flows/${n.flow_id}`} className="small-link">
                            open flow
                          </Link>
                        )}
                      </td>
                      <td>
                        <button type="button" className="danger" onClick={() => void remove(`/Number/${encodeURIComponent(n.number)}/`)} aria-label={`Remove ${fmtNumber(n.number)}`}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <AddNumber onDone={data.reload} />
        </div>
        <div>
          <h2>Applications</h2>
          {apps.length === 0 ? (
            <Empty title="No applications yet">An application is your app’s answer URL (and hangup URL) for inbound calls.</Empty>
          ) : (
            <ul className="app-list">
              {apps.map((a) => (
                <li key={a.app_id} className="card">
                  <strong>{a.app_name}</strong>
                  <span className="mono small">{a.app_id}</span>
                  <span>
                    Answer: <code>{a.answer_method} {a.answer_url || '—'}</code>
                  </span>
                  {a.hangup_url && (
                    <span>
                      Hangup: <code>{a.hangup_url}</code>
                    </span>
                  )}
                  <button type="button" className="danger" onClick={() => void remove(`/Application/${a.app_id}/`)} aria-label={`Delete application ${a.app_name}`}>
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )}
          <AddApplication onDone={data.reload} />
        </div>
      </div>
    </section>
  );
}

function AddNumber({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const [f, setF] = useState({ number: '', alias: '' });
  const [err, setErr] = useState<Errors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErr({});
    if (!f.number.trim()) return setErr({ field: { number: 'number: required' } });
    try {
      await api.post(`/PhoneNumber/${encodeURIComponent(f.number.trim())}/`, f.alias ? { alias: f.alias } : {});
      setF({ number: '', alias: '' });
      onDone();
    } catch (error) {
      setErr(errorsOf(error));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Add a number">
      <h3>Add a number</h3>
      <Field label="Number" id="n-number" error={err.field?.number}>
        <input id="n-number" value={f.number} onChange={(e) => setF({ ...f, number: e.target.value })} placeholder="+15553330001" />
      </Field>
      <Field label="Alias (optional)" id="n-alias" error={err.field?.alias}>
        <input id="n-alias" value={f.alias} onChange={(e) => setF({ ...f, alias: e.target.value })} />
      </Field>
      {err.general && (
        <p className="field-error" role="alert">
          {err.general}
        </p>
      )}
      <button type="submit" className="primary">
        Add number
      </button>
    </form>
  );
}

function AddApplication({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const empty = { app_name: '', answer_url: '', answer_method: 'POST', hangup_url: '', fallback_answer_url: '' };
  const [f, setF] = useState(empty);
  const [err, setErr] = useState<Errors>({});
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErr({});
    try {
      await api.post('/Application/', Object.fromEntries(Object.entries(f).filter(([, v]) => v)));
      setF(empty);
      onDone();
    } catch (error) {
      setErr(errorsOf(error));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Create an application">
      <h3>Create an application</h3>
      <Field label="Name" id="a-name" error={err.field?.app_name}>
        <input id="a-name" value={f.app_name} onChange={set('app_name')} />
      </Field>
      <Field label="Answer URL" id="a-answer" error={err.field?.answer_url}>
        <input id="a-answer" type="url" value={f.answer_url} onChange={set('answer_url')} placeholder="http://127.0.0.1:3000/answer" />
      </Field>
      <Field label="Answer method" id="a-method" error={err.field?.answer_method}>
        <select id="a-method" value={f.answer_method} onChange={set('answer_method')}>
          <option>POST</option>
          <option>GET</option>
        </select>
      </Field>
      <Field label="Hangup URL (optional)" id="a-hangup" error={err.field?.hangup_url}>
        <input id="a-hangup" type="url" value={f.hangup_url} onChange={set('hangup_url')} />
      </Field>
      <Field label="Fallback answer URL (optional)" id="a-fallback" error={err.field?.fallback_answer_url}>
        <input id="a-fallback" type="url" value={f.fallback_answer_url} onChange={set('fallback_answer_url')} />
      </Field>
      {err.general && (
        <p className="field-error" role="alert">
          {err.general}
        </p>
      )}
      <button type="submit" className="primary">
        Create application
      </button>
    </form>
  );
}
