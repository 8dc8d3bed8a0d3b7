// Standalone containers: `shoal ps/logs/rm/stop/start/kill/inspect` and `shoal container ...`, with docker's requests and table.
import type { Argv } from 'yargs';
import { DaemonError, MultiError, UsageError } from '../api/errors.js';
import { humanDuration } from '../format/duration.js';
import { renderList, sortedRow, type ListFormatter } from '../format/list.js';
import { ellipsis, truncateId } from '../format/text.js';
import { filtersJson, inspectAll, type CommandContext, type GlobalArgs } from './context.js';
import { copyFrames, copyRaw } from './logs-stream.js';

export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  Command?: string;
  Created?: number;
  Status?: string;
  State?: string;
  Ports?: { IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }[];
  Labels?: Record<string, string> | null;
}

export const CONTAINER_FORMATTER: ListFormatter = {
  defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: {
    ID: 'CONTAINER ID',
    Image: 'IMAGE',
    Command: 'COMMAND',
    RunningFor: 'CREATED',
    CreatedAt: 'CREATED AT',
    Status: 'STATUS',
    Ports: 'PORTS',
    Names: 'NAMES',
    State: 'STATE',
    Labels: 'LABELS',
  },
};

/** Go's strconv.Quote for the printable ASCII that commands hold. */
function quote(text: string): string {
  return JSON.stringify(text);
}

function ports(container: ContainerSummary): string {
  return (container.Ports ?? [])
    .map((p) => (p.PublicPort ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort ?? 0}/${p.Type ?? 'tcp'}` : `${p.PrivatePort ?? 0}/${p.Type ?? 'tcp'}`))
    .join(', ');
}

export function renderContainers(
  containers: ContainerSummary[],
  options: { format?: string | undefined; quiet?: boolean | undefined; noTrunc: boolean; nowMs: number },
): string {
  const rows = containers.map((c) => {
    const command = c.Command ?? '';
    const labels = c.Labels ?? {};
    return sortedRow({
      ID: options.noTrunc ? c.Id : truncateId(c.Id),
      Image: c.Image ?? '',
      Command: quote(options.noTrunc ? command : ellipsis(command, 20)),
      RunningFor: `${humanDuration((options.nowMs - (c.Created ?? 0) * 1000) * 1e6)} ago`,
      CreatedAt: new Date((c.Created ?? 0) * 1000).toISOString(),
      Status: c.Status ?? '',
      State: c.State ?? '',
      Ports: ports(c),
      Names: (c.Names ?? []).map((n) => n.replace(/^\//, '')).join(','),
      Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    });
  });
  return renderList(CONTAINER_FORMATTER, rows, options);
}

/** Runs `action` per container, printing each name as docker does; errors are reported together. */
async function eachContainer(ctx: CommandContext, refs: string[], action: (ref: string) => Promise<void>): Promise<void> {
  const errors: Error[] = [];
  for (const ref of refs) {
    try {
      await action(ref);
      ctx.io.out(`${ref}\n`);
    } catch (error) {
      if (!(error instanceof DaemonError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new MultiError(errors);
}

/** Streams a container's logs to the context's writers (multiplexed unless the container has a TTY). */
export async function streamContainerLogs(
  ctx: CommandContext,
  host: string | undefined,
  ref: string,
  query: Record<string, string | undefined>,
): Promise<void> {
  const client = ctx.client(host);
  const body = await client.stream('GET', `/containers/${ref}/logs`, { query: { stdout: '1', stderr: '1', ...query } });
  if (body.headers['content-type'] === 'application/vnd.docker.multiplexed-stream') {
    await copyFrames(body, (stream, payload) => (stream === 'stderr' ? ctx.io.err(payload.toString('utf8')) : ctx.io.out(payload.toString('utf8'))));
    return;
  }
  const inspect = await client.get<{ Config?: { Tty?: boolean } }>(`/containers/${ref}/json`);
  if (inspect.Config?.Tty) await copyRaw(body, (chunk) => ctx.io.out(chunk.toString('utf8')));
  else await copyFrames(body, (stream, payload) => (stream === 'stderr' ? ctx.io.err(payload.toString('utf8')) : ctx.io.out(payload.toString('utf8'))));
}

/** The top-level commands (`shoal ps`, `shoal stop` ...) and docker's `container` group with the same ones. */
export function registerContainers(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return containerCommands(yargs, ctx, ['ps']).command('container', 'Manage containers', (group) =>
    containerCommands(group, ctx, ['ls', 'list', 'ps']).demandCommand(1, 'a subcommand is required'),
  );
}

function containerCommands(yargs: Argv<GlobalArgs>, ctx: CommandContext, listNames: readonly string[]): Argv<GlobalArgs> {
  return yargs
    .command(
      [...listNames],
      'List containers',
      (y) =>
        y
          .option('all', { alias: 'a', type: 'boolean', describe: 'Show all containers (default shows just running)' })
          .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
          .option('format', { type: 'string', describe: 'Format output using a custom template' })
          .option('no-trunc', { type: 'boolean', describe: "Don't truncate output" })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display container IDs' })
          .strict(),
      async (args) => {
        const containers = await ctx.client(args.host).get<ContainerSummary[]>('/containers/json', {
          all: args.all ? '1' : undefined,
          filters: filtersJson(args.filter),
        });
        ctx.io.out(renderContainers(containers, { format: args.format, quiet: args.quiet, noTrunc: !!args['no-trunc'], nowMs: ctx.nowMs() }));
      },
    )
    .command(
      'logs <container>',
      'Fetch the logs of a container',
      (y) =>
        y
          .option('follow', { alias: 'f', type: 'boolean', describe: 'Follow log output' })
          .option('tail', { alias: 'n', type: 'string', default: 'all', describe: 'Number of lines to show from the end of the logs' })
          .option('timestamps', { alias: 't', type: 'boolean', describe: 'Show timestamps' })
          .option('since', { type: 'string', describe: 'Show logs since timestamp' })
          .option('details', { type: 'boolean', describe: 'Show extra details provided to logs' })
          .strict(),
      async (args) => {
        const ref = args.container as string;
        await ctx.client(args.host).get(`/containers/${ref}/json`);
        await streamContainerLogs(ctx, args.host, ref, {
          follow: args.follow ? '1' : undefined,
          tail: args.tail,
          timestamps: args.timestamps ? '1' : undefined,
          since: args.since,
          details: args.details ? '1' : undefined,
        });
      },
    )
    .command(
      'rm <containers..>',
      'Remove one or more containers',
      (y) => y.option('force', { alias: 'f', type: 'boolean', describe: 'Force the removal of a running container (uses SIGKILL)' }).strict(),
      async (args) => {
        const client = ctx.client(args.host);
        await eachContainer(ctx, args.containers as string[], (ref) => client.delete(`/containers/${ref}`, { force: args.force ? '1' : undefined }));
      },
    )
    .command(
      'stop <containers..>',
      'Stop one or more running containers',
      (y) => y.option('time', { alias: 't', type: 'number', describe: 'Seconds to wait before killing the container' }).strict(),
      async (args) => {
        const client = ctx.client(args.host);
        await eachContainer(ctx, args.containers as string[], async (ref) => {
          await client.request('POST', `/containers/${ref}/stop`, { query: { t: args.time } });
        });
      },
    )
    .command('start <containers..>', 'Start one or more stopped containers', (y) => y.strict(), async (args) => {
      const client = ctx.client(args.host);
      await eachContainer(ctx, args.containers as string[], async (ref) => {
        await client.request('POST', `/containers/${ref}/start`);
      });
    })
    .command(
      'kill <containers..>',
      'Kill one or more running containers',
      (y) => y.option('signal', { alias: 's', type: 'string', describe: 'Signal to send to the container' }).strict(),
      async (args) => {
        const client = ctx.client(args.host);
        await eachContainer(ctx, args.containers as string[], async (ref) => {
          await client.request('POST', `/containers/${ref}/kill`, { query: { signal: args.signal } });
        });
      },
    )
    .command(
      'inspect <objects..>',
      'Return low-level information on Docker objects',
      (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' }).strict(),
      async (args) => {
        const client = ctx.client(args.host);
        await inspectAll(ctx, args.objects as string[], args.format, async (ref) => {
          for (const path of [`/containers/${ref}/json`, `/images/${ref}/json`]) {
            try {
              return await client.get(path);
            } catch (error) {
              if (!(error instanceof DaemonError && error.isNotFound)) throw error;
            }
          }
          throw new UsageError(`Error: No such object: ${ref}`);
        });
      },
    );
}
