// The anchor's software: Debian's docker.io (dockerd 20.10 with swarmkit, and the containerd it starts).
// Installed on first use, as the benchmarks need it and a new machine lacks it. Debian's policy-rc.d
// on these machines keeps the package from starting a dockerd in the root namespace.
import { run, runOk } from '../../packages/cli/dist/src/cluster/index.js';

export async function ensureDocker() {
  if ((await run(['sh', '-c', 'command -v dockerd && command -v containerd'])).code === 0) return;
  process.stderr.write('installing docker.io (the anchor: dockerd 20.10 with swarmkit) with apt-get\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOk(['apt-get', 'update', '-qq'], { timeoutMs: 300_000, env });
  await runOk(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'docker.io'], { timeoutMs: 600_000, env });
}
