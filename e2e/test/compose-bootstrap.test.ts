// docker-compose.yml's bootstrap script, run against five namespace hosts instead of five containers:
// each host's socket directory appears under a peers directory by node name, as ./run/<node> does
// for the compose services. The swarm it forms, and running it again, are what a compose user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeLs, run, shoalCli, withCluster, type HostLayout } from '../src/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('the compose bootstrap forms a swarm of 3 managers and 2 workers, and leaves it alone when run again', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 2 });
  const peers = await mkdtemp(join(tmpdir(), 'shoal-peers-'));
  t.after(() => rm(peers, { recursive: true, force: true }));
  for (const host of cluster.hosts) await symlink(dirname(host.socket), join(peers, host.name));
  const names = (role: HostLayout['role']) => cluster.hosts.filter((h) => h.role === role).map((h) => h.name).join(' ');
  const bootstrap = () =>
    run(['bash', join(repo, 'deploy/compose/bootstrap.sh')], {
      timeoutMs: 120_000,
      env: {
        ...process.env,
        SHOAL_PEERS_DIR: peers,
        SHOAL_MANAGERS: names('manager'),
        SHOAL_WORKERS: names('worker'),
        SHOAL_CLI: join(repo, 'bin/shoal'),
        SHOAL_BOOTSTRAP_TRIES: '30',
      },
    });

  const first = await bootstrap();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /swarm formed: 5 nodes Ready/);
  const [m1] = cluster.hosts;
  assert.ok(m1);
  const rows = await nodeLs(m1, shoalCli);
  assert.deepEqual(
    rows.map((r) => [r.hostname, r.status, r.managerStatus === '' ? 'worker' : 'manager']).sort(),
    cluster.hosts.map((h) => [h.name, 'Ready', h.role]).sort(),
  );
  assert.equal(rows.find((r) => r.hostname === m1.name)?.managerStatus, 'Leader');
  assert.ok(rows.every((r) => r.managerStatus !== 'Unreachable'));

  const again = await bootstrap();
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`${m1.name} is already in a swarm`));
  assert.deepEqual((await nodeLs(m1, shoalCli)).map((r) => r.id).sort(), rows.map((r) => r.id).sort());
});
