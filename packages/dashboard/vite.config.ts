import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w @switchboard/dashboard` proxies the API to a local `switchboard serve`;
// `npm run build` writes dist/, which the engine serves at `/`.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/v1': process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080' } },
});
