// `shoal swarm ...`: init, join, join-token, leave, update, with docker's request bodies and text.

import type { Argv } from 'yargs';
import { UsageError } from '../api/errors.js';
import type { EngineClient } from '../api/client.js';
import { parseDurationNs } from '../format/duration.js';
import type { CommandContext, GlobalArgs } from './context.js';
import type { Node } from './node-format.js';

export const DEFAULT_LISTEN_ADDR = '0.0.0.0:2377';

interface Swarm {
  Version: { Index: number };
  Spec: Record<string, any>;
  JoinTokens: { Worker: string; Manager: string };
}

/** docker's NodeAddrOption: "10.0.0.1" → "10.0.0.1:2377", ":4000" → "0.0.0.0:4000". */
export function parseNodeAddr(value: string): string {
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(value);
  if (bracketed) return `[${bracketed[1]}]:${bracketed[2] || '2377'}`;
  const colon = value.lastIndexOf(':');
  if (colon === -1) return `${value}:2377`;
  const host = value.slice(0, colon) || '0.0.0.0';
  const port = value.slice(colon + 1) || '2377';
  if (!/^\d+$/.test(port)) throw new UsageError(`invalid port in address ${JSON.stringify(value)}`);
  return `${host}:${port}`;
}

function availability(value: string | undefined): string {
  if (value === undefined) return '';
  const lower = value.toLowerCase();
  if (lower === 'active' || lower === 'pause' || lower === 'drain') return lower;
  throw new UsageError(`invalid availability "${value}", only active, pause and drain are supported`);
}

interface SpecFlags {
  'task-history-limit'?: number | undefined;
  'dispatcher-heartbeat'?: string | undefined;
  'cert-expiry'?: string | undefined;
  'max-snapshots'?: number | undefined;
  'snapshot-interval'?: number | undefined;
  'election-tick'?: number | undefined;
  'heartbeat-tick'?: number | undefined;
}

function specOptions<T>(y: Argv<T>) {
  return y
    .option('task-history-limit', { type: 'number', describe: 'Task history retention limit', defaultDescription: '5' })
    .option('dispatcher-heartbeat', { type: 'string', describe: 'Dispatcher heartbeat period (ns|us|ms|s|m|h)', defaultDescription: '5s' })
    .option('cert-expiry', { type: 'string', describe: 'Validity period for node certificates (ns|us|ms|s|m|h)', defaultDescription: '2160h0m0s' })
    .option('max-snapshots', { type: 'number', describe: 'Number of additional Raft snapshots to retain' })
    .option('snapshot-interval', { type: 'number', describe: 'Number of log entries between Raft snapshots', defaultDescription: '10000' })
    .option('election-tick', { type: 'number', describe: 'Raft ticks without a leader before an election (shoal)' })
    .option('heartbeat-tick', { type: 'number', describe: 'Raft ticks between leader heartbeats (shoal)' });
}

/** Writes only the flags the user gave into a cluster spec, as docker's swarmOptions.mergeSwarmSpec does. */
export function mergeSpecFlags(spec: Record<string, any>, flags: SpecFlags): void {
  if (flags['task-history-limit'] !== undefined) (spec['Orchestration'] ??= {})['TaskHistoryRetentionLimit'] = flags['task-history-limit'];
  if (flags['dispatcher-heartbeat'] !== undefined) {
    (spec['Dispatcher'] ??= {})['HeartbeatPeriod'] = parseDurationNs(flags['dispatcher-heartbeat']);
  }
  if (flags['cert-expiry'] !== undefined) (spec['CAConfig'] ??= {})['NodeCertExpiry'] = parseDurationNs(flags['cert-expiry']);
  const raft = (spec['Raft'] ??= {}) as Record<string, number>;
  if (flags['snapshot-interval'] !== undefined) raft['SnapshotInterval'] = flags['snapshot-interval'];
  if (flags['max-snapshots'] !== undefined) raft['KeepOldSnapshots'] = flags['max-snapshots'];
  if (flags['election-tick'] !== undefined) raft['ElectionTick'] = flags['election-tick'];
  if (flags['heartbeat-tick'] !== undefined) raft['HeartbeatTick'] = flags['heartbeat-tick'];
}

/** The spec `docker swarm init` sends: zero values, then the flags given. */
export function initSpec(flags: SpecFlags): Record<string, any> {
  const raft: Record<string, number> = {};
  if (flags['snapshot-interval'] !== undefined) raft['SnapshotInterval'] = flags['snapshot-interval'];
  if (flags['max-snapshots'] !== undefined) raft['KeepOldSnapshots'] = flags['max-snapshots'];
  raft['ElectionTick'] = flags['election-tick'] ?? 0;
  raft['HeartbeatTick'] = flags['heartbeat-tick'] ?? 0;
  const spec: Record<string, any> = {
    Labels: null,
    Orchestration: {},
    Raft: raft,
    Dispatcher: {},
    CAConfig: {},
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
  mergeSpecFlags(spec, { ...flags, 'snapshot-interval': undefined, 'max-snapshots': undefined, 'election-tick': undefined, 'heartbeat-tick': undefined });
  return spec;
}

async function printJoinCommand(ctx: CommandContext, client: EngineClient, nodeId: string, role: 'worker' | 'manager'): Promise<void> {
  const node = await client.get<Node>(`/nodes/${nodeId}`);
  const swarm = await client.get<Swarm>('/swarm');
  if (!node.ManagerStatus) return;
  const token = role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
  ctx.io.out(`To add a ${role} to this swarm, run the following command:\n\n    shoal swarm join --token ${token} ${node.ManagerStatus.Addr ?? ''}\n\n`);
}

function registerJoinToken(y: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return y.command(
    'join-token <role>',
    'Manage join tokens',
    (c) =>
      c
        .positional('role', { type: 'string', demandOption: true, describe: 'worker|manager' })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display token' })
        .option('rotate', { type: 'boolean', describe: 'Rotate join token' })
        .strict(),
    async (args) => {
      const role = args.role;
      if (role !== 'worker' && role !== 'manager') throw new UsageError(`unknown role ${role}`);
      const client = ctx.client(args.host);
      if (args.rotate) {
        const swarm = await client.get<Swarm>('/swarm');
        const query = {
          rotateManagerToken: role === 'manager',
          rotateManagerUnlockKey: false,
          rotateWorkerToken: role === 'worker',
          version: swarm.Version.Index,
        };
        await client.post('/swarm/update', { query, body: swarm.Spec });
        if (!args.quiet) ctx.io.out(`Successfully rotated ${role} join token.\n\n`);
      }
      const swarm = await client.get<Swarm>('/swarm');
      if (args.quiet) {
        ctx.io.out(`${role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager}\n`);
        return;
      }
      const info = await client.get<{ Swarm?: { NodeID?: string } }>('/info');
      await printJoinCommand(ctx, client, info.Swarm?.NodeID ?? '', role);
    },
  );
}

function registerInit(y: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return y.command(
    'init',
    'Initialize a swarm',
    (c) =>
      specOptions(c)
        .option('advertise-addr', { type: 'string', describe: 'Advertised address (format: "<ip|interface>[:port]")' })
        .option('listen-addr', { type: 'string', describe: 'Listen address (format: "<ip|interface>[:port]")', defaultDescription: DEFAULT_LISTEN_ADDR })
        .option('data-path-addr', { type: 'string', describe: 'Address or interface to use for data path traffic' })
        .option('data-path-port', { type: 'number', describe: 'Port number to use for data path traffic (1024 - 49151)', defaultDescription: '4789' })
        .option('default-addr-pool', { type: 'string', array: true, describe: 'default address pool in CIDR format' })
        .option('default-addr-pool-mask-length', { type: 'number', default: 24, describe: 'default address pool subnet mask length' })
        .option('availability', { type: 'string', describe: 'Availability of the node ("active", "pause", "drain")', defaultDescription: 'active' })
        .option('force-new-cluster', { type: 'boolean', default: false, describe: 'Force create a new cluster from current state' })
        .strict(),
    async (args) => {
      const client = ctx.client(args.host);
      const body = {
        ListenAddr: parseNodeAddr(args['listen-addr'] ?? DEFAULT_LISTEN_ADDR),
        AdvertiseAddr: args['advertise-addr'] ?? '',
        DataPathAddr: args['data-path-addr'] ?? '',
        DataPathPort: args['data-path-port'] ?? 0,
        ForceNewCluster: args['force-new-cluster'],
        Spec: initSpec(args),
        AutoLockManagers: false,
        Availability: availability(args.availability),
        DefaultAddrPool: args['default-addr-pool'] ?? [],
        SubnetSize: args['default-addr-pool-mask-length'],
      };
      const nodeId = await client.post<string>('/swarm/init', { body });
      ctx.io.out(`Swarm initialized: current node (${nodeId ?? ''}) is now a manager.\n\n`);
      await printJoinCommand(ctx, client, nodeId ?? '', 'worker');
      ctx.io.out("To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n");
    },
  );
}

function registerJoin(y: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return y.command(
    'join <remote>',
    'Join a swarm as a node and/or manager',
    (c) =>
      c
        .positional('remote', { type: 'string', demandOption: true, describe: 'HOST:PORT' })
        .option('token', { type: 'string', describe: 'Token for entry into the swarm' })
        .option('advertise-addr', { type: 'string', describe: 'Advertised address (format: "<ip|interface>[:port]")' })
        .option('listen-addr', { type: 'string', describe: 'Listen address (format: "<ip|interface>[:port]")', defaultDescription: DEFAULT_LISTEN_ADDR })
        .option('data-path-addr', { type: 'string', describe: 'Address or interface to use for data path traffic' })
        .option('availability', { type: 'string', describe: 'Availability of the node ("active", "pause", "drain")', defaultDescription: 'active' })
        .strict(),
    async (args) => {
      const client = ctx.client(args.host);
      const body = {
        ListenAddr: parseNodeAddr(args['listen-addr'] ?? DEFAULT_LISTEN_ADDR),
        AdvertiseAddr: args['advertise-addr'] ?? '',
        DataPathAddr: args['data-path-addr'] ?? '',
        RemoteAddrs: [args.remote],
        JoinToken: args.token ?? '',
        Availability: availability(args.availability),
      };
      await client.post('/swarm/join', { body });
      const info = await client.get<{ Swarm?: { ControlAvailable?: boolean } }>('/info');
      ctx.io.out(`This node joined a swarm as a ${info.Swarm?.ControlAvailable ? 'manager' : 'worker'}.\n`);
    },
  );
}

export function registerSwarm(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command('swarm', 'Manage Swarm', (swarm) => {
    registerInit(swarm, ctx);
    registerJoin(swarm, ctx);
    registerJoinToken(swarm, ctx);
    return swarm
      .command(
        'leave',
        'Leave the swarm',
        (c) => c.option('force', { alias: 'f', type: 'boolean', describe: 'Force this node to leave the swarm, ignoring warnings' }).strict(),
        async (args) => {
          await ctx.client(args.host).post('/swarm/leave', { query: { force: args.force ? 1 : undefined } });
          ctx.io.out('Node left the swarm.\n');
        },
      )
      .command('update', 'Update the swarm', (c) => specOptions(c).strict(), async (args) => {
        const client = ctx.client(args.host);
        const swarm = await client.get<Swarm>('/swarm');
        mergeSpecFlags(swarm.Spec, args);
        const query = { rotateManagerToken: false, rotateManagerUnlockKey: false, rotateWorkerToken: false, version: swarm.Version.Index };
        await client.post('/swarm/update', { query, body: swarm.Spec });
        ctx.io.out('Swarm updated.\n');
      })
      .demandCommand(1, 'a subcommand is required');
  });
}
