#!/usr/bin/env node
// Summarises .cpuprofile files (node --cpu-prof): busy share of the wall time, and the functions and
// files with the most self time. Usage: node bench/lib/cpuprofile.mjs FILE... [--top N]
import { readFileSync } from 'node:fs';

export function summarizeProfile(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  let total = 0;
  let idle = 0;
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id);
    total += us;
    if (f.functionName === '(idle)') { idle += us; continue; }
    const file = f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/packages\//, 'packages/') || '(native)';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ what: k, ms: us / 1000, share: us / Math.max(1, total - idle) }));
  return { wallMs: total / 1000, busyMs: (total - idle) / 1000, functions: rank(fns), files: rank(files) };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args.splice(t, 2)[1]) : 15;
  for (const file of args) {
    const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top);
    console.log(`\n${file}: busy ${s.busyMs.toFixed(0)} of ${s.wallMs.toFixed(0)} ms (${((100 * s.busyMs) / s.wallMs).toFixed(0)} %)`);
    console.log('  self time by file:');
    for (const r of s.files) console.log(`    ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.what}`);
    console.log('  self time by function:');
    for (const r of s.functions) console.log(`    ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.what}`);
  }
}
