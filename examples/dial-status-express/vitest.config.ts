import { defineConfig } from 'vitest/config';

// Only the Vitest flavour; the node:test and Jest files beside it run under their own runners.
export default defineConfig({ test: { include: ['test/*.vitest.test.ts'] } });
