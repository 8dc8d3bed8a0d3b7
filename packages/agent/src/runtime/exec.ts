// Processes started in a running container (`docker exec`): `runc exec` in the foreground, our child,
// with a process.json built from the container's own environment (Docker's rules: the container's Env
// and user unless the exec gives its own, Docker's default capabilities), under `script` when it has
// a terminal. Exec records live in memory: like dockerd's, they go with the container, and exited ones
// are forgotten a while after they exit.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleSize, defaultCapabilities } from './oci-config.js';
import { mergeEnv, processEnv } from './process-spec.js';
import { ChildStdio } from './stdio.js';
import { underTerminal } from './tty.js';
import { resolveUser, type OciUser, type UserFiles } from './users.js';
import { RuntimeError, type ContainerRecord, type ExecId, type ExecSpec, type ExecState, type ProcessStdio, type TtySize } from './types.js';

export interface ExecHost {
  readonly runc: readonly string[];
  /** Where process.json and pid files of execs go (one directory per exec, removed when it exits). */
  readonly execDir: string;
  /** The container's current record, or undefined once it is gone. */
  container(id: string): ContainerRecord | undefined;
  /** The container's /etc/passwd and /etc/group, which name the exec's user. */
  userFiles(container: ContainerRecord): Promise<UserFiles>;
}

/** How long an exited exec can still be inspected (dockerd cleans them up on a 5-minute timer too). */
const EXITED_RETENTION_MS = 5 * 60_000;

interface Entry {
  state: ExecState;
  stdio?: ProcessStdio;
}

export class ExecRegistry {
  readonly #host: ExecHost;
  readonly #entries = new Map<ExecId, Entry>();

  constructor(host: ExecHost) {
    this.#host = host;
  }

  create(container: ContainerRecord, spec: ExecSpec): ExecState {
    if (container.state.status !== 'running') throw new RuntimeError('conflict', `Container ${container.spec.id} is not running`);
    if (spec.cmd.length === 0) throw new RuntimeError('invalid-argument', 'No exec command specified');
    const state: ExecState = { id: randomBytes(32).toString('hex'), containerId: container.spec.id, spec, running: false, started: false, pid: 0, exitCode: null };
    this.#entries.set(state.id, { state });
    return state;
  }

  get(id: ExecId): ExecState | undefined {
    return this.#entries.get(id)?.state;
  }

  async start(id: ExecId, detach: boolean): Promise<ProcessStdio | undefined> {
    const entry = this.#require(id);
    if (entry.state.started) throw new RuntimeError('conflict', `Error: Exec command ${id} is already running`);
    const container = this.#host.container(entry.state.containerId);
    if (container === undefined || container.state.status !== 'running') {
      throw new RuntimeError('conflict', `Container ${entry.state.containerId} is not running`);
    }
    entry.state = { ...entry.state, started: true };
    const { spec } = entry.state;
    let user: OciUser;
    try {
      user = resolveUser(spec.user || container.process!.user, await this.#host.userFiles(container), container.spec.groupAdd);
    } catch (err) {
      // As dockerd ends an exec that could not start: exit code 126, never to run.
      entry.state = { ...entry.state, exitCode: 126 };
      this.#forgetLater(id);
      throw err;
    }
    const dir = join(this.#host.execDir, id.slice(0, 12));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'process.json'), JSON.stringify(processJson(container, spec, user)));
    const pidFile = join(dir, 'exec.pid');
    const runc = [...this.#host.runc, 'exec', ...(spec.tty ? ['--tty'] : []), '--process', join(dir, 'process.json'), '--pid-file', pidFile, container.spec.id];
    const argv = spec.tty ? underTerminal(runc, spec.consoleSize) : runc;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [spec.tty || spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    entry.state = { ...entry.state, running: true };
    const stdio = new ChildStdio(child, spec.tty, (code, signal) => {
      // runc exec reports the process's status, 128+n for a signal, as `script -e` does for it.
      const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
      // A process quicker than the pid poll still shows its Pid, as Docker's inspect does.
      const pid = entry.state.pid || Number(readPidFile(pidFile)) || 0;
      entry.state = { ...entry.state, running: false, exitCode, pid };
      delete entry.stdio;
      void rm(dir, { recursive: true, force: true });
      this.#forgetLater(id);
    });
    entry.stdio = stdio;
    child.once('spawn', () => void this.#readPid(entry, pidFile));
    child.once('error', () => undefined);
    if (detach) {
      stdio.close();
      return undefined;
    }
    return stdio;
  }

  async resize(id: ExecId, size: TtySize): Promise<void> {
    const entry = this.#require(id);
    entry.stdio?.resize(size);
  }

  /** Forgets a removed container's execs (their processes died with it). */
  forgetContainer(containerId: string): void {
    for (const [id, entry] of this.#entries) if (entry.state.containerId === containerId) this.#entries.delete(id);
  }

  /** An exec that ended stays inspectable for a while. */
  #forgetLater(id: ExecId): void {
    setTimeout(() => this.#entries.delete(id), EXITED_RETENTION_MS).unref();
  }

  #require(id: ExecId): Entry {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw new RuntimeError('not-found', `No such exec instance: ${id}`);
    return entry;
  }

  async #readPid(entry: Entry, pidFile: string): Promise<void> {
    for (let i = 0; i < 200 && entry.state.running; i++) {
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        entry.state = { ...entry.state, pid };
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function readPidFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The OCI process of an exec: what runc exec --process takes. */
export function processJson(container: ContainerRecord, spec: ExecSpec, user: OciUser): Record<string, unknown> {
  const resolved = container.process!;
  const caps = [...defaultCapabilities];
  return {
    terminal: spec.tty,
    ...consoleSize({ terminal: spec.tty, consoleSize: spec.consoleSize }),
    user,
    args: [...spec.cmd],
    env: mergeEnv(processEnv(resolved, spec.tty), spec.env ?? []),
    cwd: spec.workingDir || resolved.workingDir || '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    noNewPrivileges: false,
  };
}
