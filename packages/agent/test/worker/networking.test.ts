// The worker's seam to the data plane: a task on networks runs in the sandbox the data plane prepared
// (its namespace and resolv.conf reach the container spec), the networks of a message are taken in
// before its tasks, a sandbox that cannot be made fails the task with the reason, and the sandbox is
// released when the container exits or the task is removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord, ContainerRuntime, ContainerSpec } from '../../src/runtime/types.js';
import type { AssignedTask, TaskStatus } from '../../src/worker/task.js';
import type { TaskNetworking } from '../../src/worker/task-runner.js';
import { Worker } from '../../src/worker/worker.js';

/** Just enough runtime: containers start and run until exit() or stop. */
function fakeRuntime() {
  const records = new Map<string, ContainerRecord>();
  const waiters = new Map<string, (code: number) => void>();
  const set = (id: string, state: Partial<ContainerRecord['state']>) => records.set(id, { ...records.get(id)!, state: { ...records.get(id)!.state, ...state } });
  const exit = (id: string, code: number) => {
    set(id, { status: 'exited', exitCode: code, pid: 0 });
    waiters.get(id)?.(code);
  };
  const runtime = {
    create: async (spec: ContainerSpec) => {
      const r: ContainerRecord = { spec, imageId: 'sha256:x', createdAt: '', state: { status: 'created', pid: 0, exitCode: null, startedAt: null, finishedAt: null, error: '' } };
      records.set(spec.id, r);
      return r;
    },
    start: async (id: string) => void set(id, { status: 'running', pid: 7 }),
    wait: (id: string) => new Promise<number>((resolve) => waiters.set(id, resolve)),
    stop: async (id: string) => exit(id, 143),
    remove: async (id: string) => void records.delete(id),
    get: (id: string) => records.get(id),
    list: () => [...records.values()],
  } as unknown as ContainerRuntime;
  return { runtime, records, exit };
}

function task(id: string, networks: boolean): AssignedTask {
  return {
    ID: id, ServiceID: 'svc', Slot: 1, NodeID: 'node1', DesiredState: 'running',
    Status: { Timestamp: '', State: 'assigned', Message: '', PortStatus: {} },
    Spec: { ContainerSpec: { Image: 'busybox' } },
    ...(networks ? { NetworksAttachments: [{ Network: { ID: 'net1' }, Addresses: ['10.0.1.3/24'] }] } : {}),
  };
}

function recordingNetworking(failFor?: string) {
  const calls: string[] = [];
  const networking: TaskNetworking = {
    applyNetworks: async (kind, changes) => void calls.push(`networks ${kind} ${(changes.networks ?? []).map((n) => n.Network.ID).join(',')}`),
    prepare: async (t) => {
      calls.push(`prepare ${t.ID}`);
      if (t.ID === failFor) throw new Error('network net1: encrypted overlay networks need IPsec ESP');
      return t.NetworksAttachments ? { netnsPath: `/netns/sb-${t.ID}`, resolvConf: 'nameserver 127.0.0.11\n' } : undefined;
    },
    release: async (id) => void calls.push(`release ${id}`),
  };
  return { networking, calls };
}

const info = { ID: 'net1', Name: 'ov', Vni: 4097, Subnet: '10.0.1.0/24', Gateway: '10.0.1.1', Internal: false, Encrypted: false, Attachable: false, Ingress: false };

test('a task runs in its prepared sandbox with its resolv.conf; networks are taken in first; the sandbox goes with the container', async () => {
  const { runtime, records, exit } = fakeRuntime();
  const { networking, calls } = recordingNetworking();
  const reports: [string, TaskStatus][] = [];
  const worker = new Worker({ runtime, networking, report: (id, s) => reports.push([id, s]), log: () => {} });
  await worker.apply('full', {
    tasks: [task('t1', true)], removed: [], serviceNames: { svc: 'web' },
    networks: [{ Network: info, Endpoints: [], RemovedEndpoints: [], Services: [], RemovedServices: [] }],
  });
  const spec = [...records.values()][0]!.spec;
  assert.equal(spec.netnsPath, '/netns/sb-t1');
  assert.equal(spec.resolvConf, 'nameserver 127.0.0.11\n');
  assert.deepEqual(calls, ['networks full net1', 'prepare t1']);
  exit(spec.id, 0);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(calls.slice(2), ['release t1'], 'released when the container exits');
  assert.equal(reports.at(-1)![1].State, 'complete');
});

test('a sandbox that cannot be made fails the task with the reason; a removed task releases its sandbox', async () => {
  const { runtime } = fakeRuntime();
  const { networking, calls } = recordingNetworking('bad');
  const reports: [string, TaskStatus][] = [];
  const worker = new Worker({ runtime, networking, report: (id, s) => reports.push([id, s]), log: () => {} });
  await worker.apply('full', { tasks: [task('bad', true), task('plain', false)], removed: [], serviceNames: { svc: 'web' } });
  const failed = reports.filter(([id]) => id === 'bad').at(-1)![1];
  assert.equal(failed.State, 'failed');
  assert.match(failed.Err ?? '', /encrypted overlay networks need IPsec ESP/);
  assert.ok(calls.includes('release bad'), 'what was prepared is released');
  assert.equal(runtime.list().find((r) => r.spec.name.includes('plain'))?.spec.netnsPath, undefined, 'a task on no network gets a namespace of its own');
  await worker.apply('incremental', { tasks: [], removed: ['plain'], serviceNames: {} });
  assert.ok(calls.includes('release plain'));
});
