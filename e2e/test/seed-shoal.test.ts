// The seed's three overlay walkthroughs once more, driven by our own CLI `shoal` instead of docker:
// the same steps and assertions as seed-default-overlay, overlay-mesh's user-defined overlay and
// overlay-attachable (../src/seed-walkthroughs.ts), one after the other on one 1+2 swarm, as the
// seed's later walkthroughs assume the swarm of the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cliOk, formSwarm, shoalCli, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { attachableOverlayWalkthrough, defaultOverlayWalkthrough, loadBusybox, userDefinedOverlayWalkthrough } from '../src/seed-walkthroughs.js';

/**
 * Waits until no host keeps the namespace of an overlay other than ingress. Known bug, to be dropped
 * once fixed: the manager hands a removed network's VNI to the next network at once (swarmkit
 * allocates VNIs serially), so a `run --network` on a node still releasing the old network fails
 * with "A VXLAN device with the specified VNI already exists".
 */
async function overlaysReleased(hosts: readonly HostLayout[], ingressId: string): Promise<void> {
  const ingressNs = `1-${ingressId.slice(0, 10)}`;
  await waitFor('removed overlays released on every host', () => {
    const held = hosts.flatMap((h) => {
      const dir = `${h.dataRoot}/netns`;
      return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('1-') && n !== ingressNs).map((n) => `${h.name}:${n}`) : [];
    });
    return held.length === 0 ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 });
}

test('seed walkthroughs with shoal', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { cli: shoalCli, heartbeat: '1s' });
  const [manager, worker1] = cluster.hosts;
  assert.ok(manager && worker1);
  await loadBusybox(shoalCli, cluster.hosts);
  const ingressId = (await cliOk(shoalCli, manager, ['network', 'inspect', '--format', '{{.ID}}', 'ingress'])).trim();

  await t.test('the default overlay network: a 5-replica published service, moved to a second network', () => defaultOverlayWalkthrough(shoalCli, cluster.hosts));
  await overlaysReleased(cluster.hosts, ingressId);
  await t.test('a user-defined overlay network: the task in network inspect, port 8080 published', () => userDefinedOverlayWalkthrough(shoalCli, cluster.hosts));
  await overlaysReleased(cluster.hosts, ingressId);
  await t.test('an attachable overlay for standalone containers: ping by name across hosts', () => attachableOverlayWalkthrough(shoalCli, manager, worker1));
});
