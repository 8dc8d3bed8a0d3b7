// A cluster of hosts on one machine: create it as a list of steps, load it from its state file, find
// its hosts, and destroy it, also after a crash half-way through creating it.
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attachHost, createSwitch } from './bridge.js';
import { ClusterError } from './errors.js';
import { daemonArgv, startDaemon, waitForSocket, type Host } from './hosts.js';
import { clusterStateDir, isClusterNetns, planCluster, validateName, type ClusterLayout } from './layout.js';
import { deleteNetns, listNetns, netnsExists } from './netns.js';
import { mountsUnder, pidsInBoundNetnses, pidsInNetnses, terminate, unmountAll } from './reclaim.js';
import { DEFAULT_DATA_ROOT, DEFAULT_STATE_ROOT, listStates, readState, writeState, type ClusterState } from './state.js';

export interface Cluster extends Omit<ClusterLayout, 'hosts'> {
  readonly hosts: readonly Host[];
}

export interface RootOptions {
  /** Where state files, logs, pidfiles, sockets and exec roots live. Default /run/shoal-cluster. */
  readonly stateRoot?: string;
  /** Where the hosts' data roots live. Default /var/lib/shoal-cluster. */
  readonly dataRoot?: string;
}

export interface CreateClusterOptions extends RootOptions {
  readonly name: string;
  /** Default 3. */
  readonly managers?: number;
  /** Default 2. */
  readonly workers?: number;
  /** Underlay subnet; hosts get its addresses from .1 up, managers first. Default 198.51.100.0/24. */
  readonly subnet?: string;
  /** argv that starts a daemon; per-host flags are appended. Default: this checkout's bin/shoald. */
  readonly daemonCommand?: readonly string[];
  /** Called before each step with what it is about to do. */
  readonly onProgress?: (step: string) => void;
}

/** This checkout's shoald: packages/cli/dist/src/cluster/ → repository root. */
export const DEFAULT_DAEMON_COMMAND: readonly string[] = [
  process.execPath,
  fileURLToPath(new URL('../../../../../bin/shoald', import.meta.url)),
];

function roots(options: RootOptions): { stateRoot: string; dataRoot: string } {
  return { stateRoot: options.stateRoot ?? DEFAULT_STATE_ROOT, dataRoot: options.dataRoot ?? DEFAULT_DATA_ROOT };
}

/**
 * Creates the namespaces and the network of a new cluster (daemons are started separately). The state
 * file is written first; if any step fails, everything made so far is removed before the error surfaces.
 */
export async function createCluster(options: CreateClusterOptions): Promise<Cluster> {
  const layout = planCluster({
    name: options.name,
    managers: options.managers ?? 3,
    workers: options.workers ?? 2,
    subnet: options.subnet ?? '198.51.100.0/24',
    ...roots(options),
  });
  await refuseExisting(layout);
  const state: ClusterState = {
    version: 1,
    layout,
    daemonCommand: options.daemonCommand ?? DEFAULT_DAEMON_COMMAND,
    createdAt: new Date().toISOString(),
  };
  const progress = options.onProgress ?? (() => {});
  writeState(state);
  try {
    progress(`creating switch namespace ${layout.switchNetns}`);
    await createSwitch(layout.switchNetns);
    for (const host of layout.hosts) {
      progress(`creating host ${host.name} (${host.addr})`);
      await attachHost(layout.switchNetns, host);
    }
  } catch (err) {
    await destroyCluster(layout.name, options);
    throw err;
  }
  return clusterFromState(state);
}

async function refuseExisting(layout: ClusterLayout): Promise<void> {
  const leftovers = (await listNetns()).filter((ns) => isClusterNetns(layout.name, ns));
  // A data directory without the rest is a crash's leftover: reusing it would revive old node identities.
  const dirs = [layout.stateDir, layout.dataDir].filter((dir) => existsSync(dir));
  if (dirs.length > 0 || leftovers.length > 0) {
    throw new ClusterError(
      'CLUSTER_EXISTS',
      `cluster ${layout.name} already exists (${[...dirs, ...leftovers].join(', ')}); ` +
        `\`shoal cluster down --name ${layout.name}\` removes it`,
    );
  }
}

function clusterFromState(state: ClusterState): Cluster {
  return {
    ...state.layout,
    hosts: state.layout.hosts.map((host) => ({ ...host, daemonArgv: daemonArgv(state.daemonCommand, host) })),
  };
}

/** The cluster named `name`, from its state file. */
export function loadCluster(name: string, options: RootOptions = {}): Cluster {
  validateName(name);
  const state = readState(clusterStateDir(roots(options).stateRoot, name));
  if (state === undefined) throw new ClusterError('CLUSTER_NOT_FOUND', `no cluster named ${name}`);
  return clusterFromState(state);
}

export function listClusters(options: RootOptions = {}): Cluster[] {
  return listStates(roots(options).stateRoot).map(clusterFromState);
}

/** The host called `hostName` (e.g. shoal-manager-1) in whichever cluster has it. */
export function findHost(hostName: string, options: RootOptions = {}): Host {
  for (const cluster of listClusters(options)) {
    const host = cluster.hosts.find((h) => h.name === hostName);
    if (host !== undefined) return host;
  }
  throw new ClusterError('HOST_NOT_FOUND', `no host named ${hostName} in any cluster`);
}

/** Starts every host's daemon and waits until all of them serve their sockets. */
export async function startDaemons(cluster: Cluster, options: { socketTimeoutMs?: number } = {}): Promise<void> {
  for (const host of cluster.hosts) await startDaemon(host);
  await Promise.all(cluster.hosts.map((host) => waitForSocket(host, { timeoutMs: options.socketTimeoutMs })));
}

export interface DestroyOptions extends RootOptions {
  /** How long processes get between SIGTERM and SIGKILL. Default 5 000 ms. */
  readonly graceMs?: number;
}

/**
 * Removes everything cluster `name` made: processes in its namespaces, mounts under its directories,
 * the namespaces (and with them every link and nftables table inside), and its directories. Works from
 * the state file and, for what a crash left unrecorded, from the names alone. Returns false if there was
 * nothing to remove.
 */
export async function destroyCluster(name: string, options: DestroyOptions = {}): Promise<boolean> {
  validateName(name);
  const { stateRoot, dataRoot } = roots(options);
  const state = readState(clusterStateDir(stateRoot, name));
  const layout = state?.layout;
  const dirs = [layout?.stateDir ?? clusterStateDir(stateRoot, name), layout?.dataDir ?? `${dataRoot}/${name}`];
  const recorded = layout === undefined ? [] : [...layout.hosts.map((h) => h.netns), layout.switchNetns];
  const found = (await listNetns()).filter((ns) => isClusterNetns(name, ns));
  const netnses = [...new Set([...recorded, ...found])].filter(netnsExists);
  if (netnses.length === 0 && !dirs.some((dir) => existsSync(dir))) return false;

  const graceMs = options.graceMs ?? 5_000;
  await terminate(await pidsInNetnses(netnses), graceMs);
  const mounts = mountsUnder(dirs);
  await terminate(pidsInBoundNetnses(mounts.filter((m) => m.fstype === 'nsfs').map((m) => m.path)), graceMs);
  await unmountAll(mounts.map((m) => m.path));
  // Hosts first: deleting a host namespace removes its veth pair, then the bridge goes with the switch.
  for (const ns of netnses.sort((a, b) => Number(a.endsWith('-switch')) - Number(b.endsWith('-switch')))) {
    await deleteNetns(ns);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  return true;
}
