#!/usr/bin/env node
// Runs every *.test.ts in the workspace with Node's test runner, TypeScript loaded by tsx and
// sibling packages resolved to their sources (the "source" export condition).
// Usage: node scripts/run-tests.mjs [--pglite] [path-substring ...]
// --pglite runs without TEST_DATABASE_URL, so database tests use embedded PGlite (what `npm start` uses) even where
// the environment points them at PostgreSQL.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const skipDirs = new Set(['node_modules', 'dist', '.git', '.data', '.tmp']);

function findTests(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) findTests(join(dir, entry.name), found);
    } else if (entry.name.endsWith('.test.ts')) {
      found.push(relative(root, join(dir, entry.name)));
    }
  }
  return found;
}

const args = process.argv.slice(2);
const pglite = args.includes('--pglite');
const filters = args.filter((arg) => arg !== '--pglite');
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' };
if (pglite) delete env.TEST_DATABASE_URL;
const files = findTests(root)
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ') || '*.test.ts'}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
