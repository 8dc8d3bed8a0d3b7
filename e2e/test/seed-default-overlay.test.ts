// The seed's "Use the default overlay network" walkthrough with the real docker CLI, busybox httpd in
// place of nginx: node ls; every host lists ingress and docker_gwbridge; a 5-replica service on
// nginx-net publishing port 80 answers on every node; each host's `network inspect nginx-net` lists
// the tasks it runs; `service update --network-add nginx-net-2 --network-rm nginx-net` moves the
// tasks; clean-up. The steps live in ../src/seed-walkthroughs.ts, shared with the `shoal` run.
import { test } from 'node:test';
import { dockerCli, formSwarm, withCluster } from '../src/index.js';
import { defaultOverlayWalkthrough, loadBusybox } from '../src/seed-walkthroughs.js';

test('seed walkthrough: the default overlay network with a 5-replica published service, moved to a second network', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  await loadBusybox(dockerCli, cluster.hosts);
  await defaultOverlayWalkthrough(dockerCli, cluster.hosts);
});
