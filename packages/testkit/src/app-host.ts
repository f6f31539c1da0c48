/**
 * An app in the test's own process (an Express app, a Fastify server's handler, any Node request
 * listener) served on 127.0.0.1, a free port, so the engine reaches it over real HTTP — the
 * signature, the form body and the URL are what they will be in production.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HostedApp {
  readonly url: string;
  close(): Promise<void>;
}

export async function hostApp(listener: RequestListener): Promise<HostedApp> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
