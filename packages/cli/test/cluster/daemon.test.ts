// A host's daemon lifecycle, with the stand-in daemon: start inside the namespace, serve the socket,
// stop cleanly, crash, restart, and fail fast with its log when it cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'node:http';
import {
  ClusterError, createCluster, daemonPid, destroyCluster, kill9, restartDaemon, startDaemon, startDaemons, stopDaemon, waitForSocket,
  type Host,
} from '../../src/cluster/index.js';
import { pidAlive, pidInNetns } from '../../src/cluster/netns.js';
import { runOk } from '../../src/cluster/run.js';
import { STANDIN_DAEMON, uniqueName } from './helpers.js';

function ping(host: Host): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: host.socket, path: '/_ping', timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('ping timed out'))).on('error', reject).end();
  });
}

test('daemons start inside their host namespaces, serve their sockets and stop on SIGTERM', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 1, daemonCommand: STANDIN_DAEMON });
  await startDaemons(cluster, { socketTimeoutMs: 10_000 });
  for (const host of cluster.hosts) {
    const pid = daemonPid(host);
    assert.ok(pid !== undefined && pidInNetns(pid, host.netns), `${host.name} runs in ${host.netns}`);
    assert.equal(await ping(host), 'OK');
    assert.match(readFileSync(host.logFile, 'utf8'), new RegExp(`serving ${host.socket} as ${host.name}`));
  }
  const manager = cluster.hosts[0]!;
  await stopDaemon(manager);
  assert.equal(daemonPid(manager), undefined);
  assert.match(readFileSync(manager.logFile, 'utf8'), /SIGTERM, shutting down/);
  await assert.rejects(stopDaemon(manager), (err: unknown) => err instanceof ClusterError && err.code === 'DAEMON_NOT_RUNNING');
});

test('a killed daemon restarts with the same roots and serves again', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 0, daemonCommand: STANDIN_DAEMON });
  const host = cluster.hosts[0]!;
  const first = await startDaemon(host);
  await waitForSocket(host, { timeoutMs: 10_000 });
  await assert.rejects(startDaemon(host), (err: unknown) => err instanceof ClusterError && err.code === 'DAEMON_RUNNING');
  await kill9(host);
  assert.equal(daemonPid(host), undefined);
  await assert.rejects(ping(host)); // the socket file is left behind, but nobody answers
  await restartDaemon(host);
  const second = daemonPid(host);
  assert.ok(second !== undefined && second !== first);
  assert.equal(await ping(host), 'OK');
});

test('waiting for the socket of a daemon that exits fails at once with its log', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 0, daemonCommand: [...STANDIN_DAEMON, '--exit-at-once'] });
  const host = cluster.hosts[0]!;
  const started = Date.now();
  await startDaemon(host);
  await assert.rejects(waitForSocket(host, { timeoutMs: 10_000 }), (err: unknown) => {
    assert.ok(err instanceof ClusterError);
    assert.equal(err.code, 'DAEMON_EXITED');
    assert.match(err.message, new RegExp(`${host.name}: daemon exited before serving .*exiting at once as asked`, 's'));
    return true;
  });
  assert.ok(Date.now() - started < 5_000);
});

test('teardown ends running daemons', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 2, workers: 0, daemonCommand: STANDIN_DAEMON });
  await startDaemons(cluster);
  const pids = cluster.hosts.map((h) => daemonPid(h)!);
  await destroyCluster(name);
  for (const pid of pids) assert.equal(pidAlive(pid), false, `daemon ${pid} ended`);
});

test('teardown ends processes in namespaces a daemon bound under its exec root, and unmounts them', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 0, daemonCommand: STANDIN_DAEMON });
  const host = cluster.hosts[0]!;
  // What an agent does for a task: a namespace bound to a file under its exec root, a process inside.
  const nsFile = `${host.execRoot}/netns/task1`;
  mkdirSync(dirname(nsFile), { recursive: true });
  writeFileSync(nsFile, '');
  await runOk(['unshare', `--net=${nsFile}`, 'true']);
  const task = spawn('nsenter', [`--net=${nsFile}`, '--', 'sleep', '60'], { stdio: 'ignore' });
  t.after(() => task.kill('SIGKILL'));
  const exited = new Promise((resolve) => task.once('exit', resolve));

  await destroyCluster(name);
  assert.equal(await Promise.race([exited.then(() => 'ended'), sleep(5_000, undefined, { ref: false }).then(() => 'still running')]), 'ended');
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(nsFile), false);
  assert.equal(existsSync(cluster.stateDir), false);
});
