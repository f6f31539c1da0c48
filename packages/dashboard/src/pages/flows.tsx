/** The account's flows: open one on the canvas, or start a new one. */
import { useApi } from '../api/context.tsx';
import type { ListOf } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Empty, ErrorBox, ErrorNote, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useAction } from '../components/use-action.ts';
import { useResource } from '../components/use-resource.ts';
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
  const row = useAction();
  const remove = (id: string) =>
    row.run(async () => {
      await api.del(`/Flow/${id}/`);
      flows.reload();
    });
  const columns: Array<Column<FlowSummary>> = [
    { header: 'Name', cell: (f) => <Link href={`/flows/${f.flow_id}`}>{f.name}</Link> },
    { header: 'Changed', cell: (f) => <Time value={f.updated_on} /> },
    { header: 'Run URL', cell: (f) => <code>POST {f.run_url}</code> },
    {
      header: 'Actions',
      srOnlyHeader: true,
      cell: (f) => (
        <button type="button" className="danger" onClick={() => void remove(f.flow_id)} aria-label={`Delete flow ${f.name}`}>
          Delete
        </button>
      ),
    },
  ];
  return (
    <section>
      <PageHeader title="Flows">
        <Link href="/flows/new" className="button-link primary">
          New flow
        </Link>
      </PageHeader>
      <ErrorNote message={row.error} />
      {flows.error !== undefined && <ErrorBox error={flows.error} title="Could not load the flows" onRetry={flows.reload} />}
      {flows.loading && !flows.data && <Loading what="Loading flows" />}
      {flows.data && flows.data.objects.length === 0 && (
        <Empty title="No flows yet">
          A flow is a PHLO-style canvas: Start → Call Forward → HTTP Request, for instance. <Link href="/flows/new">Build one</Link>.
        </Empty>
      )}
      {flows.data && flows.data.objects.length > 0 && (
        <DataTable caption="Flows" hideCaption columns={columns} rows={flows.data.objects} rowKey={(f) => f.flow_id} />
      )}
    </section>
  );
}
