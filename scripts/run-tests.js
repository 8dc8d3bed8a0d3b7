#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. `--unit` leaves out the multi-host
// e2e suite (which needs root and network namespaces).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const roots = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'dist', 'test'));
if (!unitOnly) roots.push(join(root, 'e2e', 'dist', 'test'));

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = roots.flatMap((dir) => collect(dir, []));
if (files.length === 0) {
  console.error('no test files found; did the build run?');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
