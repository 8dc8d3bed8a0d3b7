// The seed's third walkthrough with the real docker CLI: standalone containers on two hosts joined
// by an attachable overlay find each other by container name and ping across hosts; the network
// appears on the second host with its first container and leaves with it; an overlay that is not
// attachable refuses `docker run --network` with Docker's message. The steps live in
// ../src/seed-walkthroughs.ts, shared with the `shoal` run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, formSwarm, withCluster } from '../src/index.js';
import { attachableOverlayWalkthrough, loadBusybox } from '../src/seed-walkthroughs.js';

test('standalone containers on an attachable overlay ping each other by name across hosts; a non-attachable overlay refuses them', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [host1, host2] = cluster.hosts;
  assert.ok(host1 && host2);
  await loadBusybox(dockerCli, cluster.hosts);
  await attachableOverlayWalkthrough(dockerCli, host1, host2);
});
