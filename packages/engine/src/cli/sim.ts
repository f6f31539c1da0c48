/** `switchboard sim add|list|remove`: simulated numbers on a running engine (engine.md §4). */
import { UsageError } from './args.ts';
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';

export async function simCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [verb, ...rest] = positionals;
  const client = await connect(flags);
  switch (verb) {
    case 'add': {
      const [number, ...script] = rest;
      if (!number || script.length === 0) throw new UsageError('sim add NUMBER SCRIPT, e.g. sim add +15550001 "ring 2s, answer, hangup after 10s"');
      const res = await client.call('POST', 'Simulator/Number/', { number, script: script.join(' ') });
      if (res.status !== 201) return fail(res.body);
      return emit(flags, res.body, () => console.log(`${res.body.number}\t${res.body.script}`));
    }
    case 'list': {
      const res = await client.call('GET', 'Simulator/Number/');
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => {
        for (const n of res.body.objects as Array<{ number: string; script: string }>) console.log(`${n.number}\t${n.script}`);
      });
    }
    case 'remove': {
      const [number] = rest;
      if (!number) throw new UsageError('sim remove NUMBER');
      const res = await client.call('DELETE', `Simulator/Number/${encodeURIComponent(number)}/`);
      if (res.status !== 204) return fail(res.body);
      return emit(flags, { removed: number }, () => {});
    }
    default:
      throw new UsageError(`sim: expected add, list or remove, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}
