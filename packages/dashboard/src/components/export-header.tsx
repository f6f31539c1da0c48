import type { Query } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import { ErrorNote, PageHeader } from './ui.tsx';
import { useAction } from './use-action.ts';

/** A list page's header with its Export CSV button: what the page shows, as `format=csv` of `path`. */
export function ExportHeader({ title, path, query, filename }: { title: string; path: string; query: Query; filename: string }) {
  const api = useApi();
  const exporter = useAction();
  return (
    <>
      <PageHeader title={title}>
        <button type="button" onClick={() => void exporter.run(() => api.download(path, { ...query, format: 'csv' }, filename))}>
          Export CSV
        </button>
      </PageHeader>
      <ErrorNote message={exporter.error} />
    </>
  );
}
