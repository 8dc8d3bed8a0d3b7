import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetwork, getNetwork } from '../../src/control/network-ops.js';
import { createService, getService, listServices, removeService, updateService } from '../../src/control/service-ops.js';
import { getTask, listTasks } from '../../src/control/task-ops.js';
import { controlError } from './fake-context.js';
import { Sim } from '../orchestrator/sim.js';

// The body `docker service create --name trace-web --replicas 2 --publish 8089:80 busybox:latest httpd -f -p 80` sends.
const traced = (networkId?: string) => ({
  Name: 'trace-web',
  Labels: {},
  TaskTemplate: {
    ContainerSpec: { Image: 'busybox:latest', Args: ['httpd', '-f', '-p', '80'], Init: false, DNSConfig: {} },
    Resources: { Limits: {}, Reservations: {} },
    Placement: {},
    ...(networkId ? { Networks: [{ Target: networkId }] } : {}),
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 2 } },
  EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8089, PublishMode: 'ingress' }] },
});

test('service create stores the spec as swarmkit does; inspect with and without defaults', async () => {
  const sim = new Sim(['n1']);
  const { ID } = await createService(sim.control.ctx, traced());
  const plain = getService(sim.control.ctx, { id: 'trace-web' });
  assert.equal(plain.ID, ID);
  assert.deepEqual(plain.Spec.TaskTemplate.ContainerSpec, { Image: 'busybox:latest', Args: ['httpd', '-f', '-p', '80'], Init: false, DNSConfig: {}, Isolation: 'default' });
  assert.equal(plain.Spec.TaskTemplate.Runtime, 'container');
  assert.deepEqual(plain.Endpoint?.Ports, [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8089, PublishMode: 'ingress' }]);
  assert.equal(plain.Spec.UpdateConfig, undefined);
  const full = getService(sim.control.ctx, { id: ID.slice(0, 6), insertDefaults: true });
  assert.deepEqual(Object.keys(full.Spec), ['Name', 'Labels', 'TaskTemplate', 'Mode', 'UpdateConfig', 'RollbackConfig', 'EndpointSpec']);
  assert.deepEqual(full.Spec.TaskTemplate.RestartPolicy, { Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
  assert.deepEqual(full.Spec.UpdateConfig, { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' });
  assert.equal(full.Spec.TaskTemplate.ContainerSpec?.StopGracePeriod, 10e9);
  assert.throws(() => getService(sim.control.ctx, { id: 'nosuchsvc' }), controlError('not-found', 'service nosuchsvc not found'));
});

test('service create refuses a taken name and a taken ingress port with Docker\'s messages; {Replicated:{}} means 1', async () => {
  const sim = new Sim(['n1']);
  const { ID } = await createService(sim.control.ctx, traced());
  await assert.rejects(
    createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'vip' } }),
    controlError('conflict', 'rpc error: code = AlreadyExists desc = name conflicts with an existing object: service trace-web already exists'),
  );
  await assert.rejects(
    createService(sim.control.ctx, { ...traced(), Name: 'other' }),
    controlError('invalid-argument', `rpc error: code = InvalidArgument desc = port '8089' is already in use by service 'trace-web' (${ID}) as an ingress port`),
  );
  await createService(sim.control.ctx, { Name: 'one', TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Mode: { Replicated: {} } });
  assert.deepEqual(getService(sim.control.ctx, { id: 'one' }).Spec.Mode, { Replicated: { Replicas: 1 } });
  await assert.rejects(createService(sim.control.ctx, { Name: 'x', TaskTemplate: {} }), controlError('invalid-argument', /image reference must be provided/));
});

test('dnsrr refuses ingress-published ports on create and update, allows host-mode ones; duplicate published ports are refused', async () => {
  const sim = new Sim(['n1']);
  const dnsrrIngress = "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode";
  const port = { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8089 };
  await assert.rejects(
    createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'dnsrr', Ports: [{ ...port, PublishMode: 'ingress' }] } }),
    controlError('invalid-argument', dnsrrIngress),
  );
  await assert.rejects(createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'dnsrr', Ports: [{ TargetPort: 80 }] } }), controlError('invalid-argument', dnsrrIngress));
  await assert.rejects(
    createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'vip', Ports: [{ ...port, PublishMode: 'host' }, { ...port, PublishMode: 'host' }] } }),
    controlError('invalid-argument', 'rpc error: code = InvalidArgument desc = EndpointSpec: duplicate published ports provided'),
  );
  const { ID } = await createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'dnsrr', Ports: [{ ...port, PublishMode: 'host' }] } });
  assert.deepEqual(getService(sim.control.ctx, { id: ID }).Endpoint?.Ports, [{ ...port, PublishMode: 'host' }]);
  const service = getService(sim.control.ctx, { id: ID });
  await assert.rejects(
    updateService(sim.control.ctx, { id: ID, version: service.Version.Index, spec: { ...service.Spec, EndpointSpec: { Mode: 'dnsrr', Ports: [{ ...port, PublishMode: 'ingress' }] } } }),
    controlError('invalid-argument', dnsrrIngress),
  );
});

test('a service on an overlay gets a VIP there and on ingress; its tasks get addresses on both', async () => {
  const sim = new Sim(['n1']);
  sim.control.commit([]);
  await createNetwork(sim.control.ctx, { Name: 'ingress', Driver: 'overlay', Ingress: true } as never);
  const { Id } = await createNetwork(sim.control.ctx, { Name: 'net', Driver: 'overlay' } as never);
  const { ID } = await createService(sim.control.ctx, traced('net'));
  const service = getService(sim.control.ctx, { id: ID });
  assert.equal(service.Endpoint?.VirtualIPs?.length, 2);
  assert.equal(service.Endpoint?.VirtualIPs?.[1]?.NetworkID, Id);
  sim.settle();
  const tasks = listTasks(sim.control.ctx, { filters: { service: ['trace-web'] } });
  assert.equal(tasks.length, 2);
  for (const t of tasks) {
    assert.deepEqual(t.NetworksAttachments?.map((a) => a.Network.ID).at(-1), Id);
    assert.match(t.NetworksAttachments?.at(-1)?.Addresses[0] ?? '', /^10\.0\.\d+\.\d+\/24$/);
  }
  assert.equal(getTask(sim.control.ctx, { id: tasks[0]!.ID }).ID, tasks[0]!.ID);
  assert.throws(() => getTask(sim.control.ctx, { id: 'nosuch' }), controlError('not-found', 'task nosuch not found'));
});

test('task ls filtered by node lists exactly the tasks placed on that node, found by ID prefix or hostname', async () => {
  const sim = new Sim(['node-a', 'node-b']);
  await createService(sim.control.ctx, { ...traced(), EndpointSpec: { Mode: 'vip' }, Mode: { Replicated: { Replicas: 5 } } });
  sim.settle();
  const all = listTasks(sim.control.ctx, {});
  assert.equal(all.length, 5);
  const onA = all.filter((t) => t.NodeID === 'node-a').map((t) => t.ID);
  assert.ok(onA.length > 0 && onA.length < 5, 'the tasks are spread over both nodes');
  assert.deepEqual(listTasks(sim.control.ctx, { filters: { node: ['node-a'] } }).map((t) => t.ID), onA);
  assert.deepEqual(listTasks(sim.control.ctx, { filters: { node: ['node-b', 'node-a'] } }).map((t) => t.ID).sort(), all.map((t) => t.ID).sort());
  assert.deepEqual(listTasks(sim.control.ctx, { filters: { node: ['nosuch'] } }), []);
});

test('task ls filtered by label matches the labels of the task\'s service, as docker stack ps relies on', async () => {
  const sim = new Sim(['n1']);
  await createService(sim.control.ctx, { ...traced(), Name: 'st_web', Labels: { 'com.docker.stack.namespace': 'st' }, EndpointSpec: { Mode: 'vip' } });
  await createService(sim.control.ctx, { ...traced(), Name: 'other', EndpointSpec: { Mode: 'vip' } });
  sim.settle();
  const stack = listTasks(sim.control.ctx, { filters: { label: ['com.docker.stack.namespace=st'] } });
  assert.equal(stack.length, 2);
  assert.deepEqual(new Set(stack.map((t) => t.ServiceID)), new Set([getService(sim.control.ctx, { id: 'st_web' }).ID]));
  assert.equal(listTasks(sim.control.ctx, { filters: { label: ['com.docker.stack.namespace'] } }).length, 2, 'a key alone matches any value');
  assert.deepEqual(listTasks(sim.control.ctx, { filters: { label: ['com.docker.stack.namespace=nosuch'] } }), []);
});

test('service ls filters and ServiceStatus; update checks the version; rm', async () => {
  const sim = new Sim(['n1']);
  const { ID } = await createService(sim.control.ctx, traced());
  sim.settle();
  const [listed] = listServices(sim.control.ctx, { status: true, filters: { name: ['trace'] } });
  assert.deepEqual(listed?.ServiceStatus, { RunningTasks: 0, DesiredTasks: 2, CompletedTasks: 0 });
  assert.equal(listServices(sim.control.ctx, { filters: { id: ['zzz'] } }).length, 0);
  const service = getService(sim.control.ctx, { id: ID });
  await updateService(sim.control.ctx, { id: ID, version: service.Version.Index, spec: { ...service.Spec, Mode: { Replicated: { Replicas: 3 } } } });
  await assert.rejects(
    updateService(sim.control.ctx, { id: ID, version: service.Version.Index, spec: service.Spec }),
    controlError('conflict', 'update out of sequence'),
  );
  const scaled = getService(sim.control.ctx, { id: ID });
  await updateService(sim.control.ctx, { id: ID, version: scaled.Version.Index, spec: scaled.Spec, rollback: 'previous' });
  assert.deepEqual(getService(sim.control.ctx, { id: ID }).Spec.Mode, { Replicated: { Replicas: 2 } });
  assert.equal(getService(sim.control.ctx, { id: ID }).UpdateStatus?.State, 'rollback_started');
  await removeService(sim.control.ctx, { id: 'trace-web' });
  assert.throws(() => getService(sim.control.ctx, { id: ID }), controlError('not-found', `service ${ID} not found`));
});

test('tasks that find no address show the reason, naming the network, in service inspect and network inspect', async () => {
  const sim = new Sim(['n1']);
  // A /29 has 5 usable addresses after the gateway: the VIP takes one, so 4 of 6 tasks get one.
  const { Id } = await createNetwork(sim.control.ctx, { Name: 'tiny', Driver: 'overlay', IPAM: { Config: [{ Subnet: '10.99.0.0/29' }] } } as never);
  const spec = { Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Networks: [{ Target: Id }] }, Mode: { Replicated: { Replicas: 6 } } };
  const { ID } = await createService(sim.control.ctx, spec);
  sim.settle();
  const reason = 'could not find an available IP address on network tiny (10.99.0.0/29): address pool exhausted';
  const waiting = listTasks(sim.control.ctx, { filters: { service: ['web'] } }).filter((t) => t.Status.Err === reason);
  assert.equal(waiting.length, 2);
  assert.deepEqual(getService(sim.control.ctx, { id: 'web' }).UpdateStatus, { State: 'paused', Message: `2 tasks waiting for an address: ${reason}` });
  const network = getNetwork(sim.control.ctx, { id: 'tiny' });
  assert.deepEqual(network.Status, {
    IPAM: { Subnets: { '10.99.0.0/29': { IPsInUse: 8, DynamicIPsAvailable: 0 } } },
    Message: `2 tasks waiting for an address: ${reason}`,
  });

  const service = getService(sim.control.ctx, { id: ID });
  await updateService(sim.control.ctx, { id: ID, version: service.Version.Index, spec: { ...service.Spec, Mode: { Replicated: { Replicas: 4 } } } });
  sim.settle();
  assert.equal(getService(sim.control.ctx, { id: 'web' }).UpdateStatus, undefined, 'the status clears once every task has its address');
  assert.deepEqual(getNetwork(sim.control.ctx, { id: 'tiny' }).Status, { IPAM: { Subnets: { '10.99.0.0/29': { IPsInUse: 8, DynamicIPsAvailable: 0 } } } });
});
