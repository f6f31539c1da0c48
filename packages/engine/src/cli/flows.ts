/** `switchboard flows import|list|run|trace`: flows on a running engine (docs/flows.md). */
import { readFile } from 'node:fs/promises';
import { CliError, UsageError } from './args.ts';
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';

type Step = { node: string; type: string; state: string | null; next: string | null; started_at: string; duration_ms: number; variables: Record<string, unknown>; error?: string };

export async function flowsCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [verb, arg, ...rest] = positionals;
  const client = await connect(flags);
  switch (verb) {
    case 'import': {
      if (!arg) throw new UsageError('flows import FILE.json [--replace FLOW_ID]');
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(arg, 'utf8'));
      } catch (err) {
        throw new CliError(`flows import: cannot read ${arg} as JSON (${(err as Error).message})`);
      }
      const res = flags.replace ? await client.call('POST', `Flow/${encodeURIComponent(flags.replace)}/`, doc) : await client.call('POST', 'Flow/', doc);
      if (res.status !== 201 && res.status !== 202) {
        // One problem a line: each names its node and field.
        const error = String(res.body.error ?? 'request failed');
        console.error(`switchboard: ${error.replace(/^flow: /, 'flow:\n  ').split('; ').join('\n  ')}`);
        return 1;
      }
      return emit(flags, res.body, () => console.log(res.body.flow_id));
    }
    case 'list': {
      const res = await client.call('GET', 'Flow/?limit=20');
      if (res.status !== 200) return fail(res.body);
      return emit(flags, res.body, () => {
        for (const f of res.body.objects as Array<{ flow_id: string; name: string; updated_on: string }>) console.log(`${f.flow_id}  ${f.updated_on.slice(0, 19)}  ${f.name}`);
      });
    }
    case 'run': {
      if (!arg) throw new UsageError('flows run FLOW_ID [key=value ...]');
      const payload: Record<string, string> = {};
      for (const kv of rest) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`flows run: expected key=value, got "${kv}"`);
        payload[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const res = await client.call('POST', `/v1/account/{auth_id}/phlo/${encodeURIComponent(arg)}`, payload);
      if (res.status !== 201) return fail(res.body);
      return emit(flags, res.body, () => console.log(res.body.api_id));
    }
    case 'trace': {
      if (!arg) throw new UsageError('flows trace FLOW_ID [RUN_ID]   (the latest run when RUN_ID is left out)');
      // An unknown flow is "not found", not "no runs yet".
      const flow = await client.call('GET', `Flow/${encodeURIComponent(arg)}/`);
      if (flow.status !== 200) return fail(flow.body);
      let runId = rest[0];
      if (!runId) {
        const runs = await client.call('GET', `Flow/${encodeURIComponent(arg)}/Run/?limit=1`);
        if (runs.status !== 200) return fail(runs.body);
        const latest = (runs.body.objects as Array<{ run_id: string }>)[0];
        if (!latest) {
          console.error(`switchboard: flow ${arg} has no runs yet`);
          return 1;
        }
        runId = latest.run_id;
      }
      const res = await client.call('GET', `Flow/${encodeURIComponent(arg)}/Run/${encodeURIComponent(runId)}/`);
      if (res.status !== 200) return fail(res.body);
      if (flags.json) return emit(flags, res.body, () => {});
      const run = res.body as { run_id: string; trigger: string; status: string; call_uuid: string | null; error: string | null; trace: Step[] };
      console.log(`run ${run.run_id}  ${run.trigger}  ${run.status}${run.call_uuid ? `  call ${run.call_uuid}` : ''}${run.error ? `  error: ${run.error}` : ''}`);
      for (const s of run.trace) {
        const vars = Object.entries(s.variables)
          .filter(([, v]) => typeof v !== 'object' || v === null)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
        console.log(`${s.started_at.slice(11, 19)}  ${s.node.padEnd(20)} ${(s.state ?? '-').padEnd(14)} -> ${(s.next ?? 'end').padEnd(20)} ${String(s.duration_ms).padStart(7)} ms  ${s.error ?? vars}`);
      }
      return 0;
    }
    default:
      throw new UsageError(`flows: expected import, list, run or trace, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}
