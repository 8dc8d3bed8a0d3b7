#!/usr/bin/env node
// A process of simulated worker nodes for benchmark 5 (bench/scale/run.mjs starts several, inside a
// namespace host of the cluster, and drives them over the IPC channel). Each node joins for real:
// the root CA is fetched unverified and pinned against the worker token's digest (as `swarm join`
// does), then IssueNodeCertificate with the token gives the node its own certificate (its own node ID,
// signed by the cluster CA); from then on the node speaks mutual TLS with that certificate
// (sim-node.mjs). Keys come from a small pool the driver generated: a CSR carries no subject (the CA
// writes node ID and role from its own records), so one CSR per key serves every node using that key,
// while each node still gets a distinct certificate.
//
// Driver → process: {type:'start', config}, {type:'open'}, {type:'vanish', count}, {type:'stop'}.
// Process → driver: {type:'joined', nodeIds, joinMs}, {type:'stats', counters}, {type:'vanished', nodeIds}.
import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeCAClient, NodeAvailability } from '../../packages/proto/dist/src/index.js';
import { channelOptions, clientCredentials, verifyCaAgainstToken } from '../../packages/manager/dist/src/index.js';
import { SimNode, newCounters } from './sim-node.mjs';

if (!process.send) throw new Error('agents.mjs runs under bench/scale/run.mjs (it needs the IPC channel)');

const counters = newCounters();
const dirty = new Set();
/** @type {SimNode[]} */
let nodes = [];
let config;

function unary(start) {
  return new Promise((resolve, reject) => start((err, res) => (err ? reject(err) : resolve(res))));
}
const deadline = (ms) => ({ deadline: new Date(Date.now() + ms) });

async function fetchRootCa(addr) {
  // Unverified on purpose: the token's digest pins what comes back.
  const client = new NodeCAClient(addr, grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }), channelOptions());
  try {
    const res = await unary((cb) => client.getRootCaCertificate({}, new grpc.Metadata(), deadline(30_000), cb));
    verifyCaAgainstToken(res.certificatePem, config.token);
    return res.certificatePem;
  } finally {
    client.close();
  }
}

/** Joins this process's nodes, `joinConcurrency` at a time, spread over the managers (followers forward to the leader). */
async function joinAll() {
  const rootCaPem = await fetchRootCa(config.managers[0]);
  const clients = config.managers.map((addr) => new NodeCAClient(addr, clientCredentials({ rootCaPem }), channelOptions()));
  const t0 = performance.now();
  const joined = new Array(config.count);
  let nextIndex = 0;
  const worker = async () => {
    for (let i = nextIndex++; i < config.count; i = nextIndex++) {
      const global = config.first + i;
      const key = config.keys[global % config.keys.length];
      const hostname = `sim-${String(global).padStart(5, '0')}`;
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await unary((cb) =>
            clients[global % clients.length].issueNodeCertificate(
              { csrPem: key.csrPem, token: config.token, availability: NodeAvailability.ACTIVE, hostname, addr: config.addr },
              new grpc.Metadata(), deadline(60_000), cb,
            ),
          );
          joined[i] = new SimNode({
            nodeId: res.nodeId, identity: { rootCaPem, certPem: res.certificatePem, keyPem: key.keyPem }, managers: config.managers,
            hostname, addr: config.addr, startDelayMs: config.startDelayMs, counters, dirty,
          });
          break;
        } catch (err) {
          if (attempt >= 5) throw new Error(`join of ${hostname} failed: ${err.details ?? err.message}`);
          await sleep(500 * attempt);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: config.joinConcurrency }, worker));
  for (const c of clients) c.close();
  nodes = joined;
  process.send({ type: 'joined', nodeIds: nodes.map((n) => n.nodeId), joinMs: performance.now() - t0 });
}

/** Opens the sessions at `sessionRate` per second, so the leader is not asked for thousands of TLS handshakes at once. */
async function openAll() {
  const gapMs = 1000 / config.sessionRate;
  const t0 = performance.now();
  for (let i = 0; i < nodes.length; i++) {
    nodes[i].start();
    const wait = t0 + (i + 1) * gapMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

setInterval(() => {
  const batch = [...dirty];
  dirty.clear();
  for (const node of batch) node.flush();
}, 100);
setInterval(() => process.send({ type: 'stats', counters }), 500);

process.on('message', (msg) => {
  if (msg.type === 'start') {
    config = msg.config;
    joinAll().catch((err) => {
      process.send({ type: 'error', message: String(err.message ?? err) });
      process.exit(1);
    });
  } else if (msg.type === 'open') {
    void openAll();
  } else if (msg.type === 'vanish') {
    const gone = nodes.slice(nodes.length - msg.count);
    nodes = nodes.slice(0, nodes.length - msg.count);
    for (const n of gone) n.stop();
    process.send({ type: 'vanished', nodeIds: gone.map((n) => n.nodeId) });
  } else if (msg.type === 'stop') {
    for (const n of nodes) n.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
