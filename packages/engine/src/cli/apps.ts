/** `switchboard apps create|list|show|update|delete`: applications on a running engine (docs/numbers.md). */
import { UsageError } from './args.ts';
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';

type App = { app_id: string; app_name: string; answer_url: string; hangup_url: string; fallback_answer_url: string; default_app: boolean };

/** The Application API's fields from the flags given (absent flags are not sent). */
function fields(flags: Record<string, string | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const map: Record<string, string> = {
    'answer-url': 'answer_url',
    'answer-method': 'answer_method',
    'hangup-url': 'hangup_url',
    'hangup-method': 'hangup_method',
    'fallback-url': 'fallback_answer_url',
    'fallback-method': 'fallback_method',
    name: 'app_name',
    default: 'default_number_app',
  };
  for (const [flag, field] of Object.entries(map)) if (flags[flag] !== undefined) body[field] = flags[flag];
  return body;
}

function line(a: App): string {
  return `${a.app_id}  ${a.app_name}${a.default_app ? '  (default_number_app)' : ''}\n    answer ${a.answer_url || '-'}  hangup ${a.hangup_url || '-'}  fallback ${a.fallback_answer_url || '-'}`;
}

export async function appsCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [verb, id, ...rest] = positionals;
  const client = await connect(flags);
  switch (verb) {
    case 'create': {
      const name = [id, ...rest].filter(Boolean).join(' ');
      if (!name) throw new UsageError('apps create NAME --answer-url URL [--hangup-url URL] [--fallback-url URL] [--default]');
      const res = await client.call('POST', 'Application/', { ...fields(flags), app_name: name });
      if (res.status !== 201) return fail(res.body);
      return emit(flags, res.body, () => console.log(res.body.app_id));
    }
    case 'list': {
      const res = await client.call('GET', 'Application/?limit=20');
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => {
        for (const a of res.body.objects as App[]) console.log(line(a));
      });
    }
    case 'show': {
      if (!id) throw new UsageError('apps show APP_ID');
      const res = await client.call('GET', `Application/${encodeURIComponent(id)}/`);
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => console.log(line(res.body as unknown as App)));
    }
    case 'update': {
      if (!id) throw new UsageError('apps update APP_ID [--name N] [--answer-url URL] [--hangup-url URL] [--fallback-url URL] [--default]');
      const res = await client.call('POST', `Application/${encodeURIComponent(id)}/`, fields(flags));
      if (res.status !== 202) return fail(res.body);
      return emit(flags, res.body, () => {});
    }
    case 'delete': {
      if (!id) throw new UsageError('apps delete APP_ID');
      const res = await client.call('DELETE', `Application/${encodeURIComponent(id)}/`);
      if (res.status !== 204) return fail(res.body);
      return emit(flags, { deleted: id }, () => {});
    }
    default:
      throw new UsageError(`apps: expected create, list, show, update or delete, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}
