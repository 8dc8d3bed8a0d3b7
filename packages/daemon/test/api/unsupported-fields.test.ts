// Nothing accepted and then ignored: every field of the service and container create/update bodies is
// either acted on (a value changes what shoal runs) or refused with a 400 naming it, and every field a
// real docker CLI sends is declared, so none is dropped unseen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerSpec, type AssignedTask } from '@shoal/agent';
import { restartPolicy, rolloutConfig } from '@shoal/manager';
import { containerCreateShape, execCreateShape } from '../../src/api/container-shape.js';
import { decodeShape, UnsupportedFieldError, zero, type ObjectShape, type Shape } from '../../src/api/json-shape.js';
import { serviceSpecShape } from '../../src/api/service-shape.js';
import { specFromCreateBody } from '../../src/containers/create-request.js';
import { execSpecFromBody } from '../../src/containers/io-routes.js';
import { containerCreateBodies, serviceBodies } from '../fixtures/cli-request-bodies.js';

interface Leaf {
  readonly path: readonly string[];
  readonly shape: Shape;
}

/** Every field a client can set, down to the unsupported ones (whose insides do not matter). */
function leaves(shape: Shape, path: readonly string[] = []): Leaf[] {
  switch (shape.kind) {
    case 'object':
      return Object.entries(shape.fields).flatMap(([name, field]) => leaves(field, [...path, name]));
    case 'array':
    case 'map':
      return shape.of.kind === 'object' && Object.keys(shape.of.fields).length > 0 ? leaves(shape.of, path) : [{ path, shape }];
    default:
      return [{ path, shape }];
  }
}

/** A non-zero value of the leaf's type, set at its path inside `base` (arrays and maps of objects get one element). */
function withLeaf(shape: ObjectShape, leaf: Leaf, base: Record<string, unknown> = {}, value: (field: Shape) => unknown = sample): Record<string, unknown> {
  const out = structuredClone(base);
  let at: Record<string, unknown> = out;
  let s: Shape = shape;
  leaf.path.forEach((name, i) => {
    const field = (s as ObjectShape).fields[name]!;
    const last = i === leaf.path.length - 1;
    if (last) {
      at[name] = value(field);
      return;
    }
    const child = (at[name] as Record<string, unknown> | undefined) ?? {};
    if (field.kind === 'array') {
      at[name] = [child];
      s = field.of;
    } else if (field.kind === 'map') {
      at[name] = { k: child };
      s = field.of;
    } else {
      at[name] = child;
      s = field;
    }
    at = child;
  });
  return out;
}

function sample(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return 'x';
    case 'bool':
      return true;
    case 'int':
    case 'float':
      return 1;
    case 'any':
      return ['x'];
    case 'array':
      return [sample(shape.of)];
    case 'map':
      return { k: sample(shape.of) };
    case 'object':
      return {};
    case 'unsupported':
    case 'ignored':
      return sample(shape.of);
  }
}

const dotted = (leaf: Leaf) => leaf.path.join('.');

test('every unsupported field with a value is refused with a 400 that names it; its zero value passes', () => {
  for (const shape of [serviceSpecShape, containerCreateShape, execCreateShape]) {
    for (const leaf of leaves(shape).filter((l) => l.shape.kind === 'unsupported')) {
      assert.throws(
        () => decodeShape(withLeaf(shape, leaf), shape),
        (err: unknown) => err instanceof UnsupportedFieldError && err.status === 400 && err.message.startsWith(`shoal does not support ${dotted(leaf)} (`),
        dotted(leaf),
      );
      if (leaf.shape.kind === 'unsupported' && leaf.shape.zeroPasses) {
        const body = withLeaf(shape, leaf, {}, (field) => zero((field as { of: Shape }).of));
        assert.doesNotThrow(() => decodeShape(body, shape), dotted(leaf));
      }
    }
  }
  assert.throws(() => decodeShape({ TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'volume', Target: '/data' }] } } }, serviceSpecShape), {
    message: 'shoal does not support TaskTemplate.ContainerSpec.Mounts (mounts and volumes (--mount)) yet',
  });
  // Presence alone asks for a job.
  assert.throws(() => decodeShape({ Mode: { GlobalJob: {} } }, serviceSpecShape), { message: /shoal does not support Mode\.GlobalJob/ });
});

test('values that ask for what shoal does anyway pass: no restart, json-file logs, no health check, swappiness -1, default isolation', () => {
  const body = {
    Image: 'busybox',
    Healthcheck: { Test: ['NONE'] },
    HostConfig: { RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, LogConfig: { Type: 'json-file', Config: {} }, MemorySwappiness: -1, Isolation: 'default', Runtime: 'runc' },
  };
  assert.doesNotThrow(() => decodeShape(body, containerCreateShape));
  assert.throws(() => decodeShape({ HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } } } }, containerCreateShape), { message: /HostConfig\.LogConfig/ });
  assert.throws(() => decodeShape({ TaskTemplate: { Runtime: 'plugin' } }, serviceSpecShape), { message: /TaskTemplate\.Runtime/ });
  assert.doesNotThrow(() => decodeShape({ TaskTemplate: { Runtime: 'container', ContainerSpec: { Isolation: 'default', Init: false, Healthcheck: { Test: ['NONE'] } } } }, serviceSpecShape));
});

test('ignored fields (client-side and inspect outputs, which dockerd ignores too) are type-checked and dropped', () => {
  for (const leaf of leaves(containerCreateShape).filter((l) => l.shape.kind === 'ignored')) {
    assert.deepEqual(decodeShape(withLeaf(containerCreateShape, leaf), containerCreateShape), withLeaf(containerCreateShape, { ...leaf, path: leaf.path.slice(0, -1) }, {}), dotted(leaf));
  }
});

test('every field the docker CLI sends to create or update a service or a container is declared in the shapes', () => {
  const undeclared = (value: unknown, shape: Shape, path: string): string[] => {
    if (shape.kind === 'unsupported' || shape.kind === 'ignored' || shape.kind === 'any' || value === null) return [];
    if ((shape.kind === 'array' || shape.kind === 'map') && typeof value === 'object') {
      return Object.values(value as object).flatMap((v) => undeclared(v, shape.of, path));
    }
    if (shape.kind !== 'object' || typeof value !== 'object') return [];
    return Object.entries(value as object).flatMap(([k, v]) => {
      const field = Object.keys(shape.fields).find((n) => n.toLowerCase() === k.toLowerCase());
      return field === undefined ? [`${path}${k}`] : undeclared(v, shape.fields[field]!, `${path}${field}.`);
    });
  };
  for (const { label, body } of serviceBodies) assert.deepEqual(undeclared(body, serviceSpecShape, ''), [], label);
  for (const { label, body } of containerCreateBodies) assert.deepEqual(undeclared(body, containerCreateShape, ''), [], label);
});

test('the CLI bodies that ask for mounts, health checks, limits, secrets or jobs are refused; the others decode', () => {
  const outcome = (body: unknown, shape: ObjectShape) => {
    try {
      decodeShape(body, shape);
      return 'ok';
    } catch (err) {
      assert.ok(err instanceof UnsupportedFieldError, String(err));
      return err.field;
    }
  };
  const services = Object.fromEntries(serviceBodies.map(({ label, body }) => [label, outcome(body, serviceSpecShape)]));
  assert.equal(services['05a-svc-create-detach'], 'ok');
  assert.equal(services['05j-svc-scale'], 'ok');
  assert.equal(services['09b-svc-update-attached'], 'ok');
  assert.equal(services['04p-svc-create-mounts'], 'TaskTemplate.ContainerSpec.Mounts');
  assert.equal(services['05a-svc-create-health'], 'TaskTemplate.ContainerSpec.Healthcheck');
  assert.equal(services['05l-svc-create-resources'], 'TaskTemplate.Resources.Limits');
  assert.equal(services['02n-svc-create-secret'], 'TaskTemplate.ContainerSpec.Secrets');
  assert.equal(services['05r-svc-create-replicated-job'], 'Mode.ReplicatedJob');
  assert.equal(services['05s-svc-create-global-job'], 'Mode.GlobalJob');
  const containers = Object.fromEntries(containerCreateBodies.map(({ label, body }) => [label, outcome(body, containerCreateShape)]));
  assert.equal(containers['06a-run-d'], 'ok');
  assert.equal(containers['07c-run-publish'], 'ok');
  assert.equal(containers['04i-run-volume'], 'HostConfig.Binds');
  assert.equal(containers['04k-run-mount-tmpfs'], 'HostConfig.Mounts');
  // A map with entries asks for something even when every entry is empty (`-v /anon`, `--tmpfs /run`).
  assert.equal(containers['04l-run-anon-and-tmpfsvol'], 'Volumes');
  assert.throws(() => decodeShape({ HostConfig: { Tmpfs: { '/run': '' } } }, containerCreateShape), { message: /HostConfig\.Tmpfs/ });
});

const netnsFor = (mode: string) => (mode === 'host' ? '/proc/1/ns/net' : undefined);
/** The container a body makes, without its random ID. */
function created(body: Record<string, unknown>): unknown {
  const { id: _id, ...spec } = specFromCreateBody(body, 'c', { netnsFor, imageExposedPorts: () => [] });
  return spec;
}

test('every container create field shoal accepts changes the container it makes', () => {
  const base = { Image: 'busybox' };
  // A sample each consumer accepts as valid; ExposedPorts matter only with -P, as in Docker.
  const valid: Record<string, Record<string, unknown>> = {
    PublishAllPorts: { Image: 'busybox', ExposedPorts: { '80/tcp': {} } },
    Aliases: { Image: 'busybox', HostConfig: { NetworkMode: 'k' } },
    MaximumRetryCount: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'on-failure' } } },
  };
  const samples: Record<string, unknown> = {
    Cmd: ['sh'],
    ExposedPorts: { '80/tcp': {} },
    Entrypoint: ['sh'],
    'HostConfig.PortBindings': { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    'HostConfig.ConsoleSize': [24, 80],
    'HostConfig.NetworkMode': 'host',
    'HostConfig.RestartPolicy.Name': 'always',
  };
  for (const leaf of leaves(containerCreateShape).filter((l) => l.shape.kind !== 'unsupported' && l.shape.kind !== 'ignored')) {
    const key = dotted(leaf);
    const start = key === 'ExposedPorts' ? { ...base, HostConfig: { PublishAllPorts: true } } : (valid[leaf.path.at(-1)!] ?? base);
    const body = withLeaf(containerCreateShape, leaf, start, (field) => (key in samples ? samples[key] : sample(field)));
    assert.notDeepEqual(created(body), created(start), `${key} is accepted but changes nothing`);
  }
});

test('every exec create field shoal accepts changes the exec it makes', () => {
  const base = { Cmd: ['true'] };
  const samples: Record<string, unknown> = { Cmd: ['sh'], ConsoleSize: [24, 80], DetachKeys: 'ctrl-a' };
  for (const leaf of leaves(execCreateShape).filter((l) => l.shape.kind !== 'unsupported' && l.shape.kind !== 'ignored')) {
    const key = dotted(leaf);
    const body = withLeaf(execCreateShape, leaf, base, (field) => (key in samples ? samples[key] : sample(field)));
    assert.notDeepEqual(execSpecFromBody(decodeShape(body, execCreateShape)), execSpecFromBody(base), `${key} is accepted but changes nothing`);
  }
});

test('every service container field shoal accepts changes the container a task runs; update and restart settings change the rollout', () => {
  const containerSpecShape = (serviceSpecShape.fields['TaskTemplate'] as ObjectShape).fields['ContainerSpec'] as ObjectShape;
  const task = (spec: Record<string, unknown>): AssignedTask =>
    ({ ID: 't1', ServiceID: 's1', NodeID: 'n1', Slot: 1, Spec: { ContainerSpec: { Image: 'busybox', ...spec } } }) as unknown as AssignedTask;
  const container = (spec: Record<string, unknown>) => {
    const { id: _id, ...rest } = containerSpec(task(decodeShape(spec, containerSpecShape)), 'web', undefined);
    return rest;
  };
  const stopGrace = (spec: Record<string, unknown>) => (task(spec).Spec.ContainerSpec as { StopGracePeriod?: number }).StopGracePeriod;
  for (const leaf of leaves(containerSpecShape).filter((l) => l.shape.kind !== 'unsupported')) {
    const spec = withLeaf(containerSpecShape, leaf);
    // The stop grace period is read when the task is stopped (stopGraceSec), not when its container is made.
    if (dotted(leaf) === 'StopGracePeriod') assert.equal(stopGrace(spec), 1);
    else assert.notDeepEqual(container(spec), container({}), `ContainerSpec.${dotted(leaf)} is accepted but changes nothing`);
  }
  const updateShape = serviceSpecShape.fields['UpdateConfig'] as ObjectShape;
  for (const leaf of leaves(updateShape).filter((l) => l.shape.kind !== 'unsupported')) {
    const value = leaf.path[0] === 'FailureAction' ? 'continue' : leaf.path[0] === 'Order' ? 'start-first' : 2_000_000_000;
    assert.notDeepEqual(rolloutConfig({ [leaf.path[0]!]: value }), rolloutConfig({}), `UpdateConfig.${dotted(leaf)}`);
  }
  const restartShape = (serviceSpecShape.fields['TaskTemplate'] as ObjectShape).fields['RestartPolicy'] as ObjectShape;
  for (const leaf of leaves(restartShape)) {
    const value = leaf.path[0] === 'Condition' ? 'none' : 7_000_000_000;
    assert.notDeepEqual(restartPolicy({ RestartPolicy: { [leaf.path[0]!]: value } }), restartPolicy({}), `RestartPolicy.${dotted(leaf)}`);
  }
});
