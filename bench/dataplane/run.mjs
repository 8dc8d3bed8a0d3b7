#!/usr/bin/env node
// Benchmark 4 (issue 8): overlay throughput, shoal and the real Docker swarm side by side, against the
// underlay between the same two namespace hosts. On a 1-manager + 1-worker swarm, one iperf3 server
// task on the manager and one client task (`sleep`) on the worker share an overlay network; the client
// runs `iperf3 -c <server task address>` through `docker exec` (the real docker CLI, against either
// daemon). The underlay figure is iperf3 between the two hosts' own namespaces on the same cluster,
// taken in turn with the overlay runs so both see the same load. Single TCP stream, --duration-s each.
// Not a test; prints figures and writes docs/charts/dataplane.svg.
// Usage: node bench/dataplane/run.mjs [--runs 5] [--duration-s 10] [--systems shoal,docker]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker, execOnHost, loadTestImage, waitFor } from '../../packages/cli/dist/src/cluster/index.js';
import { parseArgs, listOption } from '../lib/args.mjs';
import { summarize, ratio, table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { SYSTEMS, startSystem } from '../lib/systems.mjs';
import { IPERF3, writeIperfImage } from './image.mjs';

const opts = parseArgs(process.argv.slice(2), {
  runs: 5, 'duration-s': 10, systems: SYSTEMS.join(','),
  chart: fileURLToPath(new URL('../../docs/charts/dataplane.svg', import.meta.url)),
});
const systems = listOption(opts.systems, SYSTEMS);
const IMAGE = 'shoal-bench-iperf3:latest';
const gbit = (bps) => bps / 1e9;
const fmtG = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

function pinnedService(name, host, networkId, command) {
  return {
    Name: name,
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Command: command },
      Placement: { Constraints: [`node.hostname==${host.name}`] },
      Networks: [{ Target: networkId }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    // Clients address the server task itself: no virtual IP, so no load balancer on the path.
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** The running task of `serviceId`, once there is one. */
function runningTask(engine, serviceId) {
  const filters = encodeURIComponent(JSON.stringify({ service: [serviceId], 'desired-state': ['running'] }));
  return waitFor(`a running task of ${serviceId}`, async () =>
    (await engine.request('GET', `/tasks?filters=${filters}`)).find((t) => t.Status.State === 'running'),
    { timeoutMs: 60_000, intervalMs: 250 });
}

/** Parses `iperf3 -J` output: receiver bits/s and the sender's retransmits. */
function iperfResult(stdout) {
  const r = JSON.parse(stdout);
  if (r.error !== undefined) throw new Error(`iperf3: ${r.error}`);
  return { bps: r.end.sum_received.bits_per_second, retransmits: r.end.sum_sent.retransmits ?? 0 };
}

/** Runs an iperf3 client `argv` (via `exec`) until one attempt succeeds: the server may still be starting. */
async function iperfClient(exec, server) {
  const argv = [IPERF3, '-c', server, '-t', String(opts['duration-s']), '-J'];
  let last;
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await exec(argv, { timeoutMs: (opts['duration-s'] + 30) * 1000 });
    if (r.code === 0) return iperfResult(r.stdout);
    last = `${r.stderr.trim()} ${r.stdout.trim().slice(0, 300)}`;
    await sleep(1000);
  }
  throw new Error(`iperf3 -c ${server} failed 5 times: ${last}`);
}

/** An iperf3 server in the host's own namespace; returns a stopper. */
function underlayServer(host) {
  const child = spawn('nsenter', [`--net=/run/netns/${host.netns}`, IPERF3, '-s'], { stdio: 'ignore' });
  return () => {
    child.kill('SIGTERM');
    return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  };
}

async function overlaySetup(system, server, client) {
  const engine = system.engine(server);
  const net = await engine.request('POST', '/networks/create', { Name: 'dpnet', Driver: 'overlay', CheckDuplicate: true, Labels: {} });
  const srv = await engine.request('POST', '/services/create', pinnedService('iperf-srv', server, net.Id, [IPERF3, '-s']));
  const cli = await engine.request('POST', '/services/create', pinnedService('iperf-cli', client, net.Id, ['sleep', '3600']));
  const srvTask = await runningTask(engine, srv.ID);
  const cliTask = await runningTask(engine, cli.ID);
  const attachment = srvTask.NetworksAttachments.find((a) => a.Network.ID === net.Id);
  const serverAddr = attachment.Addresses[0].split('/')[0];
  const containerId = cliTask.Status.ContainerStatus.ContainerID;
  const exec = (argv, o) => docker(client, ['exec', containerId, ...argv], o);
  const mtu = (await exec(['cat', '/sys/class/net/eth0/mtu'], {})).stdout.trim();
  return { serverAddr, exec, mtu };
}

async function measure(kind, archive) {
  process.stderr.write(`--- ${kind}: bringing up 1 manager + 1 worker\n`);
  const system = await startSystem(kind, { tag: 'dp', managers: 1, workers: 1 });
  const [server, client] = system.hosts;
  const stopUnderlay = underlayServer(server);
  try {
    for (const h of system.hosts) await loadTestImage(h.socket, archive);
    const overlay = await overlaySetup(system, server, client);
    process.stderr.write(`${kind}: server task ${overlay.serverAddr}, client eth0 MTU ${overlay.mtu}\n`);
    const out = { overlay: [], underlay: [], retransmits: { overlay: [], underlay: [] }, mtu: overlay.mtu };
    for (let i = 0; i < opts.runs; i++) {
      const u = await iperfClient((argv, o) => execOnHost(client, argv, o), server.addr);
      const o = await iperfClient(overlay.exec, overlay.serverAddr);
      out.underlay.push(gbit(u.bps));
      out.overlay.push(gbit(o.bps));
      out.retransmits.underlay.push(u.retransmits);
      out.retransmits.overlay.push(o.retransmits);
      process.stderr.write(`${kind}: run ${i + 1}: underlay ${fmtG(gbit(u.bps))} Gbit/s (${u.retransmits} retr), overlay ${fmtG(gbit(o.bps))} Gbit/s (${o.retransmits} retr)\n`);
    }
    return out;
  } finally {
    await stopUnderlay();
    await system.destroy();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-dp-'));
const results = {};
try {
  const archive = join(dir, 'iperf3.tar');
  writeIperfImage(archive, IMAGE);
  for (const kind of systems) results[kind] = await measure(kind, archive);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const med = (xs) => summarize(xs).p50;
const rows = [];
for (const k of systems) {
  const r = results[k];
  rows.push([`${k} overlay`, fmtG(med(r.overlay)), fmtG(Math.min(...r.overlay)), fmtG(Math.max(...r.overlay)), String(med(r.retransmits.overlay)), ratio(med(r.overlay), med(r.underlay))]);
  rows.push([`underlay (${k} hosts)`, fmtG(med(r.underlay)), fmtG(Math.min(...r.underlay)), fmtG(Math.max(...r.underlay)), String(med(r.retransmits.underlay)), '1.00']);
}
console.log(`\niperf3, one TCP stream, ${opts['duration-s']} s, ${opts.runs} runs each (Gbit/s):\n`);
console.log(table(['path', 'median', 'min', 'max', 'retransmits (median)', 'of underlay'], rows));
if (results.shoal && results.docker) {
  console.log(`\nshoal overlay / docker overlay (medians): ${ratio(med(results.shoal.overlay), med(results.docker.overlay))}`);
}
console.log(`container eth0 MTU: ${systems.map((k) => `${k} ${results[k].mtu}`).join(', ')}`);
for (const k of systems) console.log(`all runs, ${k}: overlay ${results[k].overlay.map(fmtG).join(', ')}; underlay ${results[k].underlay.map(fmtG).join(', ')}`);

writeChart(opts.chart, {
  title: 'iperf3 between two hosts, one TCP stream',
  unit: 'Gbit/s (higher is better)',
  series: systems,
  groups: [
    { label: 'overlay (container to container)', values: systems.map((k) => med(results[k].overlay)) },
    { label: 'underlay (host to host)', values: systems.map((k) => med(results[k].underlay)) },
  ],
  note: `${new Date().toISOString().slice(0, 10)}, medians of ${opts.runs} runs of ${opts['duration-s']} s, bench/dataplane/run.mjs; underlay measured on each system's hosts`,
});
console.log(`\nchart: ${opts.chart}`);
