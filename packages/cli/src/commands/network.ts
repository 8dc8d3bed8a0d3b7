// `shoal network ls/inspect/create/rm`, shaped like docker's requests and tables.

import type { Argv } from 'yargs';
import { DaemonError, MultiError } from '../api/errors.js';
import { renderList, sortedRow, type ListFormatter } from '../format/list.js';
import { goTimeString, naturalCompare, truncateId } from '../format/text.js';
import { filtersJson, inspectAll, keyValues, type CommandContext, type GlobalArgs } from './context.js';

interface Network {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Ingress?: boolean;
  Labels?: Record<string, string> | null;
}

export const NETWORK_FORMATTER: ListFormatter = {
  defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: {
    ID: 'NETWORK ID',
    Name: 'NAME',
    Driver: 'DRIVER',
    Scope: 'SCOPE',
    IPv4: 'IPV4',
    IPv6: 'IPV6',
    Internal: 'INTERNAL',
    Labels: 'LABELS',
    CreatedAt: 'CREATED AT',
  },
};

export function renderNetworkList(networks: Network[], options: { format?: string | undefined; quiet?: boolean | undefined; noTrunc?: boolean | undefined }): string {
  const sorted = [...networks].sort((a, b) => naturalCompare(a.Name, b.Name));
  const rows = sorted.map((network) =>
    sortedRow({
      ID: options.noTrunc ? network.Id : truncateId(network.Id),
      Name: network.Name,
      Driver: network.Driver ?? '',
      Scope: network.Scope ?? '',
      IPv4: String(network.EnableIPv4 ?? false),
      IPv6: String(network.EnableIPv6 ?? false),
      Internal: String(network.Internal ?? false),
      Labels: Object.entries(network.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
      CreatedAt: goTimeString(network.Created ?? ''),
    }),
  );
  return renderList(NETWORK_FORMATTER, rows, options);
}

interface CreateArgs {
  name: string;
  driver: string;
  scope?: string | undefined;
  ipv6?: boolean | undefined;
  'ipam-driver': string;
  'ipam-opt'?: string[] | undefined;
  subnet?: string[] | undefined;
  gateway?: string[] | undefined;
  'ip-range'?: string[] | undefined;
  'aux-address'?: string[] | undefined;
  internal?: boolean | undefined;
  attachable?: boolean | undefined;
  ingress?: boolean | undefined;
  'config-only'?: boolean | undefined;
  'config-from'?: string | undefined;
  opt?: string[] | undefined;
  label?: string[] | undefined;
}

/** The body docker sends to POST /networks/create (`CheckDuplicate` only below API 1.44). */
export function networkCreateBody(args: CreateArgs, apiVersion: string): Record<string, unknown> {
  const config = (args.subnet ?? []).map((subnet, index) => {
    const entry: Record<string, unknown> = { Subnet: subnet };
    if (args['ip-range']?.[index]) entry['IPRange'] = args['ip-range'][index];
    if (args.gateway?.[index]) entry['Gateway'] = args.gateway[index];
    if (args['aux-address'] && index === 0) entry['AuxiliaryAddresses'] = keyValues(args['aux-address']);
    return entry;
  });
  const body: Record<string, unknown> = { Driver: args.driver, Scope: args.scope ?? '' };
  if (args.ipv6 !== undefined) body['EnableIPv6'] = args.ipv6;
  Object.assign(body, {
    IPAM: { Driver: args['ipam-driver'], Options: keyValues(args['ipam-opt']), Config: config },
    Internal: !!args.internal,
    Attachable: !!args.attachable,
    Ingress: !!args.ingress,
    ConfigOnly: !!args['config-only'],
    ConfigFrom: args['config-from'] ? { Network: args['config-from'] } : null,
    Options: keyValues(args.opt),
    Labels: keyValues(args.label),
    Name: args.name,
  });
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  if (major === 1 && minor < 44) body['CheckDuplicate'] = true;
  return body;
}

function createOptions(y: Argv<GlobalArgs>) {
  return y
    .positional('name', { type: 'string', demandOption: true })
    .option('driver', { alias: 'd', type: 'string', default: 'bridge', describe: 'Driver to manage the Network' })
    .option('scope', { type: 'string', describe: "Control the network's scope" })
    .option('ipv6', { type: 'boolean', describe: 'Enable or disable IPv6 networking' })
    .option('ipam-driver', { type: 'string', default: 'default', describe: 'IP Address Management Driver' })
    .option('ipam-opt', { type: 'string', array: true, describe: 'Set IPAM driver specific options' })
    .option('subnet', { type: 'string', array: true, describe: 'Subnet in CIDR format that represents a network segment' })
    .option('gateway', { type: 'string', array: true, describe: 'IPv4 or IPv6 Gateway for the master subnet' })
    .option('ip-range', { type: 'string', array: true, describe: 'Allocate container ip from a sub-range' })
    .option('aux-address', { type: 'string', array: true, describe: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' })
    .option('internal', { type: 'boolean', describe: 'Restrict external access to the network' })
    .option('attachable', { type: 'boolean', describe: 'Enable manual container attachment' })
    .option('ingress', { type: 'boolean', describe: 'Create swarm routing-mesh network' })
    .option('config-only', { type: 'boolean', describe: 'Create a configuration only network' })
    .option('config-from', { type: 'string', describe: 'The network from which to copy the configuration' })
    .option('opt', { alias: 'o', type: 'string', array: true, describe: 'Set driver specific options' })
    .option('label', { type: 'string', array: true, describe: 'Set metadata on a network' })
    .strict();
}

export function registerNetwork(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command('network', 'Manage networks', (network) =>
    network
      .command(
        ['ls', 'list'],
        'List networks',
        (y) =>
          y
            .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Provide filter values (e.g. "driver=bridge")' })
            .option('format', { type: 'string', describe: 'Format output using a custom template' })
            .option('no-trunc', { type: 'boolean', describe: 'Do not truncate the output' })
            .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display network IDs' })
            .strict(),
        async (args) => {
          const networks = await ctx.client(args.host).get<Network[]>('/networks', { filters: filtersJson(args.filter) });
          ctx.io.out(renderNetworkList(networks, { format: args.format, quiet: args.quiet, noTrunc: args['no-trunc'] }));
        },
      )
      .command(
        'inspect <networks..>',
        'Display detailed information on one or more networks',
        (y) =>
          y
            .option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' })
            .option('verbose', { alias: 'v', type: 'boolean', describe: 'Verbose output for diagnostics' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          await inspectAll(ctx, args.networks as string[], args.format, (ref) =>
            client.get(`/networks/${ref}`, { verbose: args.verbose ? true : undefined }),
          );
        },
      )
      .command('create <name>', 'Create a network', createOptions, async (args) => {
        const client = ctx.client(args.host);
        const body = networkCreateBody(args, await client.apiVersion());
        const created = await client.post<{ Id: string }>('/networks/create', { body });
        ctx.io.out(`${created?.Id ?? ''}\n`);
      })
      .command(
        ['rm <networks..>', 'remove'],
        'Remove one or more networks',
        (y) => y.option('force', { alias: 'f', type: 'boolean', describe: 'Do not error if the network does not exist' }).strict(),
        async (args) => {
          const client = ctx.client(args.host);
          const errors: Error[] = [];
          for (const ref of args.networks as string[]) {
            try {
              // docker inspects first (to warn about the ingress network) and deletes regardless.
              await client.get(`/networks/${ref}`).catch(() => undefined);
              await client.delete(`/networks/${ref}`);
              ctx.io.out(`${ref}\n`);
            } catch (error) {
              if (!(error instanceof DaemonError)) throw error;
              if (!(args.force && error.isNotFound)) errors.push(error);
            }
          }
          if (errors.length > 0) throw new MultiError([...errors, new Error('exit status 1')]);
        },
      )
      .demandCommand(1, 'a subcommand is required'),
  );
}
