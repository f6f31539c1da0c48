/** The account's numbers and applications: list, create, edit, attach an application or a flow. */
import { useApi } from '../api/context.tsx';
import type { ListOf } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { FormSubmit, InputField, Options, SelectField, useFormValues, useSubmit } from '../components/form.tsx';
import { Empty, ErrorBox, ErrorNote, Loading, PageHeader } from '../components/ui.tsx';
import { useAction } from '../components/use-action.ts';
import { useResource } from '../components/use-resource.ts';
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
  const row = useAction();
  if (data.error !== undefined && !data.data) return <ErrorBox error={data.error} title="Could not load numbers and applications" onRetry={data.reload} />;
  if (!data.data) return <Loading what="Loading numbers" />;
  const { numbers, apps, flows } = data.data;
  const nameOf = (n: PhoneNumber) => (n.app_id ? `App: ${apps.find((a) => a.app_id === n.app_id)?.app_name ?? n.app_id}` : n.flow_id ? `Flow: ${flows.find((f) => f.flow_id === n.flow_id)?.name ?? n.flow_id}` : 'nothing attached');

  const attach = (number: string, value: string) => {
    const [kind, id] = value.split(':');
    return row.run(async () => {
      await api.post(`/Number/${encodeURIComponent(number)}/`, kind === 'flow' ? { flow_id: id } : kind === 'app' ? { app_id: id } : { app_id: '' });
      data.reload();
    }, fmtNumber(number));
  };
  const remove = (path: string) =>
    row.run(async () => {
      await api.del(path);
      data.reload();
    });
  const columns: Array<Column<PhoneNumber>> = [
    { header: 'Number', className: 'mono', cell: (n) => fmtNumber(n.number) },
    { header: 'Alias', cell: (n) => n.alias ?? <span className="muted">—</span> },
    {
      header: 'Runs',
      cell: (n) => (
        <>
          <label className="sr-only" htmlFor={`attach-${n.number}`}>
            What {fmtNumber(n.number)} runs
          </label>
          <select id={`attach-${n.number}`} value={n.flow_id ? `flow:${n.flow_id}` : n.app_id ? `app:${n.app_id}` : ''} onChange={(e) => void attach(n.number, e.target.value)} title={nameOf(n)}>
            <option value="">nothing attached</option>
            <optgroup label="Applications">
              <Options options={apps.map((a) => ({ value: `app:${a.app_id}`, label: a.app_name }))} />
            </optgroup>
            <optgroup label="Flows">
              <Options options={flows.map((f) => ({ value: `flow:${f.flow_id}`, label: f.name }))} />
            </optgroup>
          </select>
          {n.flow_id && (
            <Link href={`/flows/${n.flow_id}`} className="small-link">
              open flow
            </Link>
          )}
        </>
      ),
    },
    {
      header: 'Actions',
      srOnlyHeader: true,
      cell: (n) => (
        <button type="button" className="danger" onClick={() => void remove(`/Number/${encodeURIComponent(n.number)}/`)} aria-label={`Remove ${fmtNumber(n.number)}`}>
          Remove
        </button>
      ),
    },
  ];

  return (
    <section>
      <PageHeader title="Numbers and applications" />
      <ErrorNote message={row.error} />
      <div className="two-col">
        <div>
          <h2>Numbers</h2>
          {numbers.length === 0 ? (
            <Empty title="No numbers yet">Add a number, then attach an application or a flow: inbound calls to it run what is attached.</Empty>
          ) : (
            <DataTable caption="Numbers" hideCaption columns={columns} rows={numbers} rowKey={(n) => n.number} />
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
  const { values: f, setValues, bind } = useFormValues({ number: '', alias: '' });
  const { errors, onSubmit } = useSubmit(async () => {
    if (!f.number.trim()) return { field: { number: 'number: required' } };
    await api.post(`/PhoneNumber/${encodeURIComponent(f.number.trim())}/`, f.alias ? { alias: f.alias } : {});
    setValues({ number: '', alias: '' });
    onDone();
  });
  return (
    <form className="card" onSubmit={onSubmit} aria-label="Add a number">
      <h3>Add a number</h3>
      <InputField label="Number" id="n-number" error={errors.field?.number} {...bind('number')} placeholder="+15553330001" />
      <InputField label="Alias (optional)" id="n-alias" error={errors.field?.alias} {...bind('alias')} />
      <FormSubmit error={errors.general}>Add number</FormSubmit>
    </form>
  );
}

const NO_APPLICATION = { app_name: '', answer_url: '', answer_method: 'POST', hangup_url: '', fallback_answer_url: '' };

function AddApplication({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const { values: f, setValues, bind } = useFormValues(NO_APPLICATION);
  const { errors, onSubmit } = useSubmit(async () => {
    await api.post('/Application/', Object.fromEntries(Object.entries(f).filter(([, v]) => v)));
    setValues(NO_APPLICATION);
    onDone();
  });
  const err = errors.field ?? {};
  return (
    <form className="card" onSubmit={onSubmit} aria-label="Create an application">
      <h3>Create an application</h3>
      <InputField label="Name" id="a-name" error={err.app_name} {...bind('app_name')} />
      <InputField label="Answer URL" id="a-answer" type="url" error={err.answer_url} {...bind('answer_url')} placeholder="http://127.0.0.1:3000/answer" />
      <SelectField label="Answer method" id="a-method" error={err.answer_method} options={['POST', 'GET']} {...bind('answer_method')} />
      <InputField label="Hangup URL (optional)" id="a-hangup" type="url" error={err.hangup_url} {...bind('hangup_url')} />
      <InputField label="Fallback answer URL (optional)" id="a-fallback" type="url" error={err.fallback_answer_url} {...bind('fallback_answer_url')} />
      <FormSubmit error={errors.general}>Create application</FormSubmit>
    </form>
  );
}
