// The Engine API as clients other than the docker CLI use it (SDKs, Portainer, CI systems), against one
// shoald, with the requests they send and dockerd 20.10's answers as the expectation: exec output framed
// by the start request's Tty; attach with logs=1&stream=0; detach keys on attach and exec; a SIGKILL
// answered only once the exit shows in inspect; generated names that do not collide. The docker CLI
// checks the same where it exercises them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerCli, dockerOk, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { callEngine } from '../src/faults/engine.js';
import { HijackedStream, stdcopyFrames } from '../src/hijack.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';
import { onTerminal } from '../src/terminal.js';

const CALL_MS = 15_000;

async function api<T>(host: HostLayout, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const reply = await callEngine(host.socket, method, path, body, CALL_MS);
  return { status: reply.status, body: reply.body as T };
}

async function execCreate(host: HostLayout, container: string, body: Record<string, unknown>): Promise<string> {
  const reply = await api<{ Id: string }>(host, 'POST', `/containers/${container}/exec`, body);
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.Id;
}

async function state(host: HostLayout, container: string): Promise<string> {
  return (await dockerOk(host, ['inspect', '--format', '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}', container])).trim();
}

/** Sends `keys` one byte at a time, as a terminal types them. */
async function type(stream: HijackedStream, keys: readonly number[]): Promise<void> {
  for (const key of keys) {
    stream.write(Buffer.from([key]));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('Engine API fidelity for SDK clients: exec framing, attach logs and detach keys, kill then inspect, generated names', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);
  t.after(async () => {
    const ids = (await docker(host, ['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
    if (ids.length > 0) await docker(host, ['rm', '-f', ...ids]);
  });
  const streams: HijackedStream[] = [];
  t.after(() => streams.forEach((s) => s.destroy()));
  const open = async (path: string, body?: unknown): Promise<{ stream: HijackedStream; head: string }> => {
    const opened = await HijackedStream.open(host.socket, path, body);
    streams.push(opened.stream);
    return opened;
  };

  await t.test('exec output is framed by the Tty of the start request, not of the create', async () => {
    await dockerOk(host, ['run', '-d', '--name', 'box', 'busybox', 'sleep', '300']);
    const both = { AttachStdout: true, AttachStderr: true };
    // A terminal in the container (create Tty) but a client that demultiplexes (start Tty false): frames.
    const onTty = await execCreate(host, 'box', { Cmd: ['echo', 'tty-out'], Tty: true, ...both });
    const framed = await open(`/exec/${onTty}/start`, { Detach: false, Tty: false });
    assert.match(framed.head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.deepEqual(stdcopyFrames(await framed.stream.untilEnd('exec with a terminal, start without')), [['stdout', 'tty-out\r\n']]);
    // No terminal in the container, but a client that reads raw bytes (start Tty true): no headers.
    const noTty = await execCreate(host, 'box', { Cmd: ['echo', 'plain-out'], Tty: false, ...both });
    const raw = await open(`/exec/${noTty}/start`, { Detach: false, Tty: true });
    assert.equal((await raw.stream.untilEnd('exec without a terminal, start with')).toString(), 'plain-out\n');
    // The docker CLI demultiplexes by its own -t: a wrong framing would show as header bytes.
    assert.equal(await dockerOk(host, ['exec', '-t', 'box', 'echo', 'hi']), 'hi\r\n');
    assert.equal(await dockerOk(host, ['exec', 'box', 'echo', 'hi']), 'hi\n');
  });

  await t.test('attach with logs=1&stream=0 answers the log and closes; the container keeps running', async () => {
    await dockerOk(host, ['run', '-d', '--name', 'logger', 'busybox', 'sh', '-c', 'echo one; echo two >&2; exec sleep 300']);
    await waitFor('logger logged both lines', async () => ((await docker(host, ['logs', 'logger'])).stderr === 'two\n' ? true : undefined), { timeoutMs: 10_000 });
    const all = await open('/containers/logger/attach?logs=1&stream=0&stdout=1&stderr=1');
    assert.match(all.head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.deepEqual(stdcopyFrames(await all.stream.untilEnd('attach logs=1&stream=0')), [['stdout', 'one\n'], ['stderr', 'two\n']]);
    const stdoutOnly = await open('/containers/logger/attach?logs=1&stream=0&stdout=1');
    assert.deepEqual(stdcopyFrames(await stdoutOnly.stream.untilEnd('attach logs=1 stdout=1')), [['stdout', 'one\n']]);
    assert.equal(await state(host, 'logger'), 'running true 0');
  });

  await t.test('detach keys end an attach and an exec attach on a terminal; the processes keep running', async () => {
    await dockerOk(host, ['run', '-dit', '--name', 'shell', 'busybox', 'sh']);
    const attach = async (query = '') => {
      const { stream } = await open(`/containers/shell/attach?stream=1&stdin=1&stdout=1&stderr=1${query}`);
      return stream;
    };
    const byDefault = await attach();
    byDefault.write('echo hi-$((6*7))\n');
    await byDefault.until((o) => o.includes('hi-42'), 'the shell answered');
    await type(byDefault, [16, 17]);
    await byDefault.untilEnd('ctrl-p ctrl-q detached');
    const custom = await attach('&detachKeys=ctrl-x');
    await type(custom, [24]);
    await custom.untilEnd('ctrl-x detached');
    const bad = await api<{ message: string }>(host, 'POST', '/containers/shell/attach?stream=1&stdin=1&detachKeys=ctrl-');
    assert.deepEqual([bad.status, bad.body.message], [400, 'Invalid detach keys (ctrl-) provided']);
    assert.equal(await state(host, 'shell'), 'running true 0', 'detaching left the shell running');

    const execId = await execCreate(host, 'shell', { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, DetachKeys: 'ctrl-a' });
    assert.equal((await api<{ DetachKeys: string }>(host, 'GET', `/exec/${execId}/json`)).body.DetachKeys, 'AQ==');
    const { stream: exec } = await open(`/exec/${execId}/start`, { Detach: false, Tty: true });
    exec.write('echo in-$((2+3))\n');
    await exec.until((o) => o.includes('in-5'), 'the exec answered');
    await type(exec, [1]);
    await exec.untilEnd('ctrl-a detached the exec');
    const inspect = await api<{ Running: boolean; ExitCode: number | null }>(host, 'GET', `/exec/${execId}/json`);
    assert.deepEqual([inspect.body.Running, inspect.body.ExitCode], [true, null], 'the exec keeps running');

    // The docker CLI passes --detach-keys on: it ends as with dockerd (the message, exit code 1), the container still running.
    const cli = await onTerminal(host, 'docker attach --detach-keys=ctrl-x shell', ['\x18']);
    assert.equal(cli.code, 1, cli.output);
    assert.match(cli.output, /read escape sequence/);
    assert.equal(await state(host, 'shell'), 'running true 0');
  });

  await t.test('a SIGKILL is answered once inspect shows the exit, for docker kill and the raw API alike', async () => {
    for (const [i, flags] of [['-d'], ['-d'], ['-dit']].entries()) {
      await dockerOk(host, ['run', ...flags, '--name', `k${i}`, 'busybox', 'sleep', '300']);
      await dockerOk(host, ['kill', `k${i}`]);
      assert.equal(await state(host, `k${i}`), 'exited false 137', `k${i} (${flags.join(' ')}) right after docker kill`);
      await dockerOk(host, ['start', `k${i}`]);
      assert.equal((await api(host, 'POST', `/containers/k${i}/kill`)).status, 204);
      const after = await api<{ State: { Running: boolean; ExitCode: number } }>(host, 'GET', `/containers/k${i}/json`);
      assert.deepEqual([after.body.State.Running, after.body.State.ExitCode], [false, 137], `k${i} right after POST kill`);
    }
    const again = await docker(host, ['kill', 'k0']);
    assert.match(again.stderr, /^Error response from daemon: Cannot kill container: k0: Container [0-9a-f]{64} is not running\n$/);
    await dockerOk(host, ['start', 'k0']);
    const badSignal = await docker(host, ['kill', '--signal', 'NOPE', 'k0']);
    assert.match(badSignal.stderr, /Invalid signal: NOPE/);
    assert.equal(await state(host, 'k0'), 'running true 0', 'a refused signal changes nothing');
  });

  await t.test('containers created without a name get distinct Docker-style names', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const id = (await dockerOk(host, ['create', 'busybox', 'true'])).trim();
      names.add((await dockerOk(host, ['inspect', '--format', '{{.Name}}', id])).trim());
    }
    assert.equal(names.size, 20);
    for (const name of names) assert.match(name, /^\/[a-z]+_[a-z]+\d?$/);
  });
});
