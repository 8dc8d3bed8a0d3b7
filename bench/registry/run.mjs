#!/usr/bin/env node
// Benchmark (issue 18): pulling from a registry, shoal and dockerd 20.10 side by side, from the same
// kind of local registry (Debian's docker-registry on the first namespace host, plain HTTP, named with
// --insecure-registry on both systems). Images are pushed there by skopeo before each system runs:
//  1. cold pull of a ~100 MB image of four incompressible 25 MB layers (POST /images/create until the
//     stream ends), on a host that has nothing;
//  2. pull of a second image sharing three of those layers (only one layer to fetch);
//  3. `service create` of a third image (the same size, new to every node) in global mode on 5 hosts
//     → time until every node's task reports running.
// Not a test; prints figures. Usage: node bench/registry/run.mjs [--systems shoal,docker] [--timeout-s 300]
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execOnHost, writeBusyboxRootfsTar } from '../../packages/cli/dist/src/cluster/index.js';
import { listOption, parseArgs } from '../lib/args.mjs';
import { ratio, secs, table } from '../lib/stats.mjs';
import { SYSTEMS, startSystem } from '../lib/systems.mjs';

const opts = parseArgs(process.argv.slice(2), { systems: SYSTEMS.join(','), 'timeout-s': 300 });
const systems = listOption(opts.systems, SYSTEMS);
const timeoutMs = opts['timeout-s'] * 1000;
const LAYER_BYTES = 25_000_000;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** A docker-archive of busybox plus the given random layers (each a directory with one file). */
function writeArchive(dir, name, layerSeeds) {
  const layers = [join(dir, `${name}-base.tar`)];
  writeBusyboxRootfsTar(layers[0]);
  for (const seed of layerSeeds) {
    const tar = join(dir, `layer-${seed}.tar`);
    const root = join(dir, `layer-${seed}`);
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', seed), randomBytesFor(seed));
    execFileSync('tar', ['-c', '--numeric-owner', '--owner=0', '--group=0', '--mtime=2026-01-01', '-f', tar, '-C', root, '.']);
    layers.push(tar);
  }
  const archive = join(dir, `${name}-archive`);
  const diffIds = layers.map((l) => sha256(readFileSync(l)));
  layers.forEach((l, i) => {
    mkdirSync(join(archive, diffIds[i]), { recursive: true });
    execFileSync('cp', [l, join(archive, diffIds[i], 'layer.tar')]);
  });
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds.map((d) => `sha256:${d}`) },
  });
  writeFileSync(join(archive, `${sha256(config)}.json`), config);
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: `${sha256(config)}.json`, RepoTags: [`${name}:1`], Layers: diffIds.map((d) => `${d}/layer.tar`) }]));
  const out = join(dir, `${name}.tar`);
  execFileSync('tar', ['-c', '-f', out, '-C', archive, '.']);
  return out;
}

/** The same bytes for the same seed, so two images can share a layer. */
const seeded = new Map();
function randomBytesFor(seed) {
  if (!seeded.has(seed)) seeded.set(seed, randomBytes(LAYER_BYTES));
  return seeded.get(seed);
}

async function startRegistry(host, dir) {
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry')}\nhttp:\n  addr: ${host.addr}:5000\n`);
  const child = spawn('nsenter', [`--net=/run/netns/${host.netns}`, '--', 'docker-registry', 'serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const r = await execOnHost(host, ['bash', '-c', `exec 3<>/dev/tcp/${host.addr}/5000 2>/dev/null || exit 1`]).catch(() => ({ code: 1 }));
    if (r.code === 0) break;
    await sleep(100);
  }
  return child;
}

async function push(host, archive, ref) {
  const r = await execOnHost(host, ['skopeo', 'copy', '-q', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${ref}`], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`skopeo push ${ref}: ${r.stderr}`);
}

async function timedPull(engine, repo, tag) {
  const start = performance.now();
  const out = await engine.request('POST', `/images/create?fromImage=${encodeURIComponent(repo)}&tag=${tag}`);
  const text = typeof out === 'string' ? out : JSON.stringify(out);
  if (/"error"/.test(text)) throw new Error(`pull ${repo}:${tag}: ${text.slice(-300)}`);
  return performance.now() - start;
}

async function serviceConverged(sys, manager, image) {
  const engine = sys.engine(manager);
  const start = performance.now();
  const { ID } = await engine.request('POST', '/services/create', { Name: 'pulled', TaskTemplate: { ContainerSpec: { Image: image, Command: ['sleep', '3600'] } }, Mode: { Global: {} } });
  const filters = encodeURIComponent(JSON.stringify({ service: [ID], 'desired-state': ['running'] }));
  while (performance.now() - start < timeoutMs) {
    const tasks = await engine.request('GET', `/tasks?filters=${filters}`);
    if (tasks.length === sys.hosts.length && tasks.every((t) => t.Status.State === 'running')) return performance.now() - start;
    await sleep(200);
  }
  return NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-registry-'));
const results = {};
try {
  const archives = { big: writeArchive(dir, 'big', ['a', 'b', 'c', 'd']), most: writeArchive(dir, 'most', ['a', 'b', 'c', 'e']), svc: writeArchive(dir, 'svc', ['f', 'g', 'h', 'i']) };
  for (const kind of systems) {
    const sys = await startSystem(kind, { tag: 'r', managers: 3, workers: 2, daemonFlags: ['--insecure-registry', '198.51.100.0/24'] });
    let registry;
    try {
      const [first] = sys.hosts;
      registry = await startRegistry(first, mkdtempSync(join(dir, `${kind}-`)));
      const reg = `${first.addr}:5000`;
      for (const name of Object.keys(archives)) await push(first, archives[name], `${reg}/${name}:1`);
      const puller = sys.hosts[1];
      const engine = sys.engine(puller);
      engine.timeoutMs = timeoutMs;
      results[kind] = {
        cold: await timedPull(engine, `${reg}/big`, '1'),
        most: await timedPull(engine, `${reg}/most`, '1'),
        service: await serviceConverged(sys, first, `${reg}/svc:1`),
      };
      process.stderr.write(`${kind}: ${JSON.stringify(results[kind])}\n`);
    } finally {
      registry?.kill('SIGTERM');
      await sys.destroy();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const row = (label, key) => [label, ...systems.map((k) => secs(results[k]?.[key])), systems.length === 2 ? ratio(results.shoal?.[key], results.docker?.[key]) : ''];
process.stdout.write(table(['registry pull', ...systems, 'shoal/docker'], [
  row('cold pull, 100 MB in 4 layers (+ busybox)', 'cold'),
  row('pull, 3 of 4 big layers present', 'most'),
  row('service create → running on 5 nodes (image new to all)', 'service'),
]) + '\n');
