/**
 * How CLI commands reach a running engine: its URL from --url / SWITCHBOARD_HOST+PORT (or the
 * config file SWITCHBOARD_CONFIG names), and the account from the environment or, for the generated
 * development pair, from the engine's database.
 */
import { request } from 'undici';
import { loadConfig } from '../config/config.ts';
import { readConfigFile } from '../config/config-file.ts';
import { openStore } from '../store/open-store.ts';
import { CliError } from './args.ts';

export interface EngineClient {
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A GET whose body is passed through as it comes (CSV), chunk by chunk. */
  stream(path: string): Promise<{ status: number; body: AsyncIterable<Buffer> }>;
  /** Opens a Server-Sent Events stream and yields each `data:` payload, parsed. */
  events(path: string, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>>;
}

export async function connect(flags: Record<string, string | undefined>): Promise<EngineClient> {
  // The engine's own config file (SWITCHBOARD_CONFIG) says where it listens and keeps its database.
  const configPath = flags.config ?? process.env.SWITCHBOARD_CONFIG;
  const file = configPath ? await readConfigFile(configPath) : undefined;
  const config = loadConfig({ host: flags.host, port: flags.port, db: flags.db }, process.env, file);
  let authId = config.authId;
  let authToken = config.authToken;
  let source = 'SWITCHBOARD_AUTH_ID/SWITCHBOARD_AUTH_TOKEN';
  if (!authId || !authToken) {
    source = `the generated account in ${config.dbPath}`;
    const store = openStore(config.dbPath);
    try {
      await store.migrate();
      authId = await store.getSetting('auth_id');
      authToken = await store.getSetting('auth_token');
    } finally {
      await store.close();
    }
  }
  if (!authId || !authToken) {
    throw new CliError(`no credentials: set SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN, or point --db at the engine's database (${config.dbPath})`);
  }
  const base = flags.url ?? `http://${config.host}:${config.port}`;
  const auth = 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64');
  const unreachable = (err: Error) => new CliError(`cannot reach the engine at ${base}: ${err.message} (is \`switchboard serve\` running there?)`);
  /** A 401 names what was used, so a user sees which engine and which account were refused. */
  const refused = (status: number) =>
    new CliError(
      `the engine at ${base} refused account ${authId} (HTTP ${status}, credentials from ${source}): set SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN to the account the engine printed at start, or --db to its database`,
    );
  return {
    async call(method, path, body) {
      // A path from the root names the account as `{auth_id}` (the PHLO run path: /v1/account/{auth_id}/phlo/...).
      const url = path.startsWith('/') ? `${base}${path.replace('{auth_id}', authId)}` : `${base}/v1/Account/${authId}/${path}`;
      const res = await request(url, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch((err: Error) => {
        throw unreachable(err);
      });
      const text = await res.body.text();
      if (res.statusCode === 401) throw refused(401);
      return { status: res.statusCode, body: text ? parseBody(text) : {} };
    },
    async stream(path) {
      const res = await request(`${base}/v1/Account/${authId}/${path}`, { headers: { authorization: auth } }).catch((err: Error) => {
        throw unreachable(err);
      });
      if (res.statusCode === 401) {
        await res.body.dump();
        throw refused(401);
      }
      return { status: res.statusCode, body: res.body };
    },
    async *events(path, signal) {
      const res = await request(`${base}/v1/Account/${authId}/${path}`, { headers: { authorization: auth, accept: 'text/event-stream' }, signal }).catch(
        (err: Error) => {
          throw unreachable(err);
        },
      );
      if (res.statusCode === 401) {
        await res.body.dump();
        throw refused(401);
      }
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        let error = text;
        try {
          error = String((JSON.parse(text) as { error?: unknown }).error ?? text);
        } catch {
          // not JSON: the text as it came
        }
        throw new CliError(`the engine at ${base} answered ${res.statusCode}: ${error}`);
      }
      let buffer = '';
      try {
        for await (const chunk of res.body) {
          buffer += chunk.toString();
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (data) yield JSON.parse(data) as Record<string, unknown>;
          }
        }
      } catch (err) {
        if (signal?.aborted) return;
        throw err;
      }
    },
  };
}

/** The API answers JSON; anything else (a proxy's HTML page) is kept as the error text. */
function parseBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: text.slice(0, 200) };
  }
}
