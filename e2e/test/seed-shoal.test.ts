// The seed's three overlay walkthroughs once more, driven by our own CLI `shoal` instead of docker:
// the same steps and assertions as seed-default-overlay, overlay-mesh's user-defined overlay and
// overlay-attachable (../src/seed-walkthroughs.ts), one after the other on one 1+2 swarm, as the
// seed's later walkthroughs assume the swarm of the first. Walkthrough 3 reuses the VNI walkthrough 2
// freed while a host may still be releasing it: the agent must replace what is left of the old network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formSwarm, shoalCli, withCluster } from '../src/index.js';
import { attachableOverlayWalkthrough, defaultOverlayWalkthrough, loadBusybox, userDefinedOverlayWalkthrough } from '../src/seed-walkthroughs.js';

test('seed walkthroughs with shoal', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { cli: shoalCli, heartbeat: '1s' });
  const [manager, worker1] = cluster.hosts;
  assert.ok(manager && worker1);
  await loadBusybox(shoalCli, cluster.hosts);

  await t.test('the default overlay network: a 5-replica published service, moved to a second network', () => defaultOverlayWalkthrough(shoalCli, cluster.hosts));
  await t.test('a user-defined overlay network: the task in network inspect, port 8080 published', () => userDefinedOverlayWalkthrough(shoalCli, cluster.hosts));
  await t.test('an attachable overlay for standalone containers: ping by name across hosts', () => attachableOverlayWalkthrough(shoalCli, manager, worker1));
});
