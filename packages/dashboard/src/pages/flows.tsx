/** The account's flows: open one on the canvas, or start a new one. */
import { useState } from 'react';
import { useApi } from '../api/context.tsx';
import type { ListOf } from '../api/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { Link, useTitle } from '../router.tsx';

interface FlowSummary {
  flow_id: string;
  name: string;
  created_on: string;
  updated_on: string;
  run_url: string;
}

export function FlowsPage() {
  useTitle('Flows');
  const api = useApi();
  const flows = useResource((signal) => api.get<ListOf<FlowSummary>>('/Flow/', { limit: 20 }, signal), [api]);
  const [err, setErr] = useState<string>();
  const remove = async (id: string) => {
    setErr(undefined);
    try {
      await api.del(`/Flow/${id}/`);
      flows.reload();
    } catch (e) {
      setErr(explainError(e));
    }
  };
  return (
    <section>
      <PageHeader title="Flows">
        <Link href="/flows/new" className="button-link primary">
          New flow
        </Link>
      </PageHeader>
      {err && (
        <p className="error-box" role="alert">
          {err}
        </p>
      )}
      {flows.error !== undefined && <ErrorBox error={flows.error} title="Could not load the flows" onRetry={flows.reload} />}
      {flows.loading && !flows.data && <Loading what="Loading flows" />}
      {flows.data && flows.data.objects.length === 0 && (
        <Empty title="No flows yet">
          A flow is a PHLO-style canvas: Start → Call Forward → HTTP Request, for instance. <Link href="/flows/new">Build one</Link>.
        </Empty>
      )}
      {flows.data && flows.data.objects.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Flows</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Changed</th>
                <th scope="col">Run URL</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {flows.data.objects.map((f) => (
                <tr key={f.flow_id}>
                  <td>
                    <Link href={`/flows/${f.flow_id}`}>{f.name}</Link>
                  </td>
                  <td>
                    <Time value={f.updated_on} />
                  </td>
                  <td>
                    <code>POST {f.run_url}</code>
                  </td>
                  <td>
                    <button type="button" className="danger" onClick={() => void remove(f.flow_id)} aria-label={`Delete flow ${f.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
