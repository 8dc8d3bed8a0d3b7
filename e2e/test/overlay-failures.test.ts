// The overlay data plane when things go wrong, with the real docker CLI: an agent killed with -9
// disappears from the other nodes' peer tables once its node is Down, and on restart it reclaims the
// network and sandbox namespaces its old tasks left; a task on an encrypted overlay fails with a clear
// error on a kernel without ESP instead of sending its traffic in clear (and runs where ESP exists).
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, execOnHost, formSwarm, kill9, restartDaemon, waitFor, withCluster, type Host } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

function mountedNamespaces(host: Host): string[] {
  const dir = `${host.dataRoot}/netns/`;
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir)).map((p) => p.slice(dir.length));
}

/** The VTEPs a host's overlay namespace for `networkId` sends to (its static FDB entries). */
async function fdbVteps(host: Host, networkId: string): Promise<string[]> {
  const netns = `${host.dataRoot}/netns/1-${networkId.slice(0, 10)}`;
  const r = await execOnHost(host, ['nsenter', `--net=${netns}`, '--', 'bridge', '-j', 'fdb', 'show', 'dev', 'vxlan0']);
  if (r.code !== 0) return [];
  return [...new Set((JSON.parse(r.stdout || '[]') as { dst?: string }[]).flatMap((f) => (f.dst ? [f.dst] : [])))].sort();
}

/** As the agent probes it: an ESP SA with AES-GCM in a throw-away namespace. */
function kernelHasEsp(): boolean {
  const argv = ['--net', 'ip', 'xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x100', 'mode', 'transport', 'aead', 'rfc4106(gcm(aes))', `0x${'01'.repeat(20)}`, '64'];
  return spawnSync('unshare', argv, { timeout: 10_000 }).status === 0;
}

test('a killed agent leaves the peer tables once Down, and reclaims its namespaces on restart; an encrypted overlay fails its task clearly', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-overlay-failures-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const w of [w1, w2]) await dockerOk(w, ['load', '-i', join(dir, 'busybox.tar')]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);

  const netId = (await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'ov'])).trim();
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'idle', '--replicas', '2', '--replicas-max-per-node', '1', '--network', 'ov',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sleep', '300',
  ]);
  await waitFor('w1 sends to w2', async () => ((await fdbVteps(w1, netId)).join() === w2.addr ? true : undefined), { timeoutMs: 20_000, intervalMs: 300 });
  const oldSandbox = mountedNamespaces(w2).find((n) => n.startsWith('sb-'));
  assert.ok(oldSandbox !== undefined, 'w2 has its task sandbox');

  await kill9(w2);
  await waitFor('w2 gone from w1\'s peers once Down', async () => ((await fdbVteps(w1, netId)).includes(w2.addr) ? undefined : true), { timeoutMs: 15_000, intervalMs: 300 });
  // Its task was placed again, on w1 (max one per node lets it wait): nothing of w2's is a peer.
  await restartDaemon(w2, { socketTimeoutMs: 30_000 });
  await waitFor('w2 reclaimed what its old task left', async () => {
    const left = mountedNamespaces(w2);
    const running = (await dockerOk(w2, ['ps', '-q'])).trim();
    // Either it got a task again (one live sandbox, a new one) or it holds nothing.
    if (left.includes(oldSandbox)) return undefined;
    return (running === '' && left.length === 0) || (running !== '' && left.filter((n) => n.startsWith('sb-')).length === 1) ? true : undefined;
  }, { timeoutMs: 20_000, intervalMs: 300 });

  const secretId = (await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--opt', 'encrypted', 'secret'])).trim();
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'sealed', '--network', 'secret', '--no-resolve-image', '--restart-condition', 'none', 'busybox:latest', 'sleep', '300']);
  const esp = kernelHasEsp();
  const state = await waitFor(esp ? 'the encrypted task runs' : 'the encrypted task fails with a reason', async () => {
    const out = (await dockerOk(m1, ['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}}|{{.Error}}', 'sealed'])).trim();
    return out.startsWith(esp ? 'Running' : 'Failed') ? out : undefined;
  }, { timeoutMs: 20_000, intervalMs: 300 });
  if (!esp) {
    assert.match(state, /\|"network \w+: encrypted overlay networks need IPsec ESP, which this kernel lacks \(.+\)"$/);
    // Nothing of the network was made on any host, so none of its traffic can leave in clear.
    for (const h of [w1, w2]) assert.equal(mountedNamespaces(h).includes(`1-${secretId.slice(0, 10)}`), false, `${h.name} has no namespace for the encrypted network`);
  }
  await dockerOk(m1, ['service', 'rm', 'idle', 'sealed']);
});
