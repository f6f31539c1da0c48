// Starts the dial status app: `npm start` in this folder, or
// `node --import tsx examples/dial-status-express/src/server.ts` from the repository root.
import { createDialStatusApp } from './app.ts';

const authToken = process.env.PLIVO_AUTH_TOKEN ?? process.env.SWITCHBOARD_AUTH_TOKEN;
if (authToken === undefined || authToken === '') {
  console.error('Set PLIVO_AUTH_TOKEN (or SWITCHBOARD_AUTH_TOKEN) to the token webhooks are signed with.');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 5000);
const { app } = createDialStatusApp({ authToken, dialTo: process.env.DIAL_TO, publicUrl: process.env.PUBLIC_URL });

app.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  console.log('Node app is running on port', port);
});
