// Formatting and argument handling of the container and service-logs commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderContainers } from '../src/commands/container.js';
import { createBody, separateRunCommand } from '../src/commands/run.js';
import { parseDetails } from '../src/commands/service-logs.js';
import { UsageError } from '../src/api/errors.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

test('ps table: truncated ID, quoted command cut at 20 characters, age, names without the slash', () => {
  const out = renderContainers(
    [{ Id: 'a'.repeat(64), Names: ['/web'], Image: 'busybox:latest', Command: 'httpd -f -p 80 -h /var/www', Created: NOW / 1000 - 120, Status: 'Up 2 minutes' }],
    { noTrunc: false, nowMs: NOW },
  );
  assert.equal(
    out,
    'CONTAINER ID   IMAGE            COMMAND                  CREATED         STATUS         PORTS     NAMES\n' +
      'aaaaaaaaaaaa   busybox:latest   "httpd -f -p 80 -h /…"   2 minutes ago   Up 2 minutes             web\n',
  );
});

test('ps -q prints the short IDs only', () => {
  assert.equal(renderContainers([{ Id: 'b'.repeat(64) }], { quiet: true, noTrunc: false, nowMs: NOW }), 'bbbbbbbbbbbb\n');
});

test('run passes everything after the image to the container, flags included', () => {
  assert.deepEqual(separateRunCommand(['-H', 'unix:///s', 'run', '-d', '--name', 'x', 'img', 'sh', '-c', 'echo']), [
    '-H', 'unix:///s', 'run', '-d', '--name', 'x', 'img', '--', 'sh', '-c', 'echo',
  ]);
  assert.deepEqual(separateRunCommand(['ps', '-a']), ['ps', '-a']);
});

test('run sends docker create fields: Cmd, Env, network, port bindings, AutoRemove', () => {
  const body = createBody({ image: 'busybox', command: ['sleep', '1'], env: ['A=1'], network: 'net', publish: ['8080:80'], rm: true });
  assert.deepEqual(body['Cmd'], ['sleep', '1']);
  assert.deepEqual(body['Env'], ['A=1']);
  assert.deepEqual(body['ExposedPorts'], { '80/tcp': {} });
  const host = body['HostConfig'] as Record<string, unknown>;
  assert.equal(host['NetworkMode'], 'net');
  assert.deepEqual(host['PortBindings'], { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.equal(host['AutoRemove'], true);
  assert.equal(createBody({ image: 'busybox', command: [] })['Cmd'], null);
});

test('service log details are query-unescaped key=value pairs; a pair without = is refused', () => {
  const details = parseDetails('com.docker.swarm.node.id=n1,com.docker.swarm.task.id=t1,x=a%2Cb+c');
  assert.deepEqual([...details], [['com.docker.swarm.node.id', 'n1'], ['com.docker.swarm.task.id', 't1'], ['x', 'a,b c']]);
  assert.throws(() => parseDetails('broken'), (err: unknown) => err instanceof UsageError && err.message === 'invalid details format');
});
