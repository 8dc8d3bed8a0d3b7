// `service update`/`create` spec edits as docker makes them, and the image table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServiceUpdate, updateEnv, updatePorts } from '../src/commands/service-update.js';
import { parseMemoryBytes, serviceSpec } from '../src/commands/service-spec.js';
import { renderImages } from '../src/commands/image.js';
import { UsageError } from '../src/api/errors.js';

test('update edits env by key, labels, sorted constraints and ports, replicas, force and rollout configs', () => {
  const spec = {
    Name: 'web',
    Labels: { a: '1', b: '2' },
    TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', Env: ['A=1', 'B=2'] }, Placement: { Constraints: ['node.role==worker'] }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 2 } },
    EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
  };
  const out = applyServiceUpdate(spec, {
    image: 'busybox:v2', replicas: 3, 'env-add': ['B=3', 'C=4'], 'env-rm': ['A'], 'label-add': ['c=3'], 'label-rm': ['a'],
    'constraint-add': ['node.labels.dc==x'], 'constraint-rm': ['node.role==worker'], 'publish-add': ['9090:90'], 'publish-rm': ['80'],
    force: true, 'update-parallelism': 2, 'update-order': 'start-first',
  });
  assert.deepEqual(out.TaskTemplate?.ContainerSpec, { Image: 'busybox:v2', Env: ['B=3', 'C=4'] });
  assert.deepEqual(out.Labels, { b: '2', c: '3' });
  assert.deepEqual(out.TaskTemplate?.Placement?.Constraints, ['node.labels.dc==x']);
  assert.deepEqual(out.EndpointSpec?.Ports, [{ Protocol: 'tcp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'ingress' }]);
  assert.equal(out.Mode?.Replicated?.Replicas, 3);
  assert.equal(out.TaskTemplate?.ForceUpdate, 1);
  assert.deepEqual(out['UpdateConfig'], { Parallelism: 2, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'start-first' });
  assert.equal(spec.TaskTemplate.ContainerSpec.Image, 'busybox:latest', 'the fetched spec is left alone');
  assert.throws(() => applyServiceUpdate({ Mode: { Global: {} } } as never, { replicas: 1 }), /replicas can only be used with replicated/);
  assert.throws(() => applyServiceUpdate(spec, { 'update-failure-action': 'explode' }), UsageError);
});

test('env and port helpers keep docker\'s identity rules', () => {
  assert.deepEqual(updateEnv(['A=1', 'B'], ['B=2', 'A=3']), ['A=3', 'B=2']);
  const ports = updatePorts([{ Protocol: 'udp', TargetPort: 53, PublishedPort: 53, PublishMode: 'ingress' }], ['8080:80'], ['53']);
  assert.equal(ports.length, 2, 'a tcp removal leaves the udp port');
});

test('create adds restart, resources, placement preferences and rollout configs only when asked', () => {
  const base = { image: 'busybox:latest', mode: 'replicated', 'endpoint-mode': 'vip' };
  const plain = serviceSpec(base, []);
  assert.equal(plain['UpdateConfig'], undefined);
  assert.equal((plain['TaskTemplate'] as Record<string, unknown>)['RestartPolicy'], undefined);
  const full = serviceSpec({
    ...base, 'restart-condition': 'on-failure', 'limit-cpu': '0.5', 'reserve-memory': '64M', 'placement-pref': ['spread=node.labels.dc'],
    'rollback-monitor': '10s', 'update-delay': '1s',
  }, []);
  const template = full['TaskTemplate'] as Record<string, unknown>;
  assert.deepEqual(template['RestartPolicy'], { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 0, Window: 0 });
  assert.deepEqual(template['Resources'], { Limits: { NanoCPUs: 5e8 }, Reservations: { MemoryBytes: 64 * 1024 * 1024 } });
  assert.deepEqual(template['Placement'], { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.dc' } }] });
  assert.equal((full['UpdateConfig'] as Record<string, unknown>)['Delay'], 1e9);
  assert.equal((full['RollbackConfig'] as Record<string, unknown>)['Monitor'], 1e10);
  assert.equal(parseMemoryBytes('1.5g', '--limit-memory'), 1.5 * 1024 ** 3);
  assert.throws(() => serviceSpec({ ...base, mode: 'global', replicas: 2 }, []), /replicas can only be used/);
});

test('image ls: a row per tag, <none> for untagged images, decimal sizes', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const text = renderImages(
    [
      { Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['busybox:latest', 'busybox:1.35'], Created: now / 1000 - 3 * 86400, Size: 4_261_000 },
      { Id: 'sha256:' + 'b'.repeat(64), RepoTags: [], Created: now / 1000 - 30, Size: 999 },
    ],
    { noTrunc: false, nowMs: now },
  );
  assert.equal(
    text,
    'REPOSITORY   TAG       IMAGE ID       CREATED          SIZE\n' +
      'busybox      1.35      aaaaaaaaaaaa   3 days ago       4.26MB\n' +
      'busybox      latest    aaaaaaaaaaaa   3 days ago       4.26MB\n' +
      '<none>       <none>    bbbbbbbbbbbb   30 seconds ago   999B\n',
  );
});
