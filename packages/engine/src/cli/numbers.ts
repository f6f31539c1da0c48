/** `switchboard numbers add|list|show|update|remove`: the account's numbers (docs/numbers.md). */
import { UsageError } from './args.ts';
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';

type Num = { number: string; alias: string | null; app_id: string | null; flow_id: string | null; number_type: string };

function numberLine(n: Num): string {
  const target = n.app_id ? `app ${n.app_id}` : n.flow_id ? `flow ${n.flow_id}` : '(default_number_app)';
  return `${n.number}\t${target}${n.alias ? `\t${n.alias}` : ''}`;
}

function fields(flags: Record<string, string | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.app !== undefined) body.app_id = flags.app;
  if (flags.flow !== undefined) body.flow_id = flags.flow;
  if (flags.alias !== undefined) body.alias = flags.alias;
  if (flags.type !== undefined) body.number_type = flags.type;
  // Detaching is an empty app_id, as the API reads it.
  if (flags.detach === 'true') body.app_id = '';
  return body;
}

export async function numbersCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [verb, number] = positionals;
  const client = await connect(flags);
  switch (verb) {
    case 'add': {
      if (!number) throw new UsageError('numbers add NUMBER [--app APP_ID | --flow FLOW_ID] [--alias A]');
      const res = await client.call('POST', `PhoneNumber/${encodeURIComponent(number)}/`, fields(flags));
      if (res.status !== 201) return fail(res.body);
      return emit(flags, res.body, () => {});
    }
    case 'list': {
      const q = new URLSearchParams({ limit: '20' });
      if (flags.startswith) q.set('number_startswith', flags.startswith);
      if (flags.alias) q.set('alias', flags.alias);
      const res = await client.call('GET', `Number/?${q}`);
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => {
        for (const n of res.body.objects as Num[]) console.log(numberLine(n));
      });
    }
    case 'show': {
      if (!number) throw new UsageError('numbers show NUMBER');
      const res = await client.call('GET', `Number/${encodeURIComponent(number)}/`);
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => console.log(numberLine(res.body as unknown as Num)));
    }
    case 'update': {
      if (!number) throw new UsageError('numbers update NUMBER [--app APP_ID | --flow FLOW_ID | --detach] [--alias A]');
      const res = await client.call('POST', `Number/${encodeURIComponent(number)}/`, fields(flags));
      if (res.status !== 202) return fail(res.body);
      return emit(flags, res.body, () => {});
    }
    case 'remove': {
      if (!number) throw new UsageError('numbers remove NUMBER');
      const res = await client.call('DELETE', `Number/${encodeURIComponent(number)}/`);
      if (res.status !== 204) return fail(res.body);
      return emit(flags, { removed: number }, () => {});
    }
    default:
      throw new UsageError(`numbers: expected add, list, show, update or remove, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}
