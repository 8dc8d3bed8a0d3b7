// Run by crash.test.ts as a separate process that gets SIGKILLed half-way, like a crashed `cluster up`.
// argv: NAME midway|running. It prints "PAUSED" where it waits to be killed.
import { createCluster, partition, startDaemons } from '../../src/cluster/index.js';
import { STANDIN_DAEMON } from './helpers.js';

const [name, mode] = process.argv.slice(2);
if (name === undefined || (mode !== 'midway' && mode !== 'running')) throw new Error('usage: crash-child NAME midway|running');

function pauseUntilKilled(): void {
  process.stdout.write('PAUSED\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000); // blocks; the parent kills us meanwhile
  process.exit(1); // only reached if the parent never did
}

const cluster = await createCluster({
  name,
  managers: 2,
  workers: 1,
  daemonCommand: STANDIN_DAEMON,
  onProgress: (step) => {
    if (mode === 'midway' && step.includes(`${name}-manager-2`)) pauseUntilKilled();
  },
});
await startDaemons(cluster);
await partition(cluster.hosts[0]!, cluster.hosts[1]!);
pauseUntilKilled();
