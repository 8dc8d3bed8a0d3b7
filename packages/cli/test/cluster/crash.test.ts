// Teardown after a crash: a separate process builds a cluster and is SIGKILLed half-way; destroyCluster
// then removes everything, from the state file or, if that is gone too, from the names alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { destroyCluster, loadCluster } from '../../src/cluster/index.js';
import { listNetns, netnsPids, pidAlive } from '../../src/cluster/netns.js';
import { snapshotRoot, uniqueName } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

/** Runs the child until it pauses, then SIGKILLs it. */
async function crashChild(name: string, mode: 'midway' | 'running'): Promise<void> {
  const child = spawn(process.execPath, [CHILD, name, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never paused; output:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('PAUSED')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before pausing; output:\n${output}`));
    });
  });
  child.kill('SIGKILL');
  await exited;
}

async function clusterNetns(name: string): Promise<string[]> {
  return (await listNetns()).filter((ns) => ns.startsWith(`shoal-${name}-`));
}

test('a crash half-way through creation is cleaned up from the state file', async (t) => {
  const before = await snapshotRoot();
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  await crashChild(name, 'midway');
  assert.deepEqual((await clusterNetns(name)).sort(), [`shoal-${name}-manager-1`, `shoal-${name}-switch`]);
  assert.equal(loadCluster(name).hosts.length, 3, 'the state file records the whole plan');

  assert.equal(await destroyCluster(name), true);
  assert.deepEqual(await clusterNetns(name), []);
  const after = await snapshotRoot();
  assert.deepEqual(after.links, before.links);
  assert.deepEqual(after.nftTables, before.nftTables);
  assert.equal(after.routes, before.routes);
});

test('a crash with daemons running is cleaned up from the names alone when the state file is lost', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  await crashChild(name, 'running');
  const cluster = loadCluster(name);
  const namespaces = await clusterNetns(name);
  assert.equal(namespaces.length, 4);
  const orphans = (await Promise.all(cluster.hosts.map((h) => netnsPids(h.netns)))).flat();
  assert.equal(orphans.length, 3, 'the daemons outlive the crashed process');
  rmSync(`${cluster.stateDir}/state.json`);

  assert.equal(await destroyCluster(name), true);
  assert.deepEqual(await clusterNetns(name), []);
  for (const pid of orphans) assert.equal(pidAlive(pid), false, `daemon ${pid} ended`);
  assert.equal(existsSync(cluster.stateDir), false);
  assert.equal(existsSync(cluster.dataDir), false);
});
