// The overlay data plane when things go wrong, with the real docker CLI: an agent killed with -9
// disappears from the other nodes' peer tables once its node is Down, and on restart it reclaims the
// network and sandbox namespaces its old tasks left; a task on an encrypted overlay fails with a clear
// error on a kernel without ESP instead of sending its traffic in clear.
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

  await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--opt', 'encrypted', 'secret']);
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'sealed', '--network', 'secret', '--no-resolve-image', '--restart-condition', 'none', 'busybox:latest', 'sleep', '300']);
  const error = await waitFor('the encrypted task fails with a reason', async () => {
    const out = (await dockerOk(m1, ['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}}|{{.Error}}', 'sealed'])).trim();
    return out.startsWith('Failed') ? out : undefined;
  }, { timeoutMs: 20_000, intervalMs: 300 });
  assert.match(error, /encrypted overlay networks (need IPsec ESP|are not implemented)/);
  await dockerOk(m1, ['service', 'rm', 'idle', 'sealed']);
});
