// `docker logs --since/--until` with the real docker CLI against shoald: the CLI turns a time or a
// duration into dockerd's "<seconds>.<nanoseconds>" and the daemon keeps the lines inside the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, dockerOk, withCluster } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

test('docker logs --since and --until select lines by time, also while following', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);
  await dockerOk(host, ['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'echo early; sleep 2; echo late; sleep 300']);
  t.after(() => dockerOk(host, ['rm', '-f', 'talker']).catch(() => undefined));
  const stamped = await (async () => {
    for (let i = 0; i < 100; i++) {
      const out = await dockerOk(host, ['logs', '-t', 'talker']);
      if (out.includes('late')) return out;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the second line never came');
  })();
  const [early, late] = stamped.trim().split('\n').map((l) => Date.parse(l.split(' ')[0]!));
  assert.ok(early !== undefined && late !== undefined && late - early >= 1500, stamped);
  const between = new Date((early + late) / 2).toISOString();
  assert.equal(await dockerOk(host, ['logs', '--since', between, 'talker']), 'late\n');
  assert.equal(await dockerOk(host, ['logs', '--until', between, 'talker']), 'early\n');
  assert.equal(await dockerOk(host, ['logs', '--since', '1h', 'talker']), 'early\nlate\n');
  // Following ends at `until` although the container goes on running.
  const until = new Date(Date.now() + 1500).toISOString();
  assert.equal(await dockerOk(host, ['logs', '--follow', '--until', until, 'talker'], { timeoutMs: 15_000 }), 'early\nlate\n');
});
