#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (the engine ships as TypeScript; see the README).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
