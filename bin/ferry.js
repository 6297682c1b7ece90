#!/usr/bin/env node
// Runs the compiled CLI when it was built (the container image), else the TypeScript sources through tsx
// (a checkout after `npm ci`), so a checkout needs no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
