// `shoal cluster`: a multi-host swarm on one machine, each host a network namespace running a shoald.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { createCluster, destroyCluster, findHost, listClusters, loadCluster, startDaemons, type Cluster } from './cluster.js';
import { ExitStatus } from '../api/errors.js';
import { ClusterError } from './errors.js';
import { daemonPid } from './hosts.js';
import { nsenterArgv } from './netns.js';
import { formSwarm, shoalCli } from './swarm.js';
import { loadTestImage, writeBusyboxSaveTar } from './test-image.js';

export * from './cluster.js';
export * from './errors.js';
export { daemonPid, docker, execOnHost, kill9, logTail, restartDaemon, startDaemon, stopDaemon, waitForSocket } from './hosts.js';
export type { Host, StopOptions } from './hosts.js';
export type { HostLayout, HostRole } from './layout.js';
export { heal, partition } from './partition.js';
export { listNetns } from './netns.js';
export { run, runOk, type RunOptions, type RunResult } from './run.js';
export { cliOk, dockerCli, formSwarm, nodeLs, shoalCli, waitForNodes, type CliRunner, type NodeRow } from './swarm.js';
export { waitFor, WaitTimeoutError, type WaitOptions } from './wait.js';
export { BUSYBOX_BINARY, loadTestImage, writeBusyboxRootfsTar, writeBusyboxSaveTar } from './test-image.js';

export interface UpStep {
  readonly title: string;
  run(cluster: Cluster): Promise<void>;
}

/** What `cluster up` does once the hosts' namespaces and network exist, in order. */
export const UP_STEPS: readonly UpStep[] = [
  { title: 'starting daemons and waiting for their sockets', run: (cluster) => startDaemons(cluster) },
  { title: 'forming the swarm (init on the first manager, join the others)', run: (cluster) => formSwarm(cluster, { cli: shoalCli }) },
  { title: 'loading the test image (busybox:latest) on every host', run: (cluster) => loadTestImageEverywhere(cluster) },
];

const DEFAULT_NAME = 'shoal';

async function loadTestImageEverywhere(cluster: Cluster): Promise<void> {
  const archive = join(cluster.stateDir, 'busybox-image.tar');
  writeBusyboxSaveTar(archive);
  for (const host of cluster.hosts) await loadTestImage(host.socket, archive);
}

export function registerClusterCommands<T>(yargs: Argv<T>): Argv<T> {
  return yargs.command('cluster', 'Run a multi-host swarm on this machine (one network namespace per host)', (cluster) =>
    cluster
      .command(
        'up',
        'Create the hosts, start their daemons and form the swarm',
        (y) =>
          y
            .option('managers', { type: 'number', default: 3, describe: 'Number of manager hosts' })
            .option('workers', { type: 'number', default: 2, describe: 'Number of worker hosts' })
            .option('name', { type: 'string', default: DEFAULT_NAME, describe: 'Cluster name (prefix of host names)' })
            .option('subnet', { type: 'string', default: '198.51.100.0/24', describe: 'Underlay subnet of the hosts' }),
        (argv) => up(argv),
      )
      .command('ls', 'List clusters and their hosts', {}, () => ls())
      .command(
        'down',
        'Remove a cluster: processes, namespaces, links, nftables tables and files',
        (y) => y.option('name', { type: 'string', default: DEFAULT_NAME, describe: 'Cluster name' }),
        async (argv) => {
          const removed = await destroyCluster(argv.name);
          process.stdout.write(removed ? `cluster ${argv.name} removed\n` : `no cluster named ${argv.name}\n`);
        },
      )
      .command(
        'exec <host> [command..]',
        'Run a command (default: a shell) inside a host, with DOCKER_HOST pointing at its daemon',
        (y) =>
          y
            .positional('host', { type: 'string', demandOption: true, describe: 'Host name, e.g. shoal-manager-1' })
            .positional('command', { type: 'string', array: true, describe: 'Command and arguments (after --)' }),
        // Words after `--` land in argv._ after the command path, not in the positional.
        (argv) => {
          const afterDashes = (argv as { '--'?: unknown[] })['--'] ?? [];
          return exec(argv.host, [...(argv.command ?? []), ...argv._.slice(argv._.indexOf('exec') + 1), ...afterDashes].map(String));
        },
      )
      .demandCommand(1, 'Specify a cluster subcommand'),
  );
}

async function up(argv: { name: string; managers: number; workers: number; subnet: string }): Promise<void> {
  const existing = listClusters().find((c) => c.name === argv.name);
  if (existing !== undefined && existing.hosts.every((h) => daemonPid(h) !== undefined)) {
    process.stdout.write(`cluster ${argv.name} is already up\n`);
    printHosts(existing);
    return;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = await createCluster({ ...argv, onProgress: say });
  try {
    for (const step of UP_STEPS) {
      say(step.title);
      await step.run(cluster);
    }
  } catch (err) {
    say(`failed; removing cluster ${cluster.name}`);
    await destroyCluster(cluster.name);
    throw err;
  }
  printHosts(loadCluster(cluster.name));
}

function printHosts(cluster: Cluster): void {
  process.stdout.write(`\nPoint shoal or docker at a host of cluster ${cluster.name}:\n`);
  for (const host of cluster.hosts) {
    process.stdout.write(`  # ${host.name} (${host.role}, ${host.addr})\n  export DOCKER_HOST=unix://${host.socket}\n`);
  }
}

function ls(): void {
  const rows = [['CLUSTER', 'HOST', 'ROLE', 'ADDRESS', 'DAEMON', 'SOCKET']];
  for (const cluster of listClusters()) {
    for (const host of cluster.hosts) {
      const pid = daemonPid(host);
      rows.push([cluster.name, host.name, host.role, host.addr, pid === undefined ? 'stopped' : `running (pid ${pid})`, host.socket]);
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) {
    process.stdout.write(row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]! + 3))).join('') + '\n');
  }
}

async function exec(hostName: string, command: string[]): Promise<void> {
  const host = findHost(hostName);
  const argv = nsenterArgv(host.netns, command.length > 0 ? command : [process.env['SHELL'] ?? '/bin/sh']);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: { ...process.env, DOCKER_HOST: `unix://${host.socket}` } });
  const status = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new ClusterError('COMMAND_FAILED', `${hostName}: ${err.message}`, { cause: err })));
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
  if (status !== 0) throw new ExitStatus(status);
}
