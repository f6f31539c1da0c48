/** The simulated network: scripted numbers (add, edit, remove) and a test call, outbound or inbound. */
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import type { SimNumber } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { FormSubmit, InputField, useFormValues, useSubmit } from '../components/form.tsx';
import { Empty, ErrorBox, ErrorNote, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useAction } from '../components/use-action.ts';
import { useResource } from '../components/use-resource.ts';
import { fmtNumber } from '../format.ts';
import { navigate, useTitle } from '../router.tsx';
import { placeInbound, placeOutbound } from './place-call.ts';

const EXAMPLES = ['ring 2s, answer, hangup after 10s', 'busy', 'no-answer', 'ring 3s, reject', 'fail UNALLOCATED_NUMBER', '70% ring 1-3s, answer, hangup after 20s | 30% busy'];
const STORE = 'switchboard.testcall';

export function SimulatorPage() {
  useTitle('Simulator');
  const api = useApi();
  const numbers = useResource((signal) => api.get<{ objects: SimNumber[] }>('/Simulator/Number/', undefined, signal), [api]);
  const { values: form, setValues: setForm, bind } = useFormValues({ number: '', script: EXAMPLES[0]! });
  const [editing, setEditing] = useState<string | null>(null);
  const list = useAction();
  const save = useSubmit(async () => {
    await api.post('/Simulator/Number/', form);
    setForm({ number: '', script: form.script });
    setEditing(null);
    numbers.reload();
  });
  const remove = (n: string) =>
    list.run(async () => {
      await api.del(`/Simulator/Number/${encodeURIComponent(n)}/`);
      numbers.reload();
    });
  const notSim = numbers.error instanceof ApiError && numbers.error.code === 'SB_NOT_SUPPORTED';
  const columns: Array<Column<SimNumber>> = [
    { header: 'Number', className: 'mono', cell: (n) => fmtNumber(n.number) },
    { header: 'Script', cell: (n) => <code>{n.script}</code> },
    { header: 'Changed', cell: (n) => <Time value={n.updated_at} /> },
    {
      header: 'Actions',
      srOnlyHeader: true,
      className: 'row-actions',
      cell: (n) => (
        <>
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
        </>
      ),
    },
  ];

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
          <ErrorNote message={list.error} />
          {numbers.loading && !numbers.data && <Loading what="Loading numbers" />}
          {numbers.data && numbers.data.objects.length === 0 && <Empty title="No scripted numbers">Add one with the form; until then every number answers with the default script.</Empty>}
          {numbers.data && numbers.data.objects.length > 0 && (
            <DataTable caption="Scripted numbers" hideCaption columns={columns} rows={numbers.data.objects} rowKey={(n) => n.number} />
          )}
          <form onSubmit={save.onSubmit} className="card" aria-label={editing ? 'Edit number' : 'Add a number'}>
            <h3>{editing ? `Edit ${fmtNumber(editing)}` : 'Add a number'}</h3>
            <InputField label="Number" id="sim-number" error={save.errors.field?.number} {...bind('number')} placeholder="+15550002" />
            <InputField label="Script" id="sim-script" error={save.errors.field?.script} hint="e.g. ring 2s, answer, hangup after 30s" {...bind('script')} spellCheck={false} />
            <div className="chips" role="group" aria-label="Example scripts">
              {EXAMPLES.map((x) => (
                <button type="button" key={x} className="chip" onClick={() => setForm({ ...form, script: x })}>
                  {x}
                </button>
              ))}
            </div>
            <FormSubmit error={save.errors.general}>{editing ? 'Save script' : 'Add number'}</FormSubmit>
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
  const { values: f, bind } = useFormValues({
    from: saved.from ?? '+15550000',
    to: saved.to ?? '+15550001',
    answer_url: saved.answer_url ?? 'http://127.0.0.1:3000/answer',
    ring_url: saved.ring_url ?? '',
    hangup_url: saved.hangup_url ?? '',
    script: saved.script ?? 'hangup after 20s',
  });
  const place = useSubmit(async () => {
    localStorage.setItem(STORE, JSON.stringify(f));
    const uuid =
      mode === 'outbound'
        ? await placeOutbound(api, { from: f.from, to: f.to, answer_url: f.answer_url, ring_url: f.ring_url, hangup_url: f.hangup_url })
        : await placeInbound(api, { from: f.from, to: f.to, script: f.script });
    if (!uuid) return { general: 'The call was placed, but it did not show up in time. Look for it on the Live or Calls page.' };
    navigate(`/calls/${uuid}`);
  });
  const err = place.errors.field ?? {};

  return (
    <form onSubmit={place.onSubmit} className="card" aria-labelledby="test-call-title">
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
      <InputField label="From" id="tc-from" error={err.from} {...bind('from')} />
      <InputField label="To" id="tc-to" error={err.to} hint={mode === 'inbound' ? 'A number on the Numbers page, with an application or flow' : 'The number to call; its simulator script decides what happens'} {...bind('to')} />
      {mode === 'outbound' ? (
        <>
          <InputField label="Answer URL" id="tc-answer" type="url" error={err.answer_url} hint="Your app's URL that returns Plivo XML" {...bind('answer_url')} />
          <InputField label="Ring URL (optional)" id="tc-ring" type="url" error={err.ring_url} {...bind('ring_url')} />
          <InputField label="Hangup URL (optional)" id="tc-hangup" type="url" error={err.hangup_url} {...bind('hangup_url')} />
        </>
      ) : (
        <InputField label="Caller script (optional)" id="tc-script" error={err.script} hint="e.g. digits 1 after 3s, hangup after 20s" {...bind('script')} spellCheck={false} />
      )}
      <FormSubmit error={place.errors.general} busy={place.busy} busyLabel="Placing…">
        Place call
      </FormSubmit>
    </form>
  );
}
