// Engine API endpoints that reach into containers' processes: attach (hijacked), resize, and exec
// (create, start hijacked or detached, inspect, resize).
import type { ContainerIo, ContainerRecord, ContainerRuntime, ExecSpec, ExecState } from '@shoal/agent';
import { InternalError, InvalidArgumentError, NotFoundError } from '../api/errors.js';
import { execCreateShape, execStartShape } from '../api/container-shape.js';
import { decodeShape } from '../api/json-shape.js';
import { empty, hijack, json } from '../api/respond.js';
import { route, type RequestContext, type RouteTable } from '../api/routes.js';
import { consoleSize } from './create-request.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';
import { bridgeStdio, relayOutput } from './stdio-bridge.js';
import { stdcopyFrame } from './stdcopy.js';

export function containerIoRoutes(runtime: ContainerRuntime & ContainerIo): RouteTable {
  const find = (ref: string): ContainerRecord => {
    const record = runtime.get(ref);
    if (record === undefined) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  };
  const findExec = (id: string): ExecState => {
    const exec = runtime.getExec(id);
    if (exec === undefined) throw new NotFoundError(`No such exec instance: ${id}`);
    return exec;
  };
  return [
    route({
      method: 'POST',
      path: '/containers/{id}/attach',
      handler: (ctx) => {
        const keys = ctx.query.string('detachKeys') ?? '';
        const detachKeys = keys === '' ? DEFAULT_DETACH_KEYS : parsedOr(keys, () => new InvalidArgumentError(`Invalid detach keys (${keys}) provided`));
        const record = find(ctx.params.id!);
        const tty = record.spec.tty === true;
        const options = {
          stdin: ctx.query.bool('stdin') && record.spec.openStdin === true,
          stdout: ctx.query.bool('stdout'),
          stderr: ctx.query.bool('stderr'),
          closeStdinOnEnd: record.spec.stdinOnce === true,
          framed: !tty,
          detachKeys: tty ? detachKeys : undefined,
        };
        const logs = ctx.query.bool('logs');
        const live = ctx.query.bool('stream');
        return hijack(async (conn, signal) => {
          conn.pause();
          // As dockerd: what the container logged so far first, then (stream=1) its output from now on.
          if (logs) await relayOutput(conn, runtime.logs(record.spec.id, { stdout: options.stdout, stderr: options.stderr, signal }), options, signal);
          if (!live) return;
          const stdio = await runtime.attach(record.spec.id, signal).catch(() => undefined);
          if (stdio !== undefined) await bridgeStdio(conn, stdio, options, signal);
        }, RAW_STREAM);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/resize',
      handler: async (ctx) => {
        const record = find(ctx.params.id!);
        await runtime.resize(record.spec.id, ttySize(ctx));
        return empty(200);
      },
    }),
    route({
      method: 'POST',
      path: '/containers/{id}/exec',
      handler: async (ctx) => {
        const record = find(ctx.params.id!);
        const exec = runtime.createExec(record.spec.id, execSpecFromBody(decodeShape<ExecCreateBody>(await ctx.json(), execCreateShape)));
        return json({ Id: exec.id }, 201);
      },
    }),
    route({
      method: 'POST',
      path: '/exec/{id}/start',
      handler: async (ctx) => {
        const exec = findExec(ctx.params.id!);
        const hasBody = Number(ctx.headers['content-length'] ?? '0') > 0;
        const body = decodeShape<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: unknown }>(hasBody ? await ctx.json() : {}, execStartShape);
        const detach = body.Detach === true;
        // The start request, not the create, decides the framing: a client demultiplexes by what it asked for.
        const framed = body.Tty !== true;
        let stdio;
        try {
          stdio = await runtime.startExec(exec.id, { detach });
        } catch (err) {
          // A process that could not start (its exit code, 126, is set at once) is reported on the
          // attached stream, as dockerd does; the CLI then prints it and exits with that code.
          if (detach || runtime.getExec(exec.id)?.exitCode == null) throw err;
          const line = Buffer.from(`${(err as Error).message}\r\n`);
          return hijack(async (conn) => void conn.write(framed ? stdcopyFrame('stdout', line) : line), RAW_STREAM);
        }
        if (stdio === undefined) return empty(200);
        const size = consoleSize(body.ConsoleSize);
        if (exec.spec.tty && size !== undefined) stdio.resize(size);
        const options = {
          stdin: exec.spec.stdin,
          stdout: exec.spec.attachStdout,
          stderr: exec.spec.attachStderr,
          closeStdinOnEnd: true,
          framed,
          detachKeys: exec.spec.tty ? (exec.spec.detachKeys ?? DEFAULT_DETACH_KEYS) : undefined,
        };
        return hijack((conn, signal) => bridgeStdio(conn, stdio, options, signal), RAW_STREAM);
      },
    }),
    route({
      method: 'POST',
      path: '/exec/{id}/resize',
      handler: async (ctx) => {
        const exec = findExec(ctx.params.id!);
        await runtime.resizeExec(exec.id, ttySize(ctx));
        return empty(200);
      },
    }),
    route({
      method: 'GET',
      path: '/exec/{id}/json',
      handler: (ctx) => json(execInspect(findExec(ctx.params.id!))),
    }),
  ];
}

interface ExecCreateBody {
  readonly Cmd?: unknown;
  readonly Tty?: unknown;
  readonly AttachStdin?: unknown;
  readonly AttachStdout?: unknown;
  readonly AttachStderr?: unknown;
  readonly Env?: unknown;
  readonly User?: unknown;
  readonly WorkingDir?: unknown;
  readonly Privileged?: unknown;
  readonly ConsoleSize?: unknown;
  readonly DetachKeys?: unknown;
}

export function execSpecFromBody(body: ExecCreateBody): ExecSpec {
  const cmd = strings(body.Cmd, 'Cmd') ?? [];
  if (cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
  return {
    cmd,
    tty: body.Tty === true,
    stdin: body.AttachStdin === true,
    attachStdout: body.AttachStdout === true,
    attachStderr: body.AttachStderr === true,
    env: strings(body.Env, 'Env'),
    user: typeof body.User === 'string' ? body.User : undefined,
    workingDir: typeof body.WorkingDir === 'string' && body.WorkingDir !== '' ? body.WorkingDir : undefined,
    privileged: body.Privileged === true,
    consoleSize: consoleSize(body.ConsoleSize),
    // dockerd answers a 500 here (a plain error), where attach's detachKeys gets a 400.
    detachKeys: typeof body.DetachKeys === 'string' && body.DetachKeys !== '' ? parsedOr(body.DetachKeys, () => new InternalError(`Invalid escape keys (${String(body.DetachKeys)}) provided`)) : undefined,
  };
}

function parsedOr(keys: string, error: () => Error): number[] {
  try {
    return parseDetachKeys(keys);
  } catch {
    throw error();
  }
}

/** dockerd's ExecInspect: ExitCode is null until the process exits. */
export function execInspect(exec: ExecState): unknown {
  const [entrypoint, ...args] = exec.spec.cmd;
  return {
    ID: exec.id,
    Running: exec.running,
    ExitCode: exec.exitCode,
    ProcessConfig: { tty: exec.spec.tty, entrypoint, arguments: args, privileged: exec.spec.privileged === true, ...(exec.spec.user ? { user: exec.spec.user } : {}) },
    OpenStdin: exec.spec.stdin,
    OpenStderr: exec.spec.attachStderr,
    OpenStdout: exec.spec.attachStdout,
    CanRemove: false,
    ContainerID: exec.containerId,
    // dockerd's DetachKeys is a []byte, which Go's JSON writes as base64.
    DetachKeys: Buffer.from(exec.spec.detachKeys ?? []).toString('base64'),
    Pid: exec.pid,
  };
}

/**
 * API 1.41 (our maximum) names every hijacked stream "raw", terminal or not, as dockerd 20.10 does;
 * multiplexed-stream came with 1.42. Streams are stdcopy-framed all the same (see BridgeOptions.framed).
 */
const RAW_STREAM = 'application/vnd.docker.raw-stream';

function ttySize(ctx: RequestContext<string>): { rows: number; cols: number } {
  const rows = ctx.query.uint('h');
  const cols = ctx.query.uint('w');
  if (rows === undefined || cols === undefined) throw new InvalidArgumentError('resize requires both h and w');
  return { rows, cols };
}


function strings(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new InvalidArgumentError(`invalid ${field}: expected a list of strings`);
}
