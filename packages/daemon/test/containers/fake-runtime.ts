// An in-memory ContainerRuntime for route tests. Containers "run" until exit() is called; attached
// stdio behaves like `cat` (stdin comes back on stdout, "err:" lines go to stderr) and execs print
// their command line and exit with the code of `exit N` in it.
import { randomBytes } from 'node:crypto';
import {
  RuntimeError,
  type ContainerIo,
  type ContainerRecord,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type ExecSpec,
  type ExecState,
  type LogLine,
  type OutputChunk,
  type ProcessStdio,
  type TtySize,
} from '@shoal/agent';

/** An in-memory runtime: containers "run" until exit() is called. */
export class FakeRuntime implements ContainerRuntime, ContainerIo {
  readonly records = new Map<string, ContainerRecord>();
  readonly #listeners = new Set<(r: ContainerRecord) => void>();
  async create(spec: ContainerSpec): Promise<ContainerRecord> {
    if (spec.image !== 'busybox') throw new RuntimeError('not-found', `No such image: ${spec.image}:latest`);
    const taken = [...this.records.values()].find((r) => r.spec.name === spec.name);
    if (taken !== undefined) throw new RuntimeError('conflict', `Conflict. The container name "/${spec.name}" is already in use by container "${taken.spec.id}".`);
    const r: ContainerRecord = { spec, imageId: 'sha256:1', createdAt: new Date().toISOString(), state: state('created'), process: { entrypoint: null, cmd: spec.cmd ?? ['sh'], env: [], workingDir: '', user: '', hostname: spec.id.slice(0, 12) } };
    this.records.set(spec.id, r);
    return r;
  }
  async start(id: string): Promise<void> {
    this.#set(id, state('running'));
  }
  exit(id: string, code: number): void {
    this.#set(id, { ...state('exited'), exitCode: code });
  }
  async wait(id: string, signal?: AbortSignal): Promise<number> {
    const exited = (r: ContainerRecord | undefined) => (r?.state.status === 'exited' ? (r.state.exitCode ?? 0) : undefined);
    const now = exited(this.records.get(id));
    if (now !== undefined) return now;
    return new Promise((resolve, reject) => {
      const dispose = this.subscribe((r) => {
        const code = r.spec.id === id ? exited(r) : undefined;
        if (code !== undefined) {
          dispose();
          resolve(code);
        }
      });
      signal?.addEventListener('abort', () => (dispose(), reject(signal.reason)), { once: true });
    });
  }
  async stop(id: string): Promise<void> {
    this.exit(id, 137);
  }
  /** Signals seen, as "id signal". */
  readonly kills: string[] = [];
  async kill(id: string, signal: string): Promise<void> {
    this.kills.push(`${id} ${signal}`);
    // A SIGKILL'd container exits a little later, as a real one does.
    if (signal === '9') setTimeout(() => this.exit(id, 137), 20);
  }
  async remove(id: string): Promise<void> {
    const r = this.records.get(id)!;
    this.records.delete(id);
    for (const l of this.#listeners) l({ ...r, removed: true });
  }
  get(ref: string): ContainerRecord | undefined {
    return [...this.records.values()].find((r) => r.spec.id === ref || r.spec.name === ref || r.spec.id.startsWith(ref));
  }
  list(): readonly ContainerRecord[] {
    return [...this.records.values()];
  }
  async *logs(): AsyncIterable<LogLine> {
    yield { stream: 'stdout', time: '2030-01-01T00:00:00.000Z', data: Buffer.from('hello\n') };
    yield { stream: 'stderr', time: '2030-01-01T00:00:00.001Z', data: Buffer.from('oops\n') };
  }
  subscribe(listener: (r: ContainerRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  readonly execs = new Map<string, ExecState>();
  /** Resizes seen, as "target rows cols". */
  readonly resizes: string[] = [];
  readonly #attached = new Map<string, FakeStdio[]>();

  async attach(id: string, signal: AbortSignal): Promise<ProcessStdio> {
    const record = this.get(id);
    if (record === undefined) throw new RuntimeError('not-found', `No such container: ${id}`);
    const stdio = new FakeStdio(record.spec.tty === true);
    this.#attached.set(record.spec.id, [...(this.#attached.get(record.spec.id) ?? []), stdio]);
    signal.addEventListener('abort', () => stdio.close(), { once: true });
    return stdio;
  }
  /** The stdio links attached to container `id`. */
  attached(id: string): FakeStdio[] {
    return this.#attached.get(id) ?? [];
  }
  async resize(id: string, size: TtySize): Promise<void> {
    this.resizes.push(`${id} ${size.rows} ${size.cols}`);
  }
  createExec(id: string, spec: ExecSpec): ExecState {
    const record = this.get(id);
    if (record === undefined) throw new RuntimeError('not-found', `No such container: ${id}`);
    if (record.state.status !== 'running') throw new RuntimeError('conflict', `Container ${record.spec.id} is not running`);
    const exec: ExecState = { id: randomBytes(32).toString('hex'), containerId: record.spec.id, spec, running: false, started: false, pid: 0, exitCode: null };
    this.execs.set(exec.id, exec);
    return exec;
  }
  async startExec(execId: string, options: { readonly detach: boolean }): Promise<ProcessStdio | undefined> {
    const exec = this.execs.get(execId);
    if (exec === undefined) throw new RuntimeError('not-found', `No such exec instance: ${execId}`);
    if (exec.started) throw new RuntimeError('conflict', `Error: Exec command ${execId} is already running`);
    const code = Number(/exit (\d+)/.exec(exec.spec.cmd.join(' '))?.[1] ?? '0');
    this.execs.set(execId, { ...exec, started: true, running: true, pid: 4242 });
    const stdio = new FakeStdio(exec.spec.tty, () => this.execs.set(execId, { ...this.execs.get(execId)!, running: false, exitCode: code }));
    stdio.emit('stdout', `${exec.spec.cmd.join(' ')}\n`);
    if (!exec.spec.stdin) stdio.endStdin();
    return options.detach ? undefined : stdio;
  }
  getExec(execId: string): ExecState | undefined {
    return this.execs.get(execId);
  }
  async resizeExec(execId: string, size: TtySize): Promise<void> {
    this.resizes.push(`${execId} ${size.rows} ${size.cols}`);
  }
  #set(id: string, s: ContainerState): void {
    const r = { ...this.records.get(id)!, state: s };
    this.records.set(id, r);
    for (const l of this.#listeners) l(r);
  }
}

export function state(status: ContainerState['status']): ContainerState {
  return { status, pid: status === 'running' ? 42 : 0, exitCode: null, startedAt: status === 'created' ? null : new Date().toISOString(), finishedAt: null, error: '' };
}


/** Behaves like `cat`: stdin comes back as stdout ("err:" lines as stderr); endStdin ends the output. */
export class FakeStdio implements ProcessStdio {
  readonly #queue: (OutputChunk | null)[] = [];
  #wake: (() => void) | undefined;
  closed = false;
  stdinEnded = false;
  constructor(
    readonly tty: boolean,
    private readonly onExit: () => void = () => undefined,
  ) {}
  emit(stream: 'stdout' | 'stderr', text: string): void {
    this.#push({ stream, data: Buffer.from(text) });
  }
  async *output(): AsyncIterable<OutputChunk> {
    for (;;) {
      const next = this.#queue.shift();
      if (next === null) return;
      if (next !== undefined) yield next;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
  writeStdin(data: Uint8Array): void {
    const text = Buffer.from(data).toString();
    this.emit(text.startsWith('err:') ? 'stderr' : 'stdout', text);
  }
  endStdin(): void {
    this.stdinEnded = true;
    this.onExit();
    this.#push(null);
  }
  resize(): void {}
  close(): void {
    this.closed = true;
    this.#push(null);
  }
  #push(chunk: OutputChunk | null): void {
    this.#queue.push(chunk);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
