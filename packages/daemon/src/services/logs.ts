// GET /services/{id}/logs and /tasks/{id}/logs: the lines the leader gathers from the nodes running the
// tasks, written like dockerd's swarmLogs: stdcopy frames (unless the service has a TTY), each line
// optionally after its timestamp and "details" (the com.docker.swarm.* context the docker CLI turns
// into its "name.slot.task@node    | " prefix), and node failures as "Error grabbing logs" frames.
import type { LogSelector, LogSink } from '@shoal/manager';
import type { LogMessage } from '@shoal/proto';
import { InvalidArgumentError } from '../api/errors.js';
import { stream } from '../api/respond.js';
import { route, type RequestContext, type RouteTable } from '../api/routes.js';
import { stdcopyFrame } from '../containers/stdcopy.js';

export interface LogSource {
  call(method: string, payload: unknown): Promise<unknown>;
  subscribeLogs(selector: LogSelector, sink: LogSink): () => void;
}

interface Options {
  readonly timestamps: boolean;
  readonly details: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

const SYSTEM_ERR = 3;

export function serviceLogRoutes(source: LogSource): RouteTable {
  return [
    route({
      method: 'GET',
      path: '/services/{id}/logs',
      handler: async (ctx) => {
        const options = outputOptions(ctx);
        const service = (await source.call('getService', { id: ctx.params.id!, insertDefaults: false })) as {
          ID: string;
          Spec: { TaskTemplate?: { ContainerSpec?: { TTY?: boolean } } };
        };
        const tty = service.Spec.TaskTemplate?.ContainerSpec?.TTY === true;
        return logStream(source, { serviceIds: [service.ID], taskIds: [], ...followTail(ctx) }, options, tty);
      },
    }),
    route({
      method: 'GET',
      path: '/tasks/{id}/logs',
      handler: async (ctx) => {
        const options = outputOptions(ctx);
        const task = (await source.call('getTask', { id: ctx.params.id! })) as { ID: string; Spec?: { ContainerSpec?: { TTY?: boolean } } };
        const tty = task.Spec?.ContainerSpec?.TTY === true;
        return logStream(source, { serviceIds: [], taskIds: [task.ID], ...followTail(ctx) }, options, tty);
      },
    }),
  ];
}

function outputOptions(ctx: RequestContext<string>): Options {
  ctx.query.refuseUnsupported({ since: 'logs since a time (--since)' });
  const options = {
    stdout: ctx.query.bool('stdout'),
    stderr: ctx.query.bool('stderr'),
    timestamps: ctx.query.bool('timestamps'),
    details: ctx.query.bool('details'),
  };
  if (!options.stdout && !options.stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
  return options;
}

function followTail(ctx: RequestContext<string>): { follow: boolean; tail: number } {
  const raw = ctx.query.string('tail') ?? 'all';
  const tail = raw === 'all' || raw === '' ? -1 : Number(raw);
  if (!Number.isInteger(tail)) throw new InvalidArgumentError(`invalid value for tail: ${raw}`);
  return { follow: ctx.query.bool('follow'), tail: tail < 0 ? -1 : tail };
}

function logStream(source: LogSource, selector: LogSelector, options: Options, tty: boolean) {
  return stream(
    (sink, signal) =>
      new Promise<void>((resolve, reject) => {
        // Writes keep their order; the subscription ends only after the last one is out.
        let writing: Promise<void> = Promise.resolve();
        const write = (chunk: Buffer): void => {
          writing = writing.then(() => sink.write(chunk));
        };
        let cancel = (): void => {};
        const onAbort = (): void => cancel();
        const logSink: LogSink = {
          messages: (batch) => {
            for (const message of batch) {
              const wanted = message.stream === 2 ? options.stderr : options.stdout;
              if (wanted) write(frame(message.stream === 2 ? 2 : 1, logLine(message, options), tty));
            }
          },
          error: (text) => write(frame(SYSTEM_ERR, Buffer.from(`Error grabbing logs: ${text}\n`), tty)),
          end: () => {
            signal.removeEventListener('abort', onAbort);
            writing.then(resolve, reject);
          },
        };
        try {
          cancel = source.subscribeLogs(selector, logSink);
        } catch (err) {
          reject(err as Error);
          return;
        }
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    // API 1.41 and older: dockerd labels the (still multiplexed) stream as raw.
    { contentType: 'application/vnd.docker.raw-stream' },
  );
}

/** One line as dockerd's WriteLogStream writes it: [timestamp ][details ]line. */
export function logLine(message: LogMessage, options: Pick<Options, 'timestamps' | 'details'>): Buffer {
  const parts: Buffer[] = [];
  if (options.timestamps) parts.push(Buffer.from(`${fixedNano(message.time)} `));
  if (options.details) parts.push(Buffer.from(`${details(message)} `));
  parts.push(Buffer.from(message.data));
  return Buffer.concat(parts);
}

/** Attributes sorted by key, `key=value` joined by commas (values escaped like Go's url.QueryEscape). */
function details(message: LogMessage): string {
  const attrs: [string, string][] = [
    ['com.docker.swarm.node.id', message.nodeId],
    ['com.docker.swarm.service.id', message.serviceId],
    ['com.docker.swarm.task.id', message.taskId],
  ];
  return attrs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join(',');
}

/** Go's RFC3339NanoFixed: always nine fractional digits. */
export function fixedNano(time: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(time);
  if (!match) return time;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0').slice(0, 9)}${match[3]}`;
}

function frame(id: 1 | 2 | 3, payload: Buffer, tty: boolean): Buffer {
  if (tty) return payload;
  if (id !== SYSTEM_ERR) return stdcopyFrame(id === 1 ? 'stdout' : 'stderr', payload);
  const framed = stdcopyFrame('stdout', payload);
  framed[0] = SYSTEM_ERR;
  return framed;
}

