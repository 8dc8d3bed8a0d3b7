// `shoal exec [-i] [-t] [-d] [-e] [-w] [-u] CONTAINER COMMAND...`: docker's exec create, start on a
// hijacked connection (stdcopy frames, or raw bytes with a TTY), stdin copied until EOF with a
// half-close, and the command's exit code from GET /exec/{id}/json as shoal's own.

import type { Socket } from 'node:net';
import type { Argv } from 'yargs';
import { UsageError } from '../api/errors.js';
import type { EngineClient } from '../api/client.js';
import type { CommandContext, GlobalArgs } from './context.js';
import { StdcopyDecoder } from './logs-stream.js';
import { ExitStatus } from '../api/errors.js';
import { postHijacked } from './upload.js';

export interface ExecArgs {
  command: string[];
  interactive?: boolean | undefined;
  tty?: boolean | undefined;
  detach?: boolean | undefined;
  env?: string[] | undefined;
  workdir?: string | undefined;
  user?: string | undefined;
  privileged?: boolean | undefined;
}

/** The body docker sends to POST /containers/{id}/exec. */
export function execCreateBody(args: ExecArgs, consoleSize: [number, number] | undefined): Record<string, unknown> {
  return {
    User: args.user ?? '',
    Privileged: !!args.privileged,
    Tty: !!args.tty,
    ...(consoleSize ? { ConsoleSize: consoleSize } : {}),
    AttachStdin: !!args.interactive && !args.detach,
    AttachStderr: !args.detach,
    AttachStdout: !args.detach,
    Detach: !!args.detach,
    DetachKeys: '',
    Env: args.env && args.env.length > 0 ? args.env : null,
    WorkingDir: args.workdir ?? '',
    Cmd: args.command,
  };
}

/** Copies the hijacked stream to our outputs until the daemon closes it. */
async function copyOutput(ctx: CommandContext, socket: Socket, tty: boolean): Promise<void> {
  const decoder = new StdcopyDecoder();
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    if (tty) {
      ctx.io.out(chunk.toString('utf8'));
      continue;
    }
    for (const frame of decoder.push(chunk)) {
      if (frame.stream === 'system') throw new UsageError(`error from daemon in stream: ${frame.payload.toString('utf8')}`);
      if (frame.stream === 'stderr') ctx.io.err(frame.payload.toString('utf8'));
      else ctx.io.out(frame.payload.toString('utf8'));
    }
  }
}

/** Sends stdin into the exec; at its end, half-closes so the command sees EOF (docker's CloseWrite). */
function copyInput(input: NodeJS.ReadableStream, socket: Socket): () => void {
  const onData = (chunk: Buffer | string): void => {
    socket.write(chunk);
  };
  const onEnd = (): void => {
    socket.end();
  };
  input.on('data', onData);
  input.once('end', onEnd);
  return () => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
}

async function runExec(ctx: CommandContext, client: EngineClient, container: string, args: ExecArgs): Promise<void> {
  const stdin = args.interactive ? ctx.stdin : undefined;
  const terminal = args.tty ? (ctx.stdin as NodeJS.ReadStream | undefined) : undefined;
  const size: [number, number] | undefined = args.tty && ctx.terminal ? [process.stdout.rows ?? 24, ctx.terminal.columns] : undefined;
  const created = await client.post<{ Id: string }>(`/containers/${container}/exec`, { body: execCreateBody(args, size) });
  const id = created?.Id ?? '';
  if (args.detach) {
    await client.post(`/exec/${id}/start`, { body: { Detach: true, Tty: !!args.tty, ...(size ? { ConsoleSize: size } : {}) } });
    return;
  }
  const socket = await postHijacked(client, `/exec/${id}/start`, { Detach: false, Tty: !!args.tty, ...(size ? { ConsoleSize: size } : {}) });
  const raw = terminal?.isTTY === true && args.interactive === true;
  if (raw) terminal.setRawMode(true);
  const stopInput = stdin ? copyInput(stdin, socket) : undefined;
  try {
    await copyOutput(ctx, socket, !!args.tty);
  } finally {
    stopInput?.();
    if (raw) terminal.setRawMode(false);
    socket.destroy();
  }
  const inspect = await client.get<{ ExitCode?: number | null; Running?: boolean }>(`/exec/${id}/json`);
  const code = inspect.ExitCode ?? 0;
  if (code !== 0) throw new ExitStatus(code);
}

const EXEC_BOOLEAN_FLAGS = new Set(['-i', '--interactive', '-t', '--tty', '-d', '--detach', '--privileged', '-it', '-ti', '--help', '-h']);

/** Where the command word is: the first word that is neither a global flag nor its value. */
function commandIndex(argv: readonly string[]): number {
  let index = 0;
  while (index < argv.length && (argv[index] as string).startsWith('-')) index += ['-H', '--host'].includes(argv[index] as string) ? 2 : 1;
  return index;
}

/** `exec CONTAINER COMMAND ARGS...` passes everything after the container to the command, flags included. */
export function separateExecCommand(argv: string[]): string[] {
  const exec = commandIndex(argv);
  if (argv[exec] !== 'exec') return argv;
  for (let index = exec + 1; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--') return argv;
    if (!word.startsWith('-') || word === '-') return [...argv.slice(0, index + 1), '--', ...argv.slice(index + 1)];
    if (!word.includes('=') && !EXEC_BOOLEAN_FLAGS.has(word)) index++;
  }
  return argv;
}

export function registerExec(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command(
    'exec <container> [command..]',
    'Execute a command in a running container',
    (y) =>
      y
        .positional('container', { type: 'string', demandOption: true })
        .option('interactive', { alias: 'i', type: 'boolean', describe: 'Keep STDIN open even if not attached' })
        .option('tty', { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' })
        .option('detach', { alias: 'd', type: 'boolean', describe: 'Detached mode: run command in the background' })
        .option('env', { alias: 'e', type: 'string', array: true, describe: 'Set environment variables' })
        .option('workdir', { alias: 'w', type: 'string', describe: 'Working directory inside the container' })
        .option('user', { alias: 'u', type: 'string', describe: 'Username or UID (format: "<name|uid>[:<group|gid>]")' })
        .option('privileged', { type: 'boolean', describe: 'Give extended privileges to the command' })
        .strict(),
    async (args) => {
      const rest = ((args as { '--'?: (string | number)[] })['--'] ?? []).map(String);
      const command = [...((args.command as (string | number)[] | undefined) ?? []).map(String), ...rest];
      if (command.length === 0) throw new UsageError(`"shoal exec" requires at least 2 arguments.\nSee 'shoal exec --help'.\n\nUsage:  shoal exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running container`);
      await runExec(ctx, ctx.client(args.host), args.container as string, { ...args, command });
    },
  );
}
