// The bootstrap lifecycle once more, driven by our own CLI: init, join, node ls, promote/demote,
// update, join-token rotation and leave, as `shoal` prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliOk, formSwarm, nodeLs, shoalCli, waitForNodes, withCluster } from '../src/index.js';

test('shoal forms a swarm and changes roles, labels and tokens like docker', async (t) => {
  const cluster = await withCluster(t, { managers: 2, workers: 1 });
  await formSwarm(cluster, { cli: shoalCli, heartbeat: '1s' });
  const [m1, m2, w1] = cluster.hosts;
  assert.ok(m1 && m2 && w1);
  const shoal = (host: typeof m1, args: string[]) => cliOk(shoalCli, host, args);

  const table = await shoal(m2, ['node', 'ls']);
  assert.match(table.split('\n')[0] ?? '', /^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
  assert.match(table, new RegExp(`\\*\\s+${m2.name}\\s+Ready\\s+Active\\s+Reachable`));

  await shoal(m1, ['node', 'update', '--availability', 'drain', '--label-add', 'tier=web', w1.name]);
  assert.equal((await shoal(m2, ['node', 'inspect', '--format', '{{.Spec.Availability}} {{index .Spec.Labels "tier"}}', w1.name])).trim(), 'drain web');

  await shoal(m1, ['node', 'promote', w1.name]);
  await waitForNodes(m1, 3, (r) => r.find((x) => x.hostname === w1.name)?.managerStatus === 'Reachable', 'promotion', 20_000, shoalCli);
  await shoal(m1, ['node', 'demote', w1.name]);
  await waitForNodes(m1, 3, (r) => r.find((x) => x.hostname === w1.name)?.managerStatus === '', 'demotion', 20_000, shoalCli);

  const before = (await shoal(m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  assert.match(await shoal(m1, ['swarm', 'join-token', '--rotate', 'worker']), /Successfully rotated worker join token\./);
  assert.notEqual((await shoal(m2, ['swarm', 'join-token', '-q', 'worker'])).trim(), before);
  assert.match(await shoal(m1, ['swarm', 'join-token', 'manager']), new RegExp(`shoal swarm join --token SWMTKN-1-\\w+-\\w+ ${m1.addr.replace(/\./g, '\\.')}:2377`));

  const refused = await shoalCli(m2, ['swarm', 'leave']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager/);
  await shoal(w1, ['swarm', 'leave']);
  await waitForNodes(m1, 3, (r) => r.find((x) => x.hostname === w1.name)?.status === 'Down', 'the left node Down', 20_000, shoalCli);
  assert.equal((await nodeLs(m1, shoalCli)).length, 3);
});
