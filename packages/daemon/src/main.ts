// shoald entry point: parse flags, serve the Engine API on the unix socket, stop cleanly on
// SIGTERM/SIGINT. The swarm coordinator plugs in through the SwarmInfoProvider and route tables.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStore, RuncRuntime, TASK_ID_LABEL, TaskImagePuller } from '@shoal/agent';
import { createEngineApi, gatherHostFacts } from './api/index.js';
import { containerRoutes } from './containers/index.js';
import { imageRoutes } from './images/index.js';
import { FlagError, parseFlags, type DaemonConfig } from './flags.js';
import { createLogger, type Logger } from './log.js';
import { BridgeNetworkStore, BridgeNetworking, StandaloneNetworking, engineCreatedAt, localId, networksView, nodeNetworkRoutes } from './networks/index.js';
import { swarmRoutes } from './swarm/routes.js';
import { SwarmNode } from './swarm/swarm-node.js';
import { serviceRoutes } from './services/routes.js';
import { secretRoutes } from './services/secret-routes.js';
import { serviceLogRoutes } from './services/logs.js';
import { watchEventLoop } from './stall-watch.js';

/**
 * Raft tick length: with Docker's default ElectionTick of 10, an election starts after 3–6 s of leader
 * silence (swarmkit's 1 s tick: 10 s). 100 ms ticks (1–2 s) lost the leader to ordinary load on two
 * cores at 5,000 nodes and 100,000 tasks, and each change cost a reconnect storm that marked nodes
 * down (docs/benchmarks.md, scale). A manager that dies is noticed sooner: the leader probe campaigns
 * as soon as the leader refuses connections.
 */
const RAFT_TICK_MS = 300;
/** A third of the shortest election timeout at the default ElectionTick: worth a line before a stall costs a term. */
const STALL_WARN_MS = 1_000;

async function main(): Promise<number> {
  let flags;
  try {
    flags = await parseFlags(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`shoald: ${err.message}\nSee 'shoald --help'.\n`);
    return 2;
  }
  if (flags.kind === 'help') {
    process.stdout.write(flags.text + '\n');
    return 0;
  }
  const log = createLogger({ level: flags.config.logLevel });
  try {
    return await serve(flags.config, log);
  } catch (err) {
    log.error('shoald failed to start', { err: err instanceof Error ? err.message : String(err) });
    return 1;
  }
}

async function serve(config: DaemonConfig, log: Logger): Promise<number> {
  // Everything shoald writes (the Raft log holds the root CA key) is for root only.
  process.umask(0o077);
  const stalls = watchEventLoop({
    thresholdMs: STALL_WARN_MS,
    checkEveryMs: RAFT_TICK_MS,
    report: (stall) => log.warn('the event loop was blocked; Raft ticks and heartbeats were late', { ...stall }),
  });
  await mkdir(config.dataRoot, { recursive: true, mode: 0o700 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  const host = gatherHostFacts({
    engineVersion: await engineVersion(),
    engineId: await engineId(config.dataRoot),
    hostname: config.hostname,
    dataRoot: config.dataRoot,
  });
  const images = await ImageStore.open(join(config.dataRoot, 'images'));
  const registry = { insecureRegistries: config.insecureRegistries, certsDir: config.registryCertsDir };
  const runtime = await RuncRuntime.open({ dataRoot: config.dataRoot, execRoot: config.execRoot, images });
  const warnNetworks = (msg: string, fields: Record<string, unknown>) => log.warn(msg, { component: 'networks', ...(fields as Record<string, string>) });
  const bridgeStore = new BridgeNetworkStore(join(config.dataRoot, 'local-networks.json'), localId(host.engineId, 'bridge'), await engineCreatedAt(config.dataRoot));
  const bridges = new BridgeNetworking(runtime, bridgeStore, {
    statePath: join(config.dataRoot, 'bridge-endpoints.json'), netnsDir: join(config.execRoot, 'bridge-netns'), log: warnNetworks,
  });
  await bridges.restore();
  const swarm = new SwarmNode({
    dataRoot: config.dataRoot, host, log: log.child({ component: 'swarm' }), raftTickMs: RAFT_TICK_MS, runtime,
    liveContainers: () => standalone.liveContainers(),
    taskImages: new TaskImagePuller(images, registry),
  });
  const standalone = new StandaloneNetworking(bridges.runtime, swarm, warnNetworks, join(config.dataRoot, 'container-networks.json'), (mode) => bridgeStore.find(mode) !== undefined);
  await swarm.resume();
  runtime.startRestarts((id) => standalone.runtime.start(id));
  const engineCounts = () => {
    const containers = runtime.list();
    const running = containers.filter((c) => c.state.status === 'running').length;
    return { containers: containers.length, running, paused: 0, stopped: containers.length - running, images: images.list().length };
  };
  // --network host: the namespace shoald itself runs in (the host's, or the test host's).
  const hostNetns = `/proc/${process.pid}/ns/net`;
  const api = createEngineApi({
    system: { host, swarm: { swarmInfo: () => swarm.swarmInfo(), engineCounts } },
    routes: [
      swarmRoutes(swarm),
      serviceRoutes(swarm),
      secretRoutes(swarm),
      serviceLogRoutes(swarm),
      await nodeNetworkRoutes(swarm, { engineId: host.engineId, dataRoot: config.dataRoot, containerOf: (taskId) => taskContainer(runtime, taskId), containers: standalone, bridges: { store: bridgeStore, networking: bridges } }),
      containerRoutes(standalone.runtime, {
        netnsFor: (mode) => (mode === 'host' ? hostNetns : undefined),
        networksOf: (record) => ({ ...bridges.networksView(record.spec.id), ...networksView(record.spec.id, standalone.endpoints.list(record.spec.id)) }),
        imageExposedPorts: (image) => exposedPorts(images, image),
      }),
      imageRoutes(images, (id) => runtime.imageUsers(id), registry),
    ],
    log: log.child({ component: 'api' }),
  });
  const server = await api.listen({ kind: 'unix', path: config.socketPath });
  log.info('API listening', { addr: server.address, hostname: config.hostname, dataRoot: config.dataRoot });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info('shutting down', { signal });
  await server.close();
  await swarm.stop();
  await bridges.close();
  runtime.close();
  stalls.stop();
  log.info('stopped');
  return 0;
}

/** The container of a sandbox: a swarm task's (named after the task) or a standalone container's (its ID). */
function taskContainer(runtime: RuncRuntime, taskId: string): { id: string; name: string } | undefined {
  const record = runtime.list().find((r) => r.spec.labels?.[TASK_ID_LABEL] === taskId && !r.removed) ?? runtime.get(taskId);
  return record === undefined ? undefined : { id: record.spec.id, name: record.spec.name };
}

/** An image's ExposedPorts keys; none for an image this node does not have (the create then fails on it). */
function exposedPorts(images: ImageStore, ref: string): string[] {
  try {
    const exposed = images.resolve(ref).config.config?.['ExposedPorts'];
    return typeof exposed === 'object' && exposed !== null ? Object.keys(exposed) : [];
  } catch {
    return [];
  }
}

async function engineVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** A random identity of this engine, created once and kept under the data root. */
async function engineId(dataRoot: string): Promise<string> {
  const path = join(dataRoot, 'engine-id');
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing !== '') return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomBytes(32).toString('hex');
  await writeFile(path, id + '\n', { mode: 0o600 });
  return id;
}

process.exitCode = await main();
