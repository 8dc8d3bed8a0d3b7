#!/usr/bin/env node
// Micro-benchmark (CPU time) of the leader's pure passes at scale, without Raft or network: a MemoryStore with
// N ready nodes and one replicated service of T replicas; times the orchestrator pass that creates the
// tasks, the scheduler pass that places them, and both passes once every task runs (the cost every
// later commit of interest pays), with the size of the largest transaction each pass would put in
// one Raft entry, and the longest step of the orchestrator pass as the leader runs it.
// Usage: node bench/scale/passes.mjs [--nodes 1000] [--tasks 10000]   (after `npx tsc -b packages/manager`)
import { parseArgs } from '../lib/args.mjs';
import { MemoryStore } from '../../packages/manager/dist/src/store/memory-store.js';
import { createService } from '../../packages/manager/dist/src/control/service-ops.js';
import { orchestrate, orchestrateInSteps } from '../../packages/manager/dist/src/orchestrator/orchestrate.js';
import { schedule } from '../../packages/manager/dist/src/scheduler/schedule.js';
import { defaultClusterSpec } from '../../packages/manager/dist/src/control/defaults.js';

const opts = parseArgs(process.argv.slice(2), { nodes: 1000, tasks: 10000 });
const T0_MS = Date.parse('2030-01-15T12:00:00.000Z');
const time = new Date(T0_MS).toISOString();
const store = new MemoryStore();
let index = 0;
const commit = (actions) => {
  const result = store.apply(++index, { actions, time });
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
};
let ids = 0;
const ctx = { view: store, raft: null, commit: async (a) => commit(a), now: () => time, newId: () => `id${++ids}` };

commit([{ op: 'create', table: 'cluster', object: { ID: 'cluster', Spec: defaultClusterSpec, DefaultAddrPool: ['10.0.0.0/8'], SubnetSize: 24, DataPathPort: 4789, JoinTokens: { Worker: '', Manager: '' }, RootCA: { CertPem: '', KeyPem: '' } } }]);
for (let i = 0; i < opts.nodes; i++) {
  commit([{ op: 'create', table: 'node', object: { ID: `node${i}`, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: `sim${i}` }, Status: { State: 'ready', Addr: '10.0.0.1' } } }]);
}
await createService(ctx, { Name: 'scale', TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '1d'] } }, Mode: { Replicated: { Replicas: opts.tasks } } });

/** CPU milliseconds of this process since `from` (other work on the machine does not count). */
const cpuMs = (from) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** Runs one pass, commits its transactions, and reports its CPU time and transactions. */
function timed(name, pass) {
  const t0 = process.cpuUsage();
  const plan = pass();
  const txns = plan.transactions();
  const passMs = cpuMs(t0);
  const bytes = txns.map((t) => JSON.stringify(t).length);
  const t1 = process.cpuUsage();
  for (const actions of txns) commit(actions);
  const applyMs = cpuMs(t1);
  const actions = txns.reduce((n, t) => n + t.length, 0);
  console.log(`${name.padEnd(30)} pass ${passMs.toFixed(0).padStart(6)} ms  apply ${applyMs.toFixed(0).padStart(5)} ms  ${String(txns.length).padStart(4)} txns  ${String(actions).padStart(6)} actions  largest ${(Math.max(0, ...bytes) / 1e6).toFixed(2)} MB`);
}
const orchestratePass = () => orchestrate({ view: store, nowMs: T0_MS, newId: () => `t${++ids}`, rollout: new Map() });
const schedulePass = () => schedule(store, time);

console.log(`${opts.nodes} nodes, ${opts.tasks} tasks`);
timed('orchestrator: create tasks', orchestratePass);
// A scheduler pass places a bounded number of tasks and asks to run again for the rest.
for (let pass = 1; store.list('task').some((t) => t.Status.State === 'pending'); pass++) timed(`scheduler: place tasks (${pass})`, schedulePass);
const running = store.list('task').map((t) => {
  const { Version, UpdatedAt: _u, ...object } = t;
  // Decoded afresh, as every manager applies a Raft entry: no object is shared with the previous version.
  return { op: 'update', table: 'task', expectedVersion: Version.Index, object: JSON.parse(JSON.stringify({ ...object, Status: { ...t.Status, State: 'running', Message: 'started' } })) };
});
for (let i = 0; i < running.length; i += 500) commit(running.slice(i, i + 500));
timed('orchestrator: steady state', orchestratePass);
timed('scheduler: steady state', schedulePass);

// The leader runs the pass in steps, giving its event loop a turn between them: the longest step is
// how long Raft ticks and heartbeats wait behind it (plus the copy of the tables the pass reads).
const t0 = performance.now();
const steps = orchestrateInSteps({ view: store.frozenView(), nowMs: T0_MS, newId: () => `t${++ids}`, rollout: new Map() });
const frozenMs = performance.now() - t0;
let longest = 0;
let count = 0;
for (let done = false; !done; count++) {
  const s0 = performance.now();
  done = steps.next().done;
  longest = Math.max(longest, performance.now() - s0);
}
console.log(`orchestrator: steady state in ${count} steps, longest ${longest.toFixed(0)} ms (wall), copying the tables ${frozenMs.toFixed(0)} ms`);
