// `shoal service ls/ps/inspect/create/rm`: docker's argument parsing, requests and tables.

import type { Argv } from 'yargs';
import { DaemonError, UsageError } from '../api/errors.js';
import type { EngineClient } from '../api/client.js';
import { renderList, sortedRow, type ListFormatter } from '../format/list.js';
import { naturalCompare, truncateId } from '../format/text.js';
import { filtersJson, forEachArg, inspectAll, type CommandContext, type GlobalArgs } from './context.js';
import { rolloutOptions, serviceSpec, type PortConfig } from './service-spec.js';
import { registerServiceUpdate } from './service-update.js';
import { renderServicePretty } from './service-pretty.js';
import { waitOnService } from '../progress/wait-on-service.js';
import { NameResolver, renderTasks, type Task } from './tasks.js';
import { registerServiceLogs } from './service-logs.js';
import { registerServiceScale } from './service-scale.js';

interface Service {
  ID: string;
  Spec: {
    Name: string;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object; GlobalJob?: object };
    TaskTemplate?: { ContainerSpec?: { Image?: string }; Placement?: { MaxReplicas?: number } };
  };
  Endpoint?: { Ports?: PortConfig[] };
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number; CompletedTasks?: number };
}

export const SERVICE_FORMATTER: ListFormatter = {
  defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}',
  headers: { ID: 'ID', Name: 'NAME', Mode: 'MODE', Replicas: 'REPLICAS', Image: 'IMAGE', Ports: 'PORTS' },
};

function serviceMode(service: Service): string {
  const mode = service.Spec.Mode ?? {};
  if (mode.Global) return 'global';
  if (mode.ReplicatedJob) return 'replicated job';
  if (mode.GlobalJob) return 'global job';
  return 'replicated';
}

export function renderServiceList(services: Service[], options: { format?: string | undefined; quiet?: boolean | undefined }): string {
  const sorted = [...services].sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name));
  const rows = sorted.map((service) => {
    const status = service.ServiceStatus ?? {};
    const max = service.Spec.TaskTemplate?.Placement?.MaxReplicas ?? 0;
    const image = service.Spec.TaskTemplate?.ContainerSpec?.Image ?? '';
    const ports = (service.Endpoint?.Ports ?? [])
      .filter((port) => port.PublishMode === 'ingress')
      .map((port) => `*:${port.PublishedPort ?? 0}->${port.TargetPort ?? 0}/${port.Protocol ?? 'tcp'}`);
    return sortedRow({
      ID: truncateId(service.ID),
      Name: service.Spec.Name,
      Mode: serviceMode(service),
      Replicas: `${status.RunningTasks ?? 0}/${status.DesiredTasks ?? 0}${max > 0 ? ` (max ${max} per node)` : ''}`,
      Image: image.includes('@') ? image.slice(0, image.indexOf('@')) : image,
      Ports: ports.join(', '),
    });
  });
  return renderList(SERVICE_FORMATTER, rows, options);
}

const CREATE_BOOLEAN_FLAGS = new Set(['-d', '--detach', '-q', '--quiet', '--no-resolve-image', '--help', '-h']);

/**
 * `service create IMAGE COMMAND ARGS...` passes everything after the image to the container,
 * flags included (cobra's SetInterspersed(false)); this inserts the `--` that tells yargs so.
 */
export function separateServiceCommand(argv: string[]): string[] {
  const service = argv.indexOf('service');
  if (service === -1 || argv[service + 1] !== 'create') return argv;
  for (let index = service + 2; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--') return argv;
    if (!word.startsWith('-') || word === '-') return [...argv.slice(0, index + 1), '--', ...argv.slice(index + 1)];
    if (!word.includes('=') && !CREATE_BOOLEAN_FLAGS.has(word)) index++;
  }
  return argv;
}

async function findService(client: EngineClient, ref: string): Promise<Service> {
  const byId = await client.get<Service[]>('/services', { filters: filtersJson([`id=${ref}`]) });
  const found = byId.find((s) => s.ID === ref) ?? byId[0];
  if (found) return found;
  const byName = await client.get<Service[]>('/services', { filters: filtersJson([`name=${ref}`]) });
  const named = byName.find((s) => s.Spec.Name === ref);
  if (!named) throw new UsageError(`no such service: ${ref}`);
  return named;
}

function createOptions(y: Argv<GlobalArgs>) {
  return rolloutOptions(y)
    .positional('image', { type: 'string', demandOption: true })
    .option('name', { type: 'string', describe: 'Service name' })
    .option('replicas', { type: 'number', describe: 'Number of tasks' })
    .option('mode', { type: 'string', default: 'replicated', describe: 'Service mode ("replicated", "global", "replicated-job", "global-job")' })
    .option('network', { type: 'string', array: true, describe: 'Network attachments' })
    .option('publish', { alias: 'p', type: 'string', array: true, describe: 'Publish a port as a node port' })
    .option('env', { alias: 'e', type: 'string', array: true, describe: 'Set environment variables' })
    .option('label', { alias: 'l', type: 'string', array: true, describe: 'Service labels' })
    .option('container-label', { type: 'string', array: true, describe: 'Container labels' })
    .option('constraint', { type: 'string', array: true, describe: 'Placement constraints' })
    .option('replicas-max-per-node', { type: 'number', describe: 'Maximum number of tasks per node' })
    .option('placement-pref', { type: 'string', array: true, describe: 'Add a placement preference' })
    .option('stop-grace-period', { type: 'string', describe: 'Time to wait before force killing a container (ns|us|ms|s|m|h)' })
    .option('endpoint-mode', { type: 'string', default: 'vip', describe: 'Endpoint mode (vip or dnsrr)' })
    .option('detach', { alias: 'd', type: 'boolean', describe: 'Exit immediately instead of waiting for the service to converge' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress progress output' })
    .option('no-resolve-image', { type: 'boolean', describe: 'Do not query the registry to resolve image digest' })
    .strict();
}

export function registerService(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command('service', 'Manage Swarm services', (service) =>
    registerServiceUpdate(registerServiceScale(registerServiceLogs(service, ctx), ctx), ctx)
      .command(
        ['ls', 'list'],
        'List services',
        (y) =>
          y
            .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
            .option('format', { type: 'string', describe: 'Format output using a custom template' })
            .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display IDs' })
            .strict(),
        async (args) => {
          const services = await ctx.client(args.host).get<Service[]>('/services', { filters: filtersJson(args.filter), status: true });
          ctx.io.out(renderServiceList(services, { format: args.format, quiet: args.quiet }));
        },
      )
      .command(
        'ps <services..>',
        'List the tasks of one or more services',
        (y) =>
          y
            .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
            .option('format', { type: 'string', describe: 'Pretty-print tasks using a Go template' })
            .option('no-resolve', { type: 'boolean', describe: 'Do not map IDs to Names' })
            .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
            .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display task IDs' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          const tasks: Task[] = [];
          for (const ref of args.services as string[]) {
            const found = await findService(client, ref);
            tasks.push(...(await client.get<Task[]>('/tasks', { filters: filtersJson([...(args.filter ?? []), `service=${found.ID}`]) })));
          }
          const options = { noTrunc: !!args['no-trunc'], noResolve: !!args['no-resolve'], quiet: !!args.quiet, format: args.format };
          ctx.io.out(await renderTasks(tasks, new NameResolver(client), { ...options, nowMs: ctx.nowMs() }));
        },
      )
      .command(
        'inspect <services..>',
        'Display detailed information on one or more services',
        (y) =>
          y
            .option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' })
            .option('pretty', { type: 'boolean', describe: 'Print the information in a human friendly format' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          if (args.pretty) {
            if (args.format) throw new UsageError('--format is incompatible with human friendly format');
            for (const ref of args.services as string[]) {
              const found = await client.get<Record<string, unknown>>(`/services/${ref}`, { insertDefaults: true }).catch((error: unknown) => {
                if (error instanceof DaemonError && error.isNotFound) throw new UsageError(`Error: no such service: ${ref}`);
                throw error;
              });
              ctx.io.out(await renderServicePretty(client, found, ctx.nowMs()));
            }
            return;
          }
          await inspectAll(ctx, args.services as string[], args.format, async (ref) => {
            try {
              return await client.get(`/services/${ref}`, { insertDefaults: true });
            } catch (error) {
              if (error instanceof DaemonError && error.isNotFound) throw new UsageError(`Error: no such service: ${ref}`);
              throw error;
            }
          });
        },
      )
      .command('create <image> [command..]', 'Create a new service', createOptions, async (args) => {
        const client = ctx.client(args.host);
        const networkIds: string[] = [];
        for (const name of args.network ?? []) {
          networkIds.push((await client.get<{ Id: string }>(`/networks/${name}`, { scope: 'swarm' })).Id);
        }
        const rest = (args as { '--'?: (string | number)[] })['--'] ?? [];
        const spec = serviceSpec({ ...args, command: rest }, networkIds);
        if (!args['no-resolve-image']) {
          await client.get(`/distribution/${args.image}/json`).catch(() => {
            ctx.io.err(
              `image ${args.image} could not be accessed on a registry to record\nits digest. Each node will access ${args.image} independently,\npossibly leading to different nodes running different\nversions of the image.\n\n`,
            );
          });
        }
        const created = await client.post<{ ID: string; Warnings?: string[] | null }>('/services/create', { body: spec });
        for (const warning of created?.Warnings ?? []) ctx.io.err(`${warning}\n`);
        const id = created?.ID ?? '';
        ctx.io.out(`${id}\n`);
        if (!args.detach) await waitOnService(ctx, client, id, !!args.quiet);
      })
      .command(['rm <services..>', 'remove'], 'Remove one or more services', (y) => y.strict(), async (args) => {
        const client = ctx.client(args.host);
        await forEachArg(args.services as string[], async (ref) => {
          await client.delete(`/services/${ref}`);
          ctx.io.out(`${ref}\n`);
        });
      })
      .demandCommand(1, 'a subcommand is required'),
  );
}
