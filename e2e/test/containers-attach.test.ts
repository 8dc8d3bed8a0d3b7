// Attached containers and exec with the real docker CLI on one shoald: `docker run` in the foreground
// (output, stdin, exit code), `docker run -it` and `docker exec -it` on a terminal (util-linux `script`
// gives the CLI one), `docker exec` with exit codes, `docker attach` to a running shell, and nothing
// left running afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerOk, run, withCluster, type HostLayout } from '../src/index.js';
import { onTerminal } from '../src/terminal.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

/** Processes whose command line names this host's exec root (shims, runc, script). */
function processesOf(host: HostLayout): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(`${host.execRoot}/`) && !cmdline.includes('shoald')) found.push(`${pid} ${cmdline}`);
  }
  return found;
}

test('docker run attached, run -i, run -it, exec (exit codes, stdin, -it) and attach against shoald; nothing left running', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-attach-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'save.tar'), 'busybox:latest');
  await dockerOk(host, ['load', '-i', join(dir, 'save.tar')]);

  try {
    assert.equal(await dockerOk(host, ['run', '--rm', 'busybox', 'echo', 'hi']), 'hi\n');
    const failing = await docker(host, ['run', '--name', 'failing', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([failing.code, failing.stdout, failing.stderr], [3, 'out\n', 'err\n'], 'streams apart, the exit code is the container\'s');
    assert.equal(await dockerOk(host, ['logs', 'failing']), 'out\n');

    const cat = await docker(host, ['run', '-i', '--rm', 'busybox', 'cat'], { input: 'one\ntwo\n' });
    assert.deepEqual([cat.code, cat.stdout], [0, 'one\ntwo\n'], 'stdin reaches the container and its end ends cat');

    const tty = await onTerminal(host, `docker run -it --rm busybox sh -c 'echo $((1+2)); tty; stty size'`);
    assert.equal(tty.code, 0);
    assert.match(tty.output, /3\r\n\/dev\/pts\/0\r\n30 90\r\n/, 'a terminal of the CLI\'s size');

    await dockerOk(host, ['run', '-d', '--name', 'box', 'busybox', 'sleep', '300']);
    const ping = await docker(host, ['exec', 'box', 'ping', '-c', '1', '127.0.0.1']);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, /1 packets transmitted, 1 packets received, 0% packet loss/);
    const exit3 = await docker(host, ['exec', 'box', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    assert.deepEqual([exit3.code, exit3.stdout, exit3.stderr], [3, '', 'to-stderr\n']);
    assert.equal(await dockerOk(host, ['exec', '-i', 'box', 'cat']), '', 'exec -i with empty input ends');
    const piped = await docker(host, ['exec', '-i', 'box', 'sh', '-c', 'cat; echo done'], { input: 'piped\n' });
    assert.deepEqual([piped.code, piped.stdout], [0, 'piped\ndone\n']);
    // Known flake (about 1 run in 4 under load): busybox stty inside a fresh `runc exec --tty` sometimes
    // fails its first tcgetattr ("No child processes"). Up to three tries, so a real regression still fails.
    let execTty = await onTerminal(host, `docker exec -it box sh -c 'tty; stty size; exit 5'`);
    for (let attempt = 1; attempt < 3 && /No child processes/.test(execTty.output); attempt++) {
      execTty = await onTerminal(host, `docker exec -it box sh -c 'tty; stty size; exit 5'`);
    }
    assert.equal(execTty.code, 5);
    assert.match(execTty.output, /\/dev\/pts\/\d+\r\n30 90\r\n/);
    const missing = await docker(host, ['exec', 'nosuch', 'true']);
    assert.match(missing.stderr, /No such container: nosuch/);

    await dockerOk(host, ['run', '-dit', '--name', 'shell', 'busybox', 'sh']);
    const attached = await onTerminal(host, 'docker attach shell', ['echo hi-$((6*7))\r', 'exit 9\r']);
    assert.equal(attached.code, 9);
    assert.match(attached.output, /hi-42/);
    assert.equal((await dockerOk(host, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'shell'])).trim(), 'exited 9');
  } finally {
    await docker(host, ['rm', '-f', 'failing', 'box', 'shell']);
  }
  assert.equal(await dockerOk(host, ['ps', '-aq']), '', '--rm containers are gone too');
  assert.deepEqual(processesOf(host), [], 'no shim, runc or script left');
  assert.equal((await run(['runc', '--root', join(host.execRoot, 'runc'), 'list', '-q'])).stdout, '');
  for (const sub of ['attach', 'execs', 'containers']) assert.deepEqual(readdirSync(join(host.execRoot, sub)), [], `${sub} is empty`);
});
