// Starting and stopping the two 3-member clusters under test, as child processes on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MEMBER = fileURLToPath(new URL('./member.mjs', import.meta.url));
const IDS = ['m1', 'm2', 'm3'];

export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      return s;
    }),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function httpJson(port, method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(2000) });
  return res.json();
}

async function waitFor(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const found = await probe();
      if (found !== undefined) return found;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends SIGTERM, then SIGKILL if the process has not exited within 5 s. */
async function stopProcesses(children) {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export async function startShoal(root, { cpuProfDir } = {}) {
  const ports = await freePorts(6);
  const raftPorts = Object.fromEntries(IDS.map((id, k) => [id, ports[k]]));
  const httpPorts = IDS.map((_, k) => ports[3 + k]);
  const children = IDS.map((id, k) => {
    const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
    const args = [...nodeArgs, MEMBER, '--id', id, '--dir', join(root, `shoal-${id}`), '--raft-port', String(ports[k]), '--http-port', String(httpPorts[k]), '--peers', JSON.stringify(raftPorts)];
    return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  });
  const stop = () => stopProcesses(children);
  try {
    const leaderPort = await waitFor('a shoal leader', 15_000, async () => {
      for (const port of httpPorts) {
        const { id, leader } = await httpJson(port, 'GET', '/status');
        if (leader !== null && leader === id) return port;
      }
      return undefined;
    });
    return { leaderPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function ensureEtcd() {
  if (spawnSync('etcd', ['--version']).status === 0) return;
  console.error('etcd not found; installing etcd-server and etcd-client with apt-get');
  const r = spawnSync('apt-get', ['install', '-y', 'etcd-server', 'etcd-client'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('apt-get install etcd-server etcd-client failed');
}

export async function startEtcd(root) {
  const ports = await freePorts(6);
  const peerUrl = (k) => `http://127.0.0.1:${ports[3 + k]}`;
  const initialCluster = IDS.map((id, k) => `${id}=${peerUrl(k)}`).join(',');
  const clientPorts = ports.slice(0, 3);
  const children = IDS.map((id, k) =>
    spawn('etcd', [
      '--name', id, '--data-dir', join(root, `etcd-${id}`),
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[k]}`, '--advertise-client-urls', `http://127.0.0.1:${clientPorts[k]}`,
      '--listen-peer-urls', peerUrl(k), '--initial-advertise-peer-urls', peerUrl(k),
      '--initial-cluster', initialCluster, '--initial-cluster-token', 'shoal-bench', '--initial-cluster-state', 'new',
      '--logger', 'zap', '--log-level', 'error',
    ], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  // etcd's client reconnect warnings during shutdown are noise; its output matters only if it fails to start.
  const stderr = [];
  for (const child of children) child.stderr.on('data', (chunk) => stderr.length < 200 && stderr.push(chunk));
  const stop = () => stopProcesses(children);
  try {
    const leaderPort = await waitFor('an etcd leader', 20_000, async () => {
      for (const port of clientPorts) {
        const status = await httpJson(port, 'POST', '/v3/maintenance/status', {});
        if (status.leader !== undefined && status.leader === status.header?.member_id) return port;
      }
      return undefined;
    });
    return { leaderPort, stop };
  } catch (err) {
    process.stderr.write(Buffer.concat(stderr));
    await stop();
    throw err;
  }
}
