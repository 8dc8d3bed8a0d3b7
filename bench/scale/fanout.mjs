#!/usr/bin/env node
// The leader's cost of one node-state commit with N agents connected, in one process and without Raft:
// a MemoryStore with N nodes, each with an open dispatcher session and an assignment stream, then
// commits that flip the state of B nodes each (what sessions opening or lapsing cause), one per
// event-loop turn. Prints CPU per commit. No anchor: it isolates the fan-out that held the leader's
// event loop in bench/scale's 5,000-node sessions phase (docs/benchmarks.md).
// Usage: node bench/scale/fanout.mjs [--nodes 5000] [--batch 20] [--commits 200]   (build first: npx tsc -b)
import { AssignmentStream } from '../../packages/manager/dist/src/dispatcher/assignments.js';
import { Dispatcher } from '../../packages/manager/dist/src/dispatcher/dispatcher.js';
import { MemoryStore } from '../../packages/manager/dist/src/store/memory-store.js';
import { parseArgs } from '../lib/args.mjs';

const opts = parseArgs(process.argv.slice(2), { nodes: 5000, batch: 20, commits: 200 });
const TIME = '2030-01-15T12:00:00.000Z';
const store = new MemoryStore();
let index = 0;
const apply = (actions) => {
  const result = store.apply(++index, { actions, time: TIME });
  if (!result.ok) throw new Error(result.refusal.message);
};
const turn = () => new Promise((resolve) => setImmediate(resolve));
// A description of the size an agent reports (TLS info included).
const description = (id) => ({
  Hostname: id, Platform: { Architecture: 'x86_64', OS: 'linux' }, Resources: { NanoCPUs: 2e9, MemoryBytes: 8e9 },
  Engine: { EngineVersion: '28.0.0', Labels: {}, Plugins: [] },
  TLSInfo: { TrustRoot: 'x'.repeat(600), CertIssuerSubject: 'y'.repeat(60), CertIssuerPublicKey: 'z'.repeat(120) },
});

apply([{ op: 'create', table: 'cluster', object: { ID: 'c', Spec: { Name: 'default', Dispatcher: { HeartbeatPeriod: 5e9 } } } }]);
apply([{ op: 'create', table: 'network', object: { ID: 'ingress', Spec: { Name: 'ingress', Ingress: true, Internal: false, Attachable: false, Options: {}, Labels: {} }, Allocation: { Vni: 4096, Subnet: '10.0.0.0/16', Gateway: '10.0.0.1' } } }]);
const ids = Array.from({ length: opts.nodes }, (_, i) => `node${i}`);
for (let i = 0; i < ids.length; i += 500) {
  apply(ids.slice(i, i + 500).map((id) => ({ op: 'create', table: 'node', object: { ID: id, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: description(id), Status: { State: 'down', Addr: '' } } })));
}
const dispatcher = new Dispatcher({
  store, nodeId: 'manager', isLeader: () => true, leaderAddr: () => '198.51.100.1:2377', commit: async (actions) => apply(actions),
  managerPeers: () => [{ nodeId: 'manager', addr: '198.51.100.1:2377' }], log: () => {},
});
let messages = 0;
const t0 = process.cpuUsage();
for (const id of ids) new AssignmentStream(store, id, { write: () => messages++ }).start();
for (const id of ids) await dispatcher.open(id, {}, '198.51.100.2', { write: () => messages++, end: () => {} });
await turn();
const opened = process.cpuUsage(t0);

const t1 = process.cpuUsage();
messages = 0;
for (let c = 0; c < opts.commits; c++) {
  const start = (c * opts.batch) % ids.length;
  apply(ids.slice(start, start + opts.batch).map((id) => {
    const node = store.get('node', id);
    return { op: 'update', table: 'node', object: { ...node, Status: { State: node.Status.State === 'ready' ? 'down' : 'ready', Addr: '198.51.100.2' } } };
  }));
  await turn();
}
const used = process.cpuUsage(t1);
const ms = (u) => (u.user + u.system) / 1000;
console.log(`${opts.nodes} nodes: opening every stream and session ${(ms(opened) / 1000).toFixed(2)} s CPU; ` +
  `a commit of ${opts.batch} node states ${(ms(used) / opts.commits).toFixed(2)} ms CPU (${opts.commits} commits, ${messages} messages sent)`);
dispatcher.stop();
