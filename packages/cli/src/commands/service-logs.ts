// `shoal service logs SERVICE|TASK`: docker's requests and its pretty printing, where each line comes
// with its details (com.docker.swarm.node.id/service.id/task.id) and is printed after a
// "service.slot.task@node    | " prefix, padded to the width of the highest slot number.
import type { Argv } from 'yargs';
import type { EngineClient } from '../api/client.js';
import { DaemonError, UsageError } from '../api/errors.js';
import type { CommandContext, GlobalArgs } from './context.js';
import { copyFrames, copyRaw } from './logs-stream.js';
import { NameResolver } from './tasks.js';

export interface ServiceLogsOptions {
  noResolve: boolean;
  noTrunc: boolean;
  noTaskIds: boolean;
  timestamps: boolean;
  details: boolean;
}

interface LogTarget {
  kind: 'services' | 'tasks';
  id: string;
  tty: boolean;
  maxLength: number;
}

async function logTarget(client: EngineClient, ref: string): Promise<LogTarget> {
  try {
    const service = await client.get<{
      ID: string;
      Spec: { TaskTemplate?: { ContainerSpec?: { TTY?: boolean } }; Mode?: { Replicated?: { Replicas?: number } } };
    }>(`/services/${ref}`, { insertDefaults: false });
    const replicas = service.Spec.Mode?.Replicated?.Replicas;
    return { kind: 'services', id: ref, tty: service.Spec.TaskTemplate?.ContainerSpec?.TTY === true, maxLength: replicas === undefined ? 1 : String(replicas).length };
  } catch (error) {
    if (!(error instanceof DaemonError && error.isNotFound)) throw error;
  }
  try {
    const task = await client.get<{ Slot?: number; Spec?: { ContainerSpec?: { TTY?: boolean } } }>(`/tasks/${ref}`);
    return { kind: 'tasks', id: ref, tty: task.Spec?.ContainerSpec?.TTY === true, maxLength: String(task.Slot ?? 0).length };
  } catch (error) {
    if (error instanceof DaemonError && error.isNotFound) throw new UsageError(`no such task or service: ${ref}`);
    throw error;
  }
}

/** Turns "[timestamp ]details line" into docker's pretty form; names are looked up once per context. */
export class TaskLinePrinter {
  readonly #prefixes = new Map<string, Promise<string>>();
  constructor(
    private readonly client: EngineClient,
    private readonly resolver: NameResolver,
    private readonly options: ServiceLogsOptions,
    private readonly padding: number,
  ) {}

  async format(line: Buffer): Promise<string> {
    const text = line.toString('utf8');
    const parts = splitN(text, ' ', this.options.timestamps ? 3 : 2);
    if (parts.length !== (this.options.timestamps ? 3 : 2)) throw new UsageError(`invalid context in log message: ${text}`);
    const detailsText = parts[this.options.timestamps ? 1 : 0] as string;
    const details = parseDetails(detailsText);
    const nodeId = take(details, 'com.docker.swarm.node.id', 'node id');
    const serviceId = take(details, 'com.docker.swarm.service.id', 'service id');
    const taskId = take(details, 'com.docker.swarm.task.id', 'task id');
    const key = `${nodeId}/${serviceId}/${taskId}`;
    let prefix = this.#prefixes.get(key);
    if (!prefix) this.#prefixes.set(key, (prefix = this.#prefix(nodeId, serviceId, taskId)));
    let out = this.options.timestamps ? `${parts[0]} ` : '';
    out += `${await prefix}    | `;
    if (this.options.details) {
      out += [...details].map(([k, v]) => `${k}=${v}`).sort().join(',') + ' ';
    }
    return out + (parts[parts.length - 1] as string);
  }

  async #prefix(nodeId: string, serviceId: string, taskId: string): Promise<string> {
    const node = this.options.noResolve ? nodeId : await this.resolver.node(nodeId);
    const service = this.options.noResolve ? serviceId : await this.resolver.service(serviceId);
    const task = await this.client.get<{ ID: string; Slot?: number }>(`/tasks/${taskId}`);
    const slot = task.Slot ?? 0;
    let name = `${service}.${slot}`;
    if (!this.options.noTaskIds) name += `.${this.options.noTrunc ? task.ID : task.ID.slice(0, 12)}`;
    return `${name}@${node}${' '.repeat(Math.max(0, this.padding - String(slot).length))}`;
  }
}

function splitN(text: string, separator: string, n: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < n - 1) {
    const index = rest.indexOf(separator);
    if (index === -1) break;
    parts.push(rest.slice(0, index));
    rest = rest.slice(index + 1);
  }
  parts.push(rest);
  return parts;
}

/** docker's ParseLogDetails: comma-separated key=value pairs, each part query-unescaped. */
export function parseDetails(text: string): Map<string, string> {
  const details = new Map<string, string>();
  if (text === '') return details;
  for (const pair of text.split(',')) {
    const index = pair.indexOf('=');
    if (index === -1) throw new UsageError('invalid details format');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    details.set(decode(pair.slice(0, index)), decode(pair.slice(index + 1)));
  }
  return details;
}

function take(details: Map<string, string>, key: string, what: string): string {
  const value = details.get(key);
  if (value === undefined) throw new UsageError(`missing ${what} in details: map[${[...details].map(([k, v]) => `${k}:${v}`).join(' ')}]`);
  details.delete(key);
  return value;
}

export function registerServiceLogs(service: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return service.command(
    'logs <target>',
    'Fetch the logs of a service or task',
    (y) =>
      y
        .positional('target', { type: 'string', demandOption: true })
        .option('details', { type: 'boolean', describe: 'Show extra details provided to logs' })
        .option('follow', { alias: 'f', type: 'boolean', describe: 'Follow log output' })
        .option('no-resolve', { type: 'boolean', describe: 'Do not map IDs to Names in output' })
        .option('no-task-ids', { type: 'boolean', describe: 'Do not include task IDs in output' })
        .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
        .option('raw', { type: 'boolean', describe: 'Do not neatly format logs' })
        .option('since', { type: 'string', describe: 'Show logs since timestamp or relative (e.g. "42m")' })
        .option('tail', { alias: 'n', type: 'string', default: 'all', describe: 'Number of lines to show from the end of the logs' })
        .option('timestamps', { alias: 't', type: 'boolean', describe: 'Show timestamps' })
        .strict(),
    async (args) => {
      const client = ctx.client(args.host);
      const target = await logTarget(client, args.target as string);
      if (target.tty && !args.raw) throw new UsageError('tty service logs only supported with --raw');
      const body = await client.stream('GET', `/${target.kind}/${target.id}/logs`, {
        query: {
          details: args.details || !args.raw ? '1' : undefined,
          follow: args.follow ? '1' : undefined,
          since: args.since,
          stderr: '1',
          stdout: '1',
          tail: args.tail,
          timestamps: args.timestamps ? '1' : undefined,
        },
      });
      if (target.tty) return copyRaw(body, (chunk) => ctx.io.out(chunk.toString('utf8')));
      const options: ServiceLogsOptions = {
        noResolve: !!args['no-resolve'],
        noTrunc: !!args['no-trunc'],
        noTaskIds: !!args['no-task-ids'],
        timestamps: !!args.timestamps,
        details: !!args.details,
      };
      const printer = args.raw ? null : new TaskLinePrinter(client, new NameResolver(client), options, target.maxLength);
      await copyFrames(body, async (stream, payload) => {
        const text = printer ? await printer.format(payload) : payload.toString('utf8');
        if (stream === 'stderr') ctx.io.err(text);
        else ctx.io.out(text);
      });
    },
  );
}
