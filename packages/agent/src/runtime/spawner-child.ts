// The process the daemon's commands are started from (see spawner.ts): it receives requests on its IPC
// channel, runs each command to completion with its own bounds and sends back the exit status and
// output. It is small, so its fork()s are cheap, and they happen on its thread, not on the daemon's.
// It exits when the daemon goes (its channel closes); detached children (the containers' shims) stay.
import { spawn } from 'node:child_process';
import type { SpawnReply, SpawnRequest } from './spawner.js';

function reply(message: SpawnReply): void {
  // A reply to a daemon that is gone has nobody to read it.
  if (process.connected) process.send!(message);
}

function runToEnd(request: Extract<SpawnRequest, { kind: 'run' }>): void {
  const { id, argv } = request;
  const input = request.input;
  let child;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: request.timeoutMs,
      killSignal: request.killSignal,
    });
  } catch (err) {
    return reply({ kind: 'done', id, exitCode: null, stdout: '', stderr: '', spawnError: (err as Error).message });
  }
  const out: Buffer[] = [];
  const errOut: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => errOut.push(b));
  let failed: string | undefined;
  child.once('error', (e) => {
    failed = e.message;
  });
  child.once('close', (code) => {
    const output = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') };
    // A command that could not start closes with a negative errno as its "code".
    reply(failed === undefined ? { kind: 'done', id, exitCode: code, ...output } : { kind: 'done', id, exitCode: null, ...output, spawnError: failed });
  });
  if (input !== undefined) {
    child.stdin!.on('error', () => undefined); // a command that exits without reading its input
    child.stdin!.end(input);
  }
}

function startDetached(request: Extract<SpawnRequest, { kind: 'detached' }>): void {
  const { id, argv } = request;
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
  child.once('error', (e) => reply({ kind: 'started', id, pid: 0, spawnError: e.message }));
  child.once('spawn', () => reply({ kind: 'started', id, pid: child.pid ?? 0 }));
  child.once('exit', () => reply({ kind: 'exited', id }));
  child.unref();
}

// The commands started here build what containers see: tar unpacks image layers (the directories a
// layer implies but does not list), runc makes a missing working directory, and the monitors run the
// containers. dockerd sets umask 022 for the same reason (its children inherit it), so those modes are
// Docker's and not the 077 of shoald, whose own files are for root only. What these commands write
// for the daemon lands under its 0700 roots.
process.umask(0o022);

process.on('message', (request: SpawnRequest) => {
  if (request.kind === 'run') runToEnd(request);
  else startDetached(request);
});
process.on('disconnect', () => process.exit(0));
