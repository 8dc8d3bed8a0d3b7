// What a container's monitor (conmon, or our Node shim for interactive containers) leaves behind: the
// exit file, the exit code as decimal text (conmon's format, which the shim writes too), and, when
// runc could not start the container, runc's JSON log saying why.
import { appendFile, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { ContainerPaths } from './layout.js';

export interface ExitStatus {
  readonly exitCode: number;
  readonly finishedAt: string;
  /** Why the container never started, else ''. */
  readonly error: string;
}

/** The exit the monitor recorded; without one, the start failed, and runc's log says why. */
export async function readExitStatus(paths: Pick<ContainerPaths, 'exitFile' | 'runcLog'>): Promise<ExitStatus> {
  const recorded = await readFile(paths.exitFile, 'utf8').then(
    async (text) => ({ code: Number.parseInt(text.trim(), 10), mtime: (await stat(paths.exitFile)).mtime }),
    () => undefined,
  );
  if (recorded !== undefined && Number.isInteger(recorded.code)) {
    return { exitCode: recorded.code, finishedAt: recorded.mtime.toISOString(), error: '' };
  }
  const log = await readFile(paths.runcLog, 'utf8').catch(() => '');
  const error = lastRuncError(log) ?? 'the container supervisor left no exit status';
  return { exitCode: startFailureExitCode(error), finishedAt: new Date().toISOString(), error };
}

/** Docker's exit codes for a process that could not be started: 127 not found, 126 not executable, else 128. */
export function startFailureExitCode(error: string): number {
  if (error.includes('executable file not found') || error.includes('no such file or directory')) return 127;
  if (error.includes('permission denied')) return 126;
  return 128;
}

/** The message of the last error in runc's JSON log (`{"level":"error","msg":"…"}` per line). */
export function lastRuncError(log: string): string | undefined {
  let found: string | undefined;
  for (const line of log.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((entry.level === 'error' || entry.level === 'fatal') && typeof entry.msg === 'string') found = entry.msg;
    } catch {
      // A torn or foreign line.
    }
  }
  return found;
}

/** The shim's side: records the exit code atomically, as conmon does. */
export async function writeExitFile(path: string, exitCode: number): Promise<void> {
  await writeFile(`${path}.tmp`, `${exitCode}`);
  await rename(`${path}.tmp`, path);
}

/** The shim's side: a failure of its own before runc ran, recorded where runc records its own. */
export async function recordStartFailure(runcLog: string, message: string): Promise<void> {
  await appendFile(runcLog, JSON.stringify({ level: 'error', msg: message, time: new Date().toISOString() }) + '\n');
}
