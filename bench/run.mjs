#!/usr/bin/env node
// Runs every side-by-side benchmark of issue 8, one after the other (each brings up and removes its
// own clusters). `npm run bench` builds first. Not tests: they print figures and write docs/charts/.
// Usage: node bench/run.mjs [--only control-plane,failover,convergence,dataplane,footprint,scale,raft]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = {
  'control-plane': ['control-plane/run.mjs'],
  failover: ['failover/run.mjs'],
  convergence: ['convergence/run.mjs'],
  dataplane: ['dataplane/run.mjs'],
  footprint: ['footprint/run.mjs'],
  scale: ['scale/run.mjs'],
  raft: ['raft/run.mjs'],
};
const i = process.argv.indexOf('--only');
const only = i >= 0 ? String(process.argv[i + 1] ?? '').split(',') : Object.keys(BENCHES);
for (const name of only) if (!(name in BENCHES)) throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(BENCHES).join(', ')}`);

let failed = 0;
for (const name of only) {
  const [script, ...args] = BENCHES[name];
  console.log(`\n===== ${name} (bench/${script}) =====`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: 'inherit' });
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
  });
  if (code !== 0) {
    failed++;
    console.log(`${name} failed (exit ${code})`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
