// Engine API endpoints for standalone containers on this node: create/start/wait/stop/kill/restart/
// rm, ps, inspect and logs, over the node's ContainerRuntime; attach and exec come from io-routes.ts.
import { RuntimeError, type ContainerIo, type ContainerRecord, type ContainerRuntime } from '@shoal/agent';
import { ApiError, ConflictError, InternalError, InvalidArgumentError, NotFoundError, isApiErrorCode } from '../api/errors.js';
import { empty, json, stream } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';
import { specFromCreateBody, type NetnsChooser } from './create-request.js';
import { afterWindow, beforeWindow, lineTimeNs, logWindow } from './log-window.js';
import { hostPortKey } from './port-bindings.js';
import { containerIoRoutes } from './io-routes.js';
import { linuxHasSignal, parseSignal, SIGKILL } from './signals.js';
import { stdcopyFrame } from './stdcopy.js';
import { containerInspect, containerSummary, dockerStatus, isRunning, type NetworksOf } from './views.js';

const PS_FILTERS = ['id', 'name', 'status', 'label', 'ancestor', 'exited'] as const;
/** Node's timers fire at once past this delay, so a later `until` is left to the lines' times. */
const TIMER_MS_MAX = 2 ** 31 - 1;
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

export interface ContainerRoutesOptions {
  /** Network namespace for a NetworkMode; undefined gives the container a new one. Default: always new. */
  readonly netnsFor?: NetnsChooser;
  readonly now?: () => number;
  /** NetworkSettings.Networks of a container. Default: none. */
  readonly networksOf?: NetworksOf;
  /** The ExposedPorts of an image, for `-P`. Default: none. */
  readonly imageExposedPorts?: (image: string) => readonly string[];
}

export function containerRoutes(runtime: ContainerRuntime & ContainerIo, options: ContainerRoutesOptions = {}): RouteTable {
  const now = options.now ?? Date.now;
  const networksOf: NetworksOf = options.networksOf ?? (() => ({}));
  const find = (ref: string): ContainerRecord => {
    const record = runtime.get(ref);
    if (record === undefined) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  };
  return [
    route({
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        ctx.query.refuseUnsupported({ platform: 'choosing the platform of the image (--platform)' });
        const raw = ctx.query.string('name');
        const name = raw === undefined || raw === '' ? undefined : raw.replace(/^\//, '');
        const taken = new Set(runtime.list().filter((r) => r.removed !== true).flatMap((r) => (r.spec.ports ?? []).map((p) => hostPortKey(p.protocol, p.publishedPort))));
        const spec = specFromCreateBody(await ctx.json(), name, {
          netnsFor: options.netnsFor ?? (() => undefined),
          takenHostPorts: taken,
          nameTaken: (n) => runtime.list().some((r) => r.spec.name === n),
          ...(options.imageExposedPorts ? { imageExposedPorts: options.imageExposedPorts } : {}),
        });
        const record = await runtime.create(spec);
        return json({ Id: record.spec.id, Warnings: [] }, 201);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/start',
      handler: async (ctx) => {
        const record = find(ctx.params.id!);
        if (record.state.status === 'running') return empty(304);
        await runtime.start(record.spec.id);
        return empty(204);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/wait',
      handler: (ctx) => {
        const record = find(ctx.params.id!);
        const condition = ctx.query.string('condition') || 'not-running';
        if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
        // Subscribed before the headers go out: `docker run` starts the container as soon as it sees them.
        const exit = waitFor(runtime, record, condition, ctx.signal);
        return stream(async (sink) => {
          const code = await exit;
          if (code !== undefined) await sink.writeJson({ Error: null, StatusCode: code });
        });
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/stop',
      handler: async (ctx) => {
        const record = find(ctx.params.id!);
        const running = isRunning(record);
        // Also for an exited one: it cancels a restart its policy scheduled.
        await runtime.stop(record.spec.id, ctx.query.uint('t') ?? 10);
        return empty(running ? 204 : 304);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/restart',
      handler: async (ctx) => {
        const record = find(ctx.params.id!);
        await runtime.stop(record.spec.id, ctx.query.uint('t') ?? 10);
        await runtime.start(record.spec.id);
        return empty(204);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/kill',
      handler: async (ctx) => {
        const ref = ctx.params.id!;
        const raw = ctx.query.string('signal') ?? '';
        const signal = raw === '' ? SIGKILL : parseSignal(raw);
        try {
          await killContainer(runtime, find(ref), signal);
        } catch (err) {
          // dockerd wraps every failure of a kill (even "No such container") with what was asked.
          throw wrappedError(err, `Cannot kill container: ${ref}`);
        }
        return empty(204);
      },
    }),
    route({
      method: 'DELETE',
      path: '/containers/{id}',
      handler: async (ctx) => {
        ctx.query.refuseUnsupported({ link: 'links (docker rm --link)' });
        const record = find(ctx.params.id!);
        await runtime.remove(record.spec.id, ctx.query.bool('force'));
        return empty(204);
      },
    }),
    route({
      method: 'GET',
      path: '/containers/json',
      filters: PS_FILTERS,
      handler: (ctx) => {
        for (const s of ctx.filters.values('status')) {
          if (!STATUSES.has(s)) throw new InvalidArgumentError(`invalid filter 'status=${s}'`);
        }
        const limit = ctx.query.has('limit') ? Number(ctx.query.string('limit')) : -1;
        const all = ctx.query.bool('all') || ctx.filters.has('status') || ctx.filters.has('exited') || limit > 0;
        let list = [...runtime.list()]
          .filter((r) => all || isRunning(r))
          .filter((r) => ctx.filters.fuzzyMatch('id', r.spec.id))
          .filter((r) => !ctx.filters.has('name') || ctx.filters.values('name').some((n) => nameMatches(n, r.spec.name)))
          .filter((r) => ctx.filters.exactMatch('status', dockerStatus(r)))
          .filter((r) => ctx.filters.matchLabels('label', r.spec.labels))
          .filter((r) => !ctx.filters.has('ancestor') || ctx.filters.values('ancestor').some((a) => a === r.spec.image || r.imageId.includes(a)))
          .filter((r) => !ctx.filters.has('exited') || (r.state.status === 'exited' && ctx.filters.exactMatch('exited', String(r.state.exitCode))))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        if (limit > 0) list = list.slice(0, limit);
        const t = now();
        return json(list.map((r) => containerSummary(r, t, networksOf(r))));
      },
    }),
    route({
      method: 'GET',
      path: '/containers/{id}/json',
      handler: (ctx) => {
        const record = find(ctx.params.id!);
        return json(containerInspect(record, networksOf(record)));
      },
    }),
    route({
      method: 'GET',
      path: '/containers/{id}/logs',
      handler: (ctx) => {
        ctx.query.refuseUnsupported({ details: 'log details (--details)' });
        const record = find(ctx.params.id!);
        const window = logWindow(ctx.query);
        const stdout = ctx.query.bool('stdout');
        const stderr = ctx.query.bool('stderr');
        if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
        const tailRaw = ctx.query.string('tail') ?? 'all';
        const tail = tailRaw === 'all' || tailRaw === '' ? undefined : Number(tailRaw);
        if (tail !== undefined && !Number.isInteger(tail)) throw new InvalidArgumentError(`invalid value for tail: ${tailRaw}`);
        const timestamps = ctx.query.bool('timestamps');
        const tty = record.spec.tty === true;
        return stream(
          async (sink, signal) => {
            const follow = ctx.query.bool('follow');
            // Following stops at `until` even when no line comes after it, as dockerd's follow does.
            const untilMs = window.untilNs === undefined ? undefined : Number(window.untilNs / 1_000_000n) - Date.now();
            const stop = follow && untilMs !== undefined && untilMs <= TIMER_MS_MAX ? AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, untilMs))]) : signal;
            const lines = runtime.logs(record.spec.id, { follow, tail, stdout, stderr, signal: stop });
            for await (const line of lines) {
              const timeNs = lineTimeNs(line.time);
              if (afterWindow(window, timeNs)) break;
              if (beforeWindow(window, timeNs)) continue;
              const payload = timestamps ? Buffer.concat([Buffer.from(`${line.time} `), line.data]) : line.data;
              await sink.write(tty ? payload : stdcopyFrame(line.stream, payload));
            }
          },
          { contentType: tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' },
        );
      },
    }),
    ...containerIoRoutes(runtime),
  ];
}

/** How long a SIGKILL may take to show as an exit before the kill is reported failed (dockerd's bound). */
const KILL_EXIT_MS = 10_000;

/**
 * dockerd's ContainerKill: any other signal is sent and answered at once; SIGKILL is answered once
 * the exit is recorded, so a client that inspects right after sees the container exited.
 */
async function killContainer(runtime: ContainerRuntime, record: ContainerRecord, signal: number): Promise<void> {
  const id = record.spec.id;
  if (!isRunning(record)) throw new ConflictError(`Container ${id} is not running`);
  if (!linuxHasSignal(signal)) throw new InternalError(`The linux daemon does not support signal ${signal}`);
  await runtime.kill(id, String(signal));
  if (signal !== SIGKILL) return;
  try {
    await runtime.wait(id, AbortSignal.timeout(KILL_EXIT_MS));
  } catch (err) {
    // Removed meanwhile (--rm): it has exited all the same.
    if (err instanceof RuntimeError && err.code === 'not-found') return;
    throw new InternalError('tried to kill container, but did not receive an exit event', { cause: err });
  }
}

/** `err` with `context: ` before its message and the same status, as Go's errors.Wrapf keeps the errdefs class. */
function wrappedError(err: unknown, context: string): ApiError {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(isApiErrorCode(code) ? code : 'internal', `${context}: ${message}`, { cause: err });
}

/** Docker matches the name filter as a regular expression against "/name". */
function nameMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(`/${name}`);
  } catch {
    return `/${name}`.includes(pattern);
  }
}

/**
 * The exit code the wait condition is met with, or undefined when the client went away first.
 * not-running: now if it is not running; next-exit: the next exit from now; removed: once removed.
 */
function waitFor(runtime: ContainerRuntime, record: ContainerRecord, condition: string, signal: AbortSignal): Promise<number | undefined> {
  const id = record.spec.id;
  if (condition === 'not-running' && record.state.status !== 'running') return Promise.resolve(record.state.exitCode ?? 0);
  return new Promise((resolve) => {
    let lastCode = record.state.exitCode ?? 0;
    const finish = (code: number | undefined): void => {
      dispose();
      signal.removeEventListener('abort', onAbort);
      resolve(code);
    };
    const onAbort = (): void => finish(undefined);
    const dispose = runtime.subscribe((r) => {
      if (r.spec.id !== id) return;
      if (r.state.status === 'exited' || r.state.status === 'dead') lastCode = r.state.exitCode ?? 0;
      if (r.removed) return finish(lastCode);
      if (condition !== 'removed' && (r.state.status === 'exited' || r.state.status === 'dead')) finish(lastCode);
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
