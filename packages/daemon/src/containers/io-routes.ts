// Engine API endpoints that reach into containers' processes: attach (hijacked), resize, and exec
// (create, start hijacked or detached, inspect, resize).
import type { ContainerIo, ContainerRecord, ContainerRuntime, ExecSpec, ExecState } from '@shoal/agent';
import { InvalidArgumentError, NotFoundError } from '../api/errors.js';
import { objectBody } from '../api/body.js';
import { execCreateShape } from '../api/container-shape.js';
import { decodeShape } from '../api/json-shape.js';
import { empty, hijack, json } from '../api/respond.js';
import { route, type RequestContext, type RouteTable } from '../api/routes.js';
import { consoleSize } from './create-request.js';
import { bridgeStdio } from './stdio-bridge.js';
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
        const record = find(ctx.params.id!);
        const options = {
          stdin: ctx.query.bool('stdin') && record.spec.openStdin === true,
          stdout: ctx.query.bool('stdout'),
          stderr: ctx.query.bool('stderr'),
          closeStdinOnEnd: record.spec.stdinOnce === true,
        };
        return hijack(async (conn, signal) => {
          conn.pause();
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
        const body = objectBody<{ Detach?: unknown; ConsoleSize?: unknown }>(hasBody ? await ctx.json() : {});
        const detach = body.Detach === true;
        let stdio;
        try {
          stdio = await runtime.startExec(exec.id, { detach });
        } catch (err) {
          // A process that could not start (its exit code, 126, is set at once) is reported on the
          // attached stream, as dockerd does; the CLI then prints it and exits with that code.
          if (detach || runtime.getExec(exec.id)?.exitCode == null) throw err;
          const line = Buffer.from(`${(err as Error).message}\r\n`);
          return hijack(async (conn) => void conn.write(exec.spec.tty ? line : stdcopyFrame('stdout', line)), RAW_STREAM);
        }
        if (stdio === undefined) return empty(200);
        const size = consoleSize(body.ConsoleSize);
        if (exec.spec.tty && size !== undefined) stdio.resize(size);
        const options = { stdin: exec.spec.stdin, stdout: exec.spec.attachStdout, stderr: exec.spec.attachStderr, closeStdinOnEnd: true };
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
  };
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
    DetachKeys: '',
    Pid: exec.pid,
  };
}

/**
 * API 1.41 (our maximum) names every hijacked stream "raw", terminal or not, as dockerd 20.10 does;
 * multiplexed-stream came with 1.42. Non-terminal streams are stdcopy-framed all the same.
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
