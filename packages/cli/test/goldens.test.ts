// Formatting checked against what the docker CLI printed for the same daemon answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatServerInfo } from '../src/commands/system.js';
import { renderNodeList, renderNodePretty, type Node } from '../src/commands/node-format.js';
import { renderNetworkList } from '../src/commands/network.js';
import { renderServiceList } from '../src/commands/service.js';
import { NameResolver, renderTasks, type Task } from '../src/commands/tasks.js';
import type { EngineClient } from '../src/api/client.js';
import * as golden from './fixtures/goldens.js';
import * as traces from './fixtures/traces.js';

const nodes = traces.NODES as unknown as Node[];

test('node ls prints docker\'s default table with the * marker for the local node', () => {
  assert.equal(renderNodeList(nodes, traces.INFO.Swarm, {}), golden.NODE_LS);
});

test('node ls --format: custom table header, json rows with sorted keys, -q', () => {
  assert.equal(renderNodeList(nodes, traces.INFO.Swarm, { format: 'table {{.ID}}\\t{{.Hostname}}\\t{{.TLSStatus}}' }), golden.NODE_LS_CUSTOM_TABLE);
  assert.equal(renderNodeList(nodes, traces.INFO.Swarm, { format: '{{json .}}' }), golden.NODE_LS_JSON);
  assert.equal(renderNodeList(nodes, traces.INFO.Swarm, { quiet: true }), '4vny26m405wgeyjl1z954yu8l\n');
});

test('node ls sorts by hostname in natural order and shows manager status from Leader/Reachability', () => {
  const make = (id: string, hostname: string, manager: Node['ManagerStatus']): Node => ({
    ...nodes[0]!,
    ID: id,
    Description: { ...nodes[0]!.Description, Hostname: hostname },
    ManagerStatus: manager,
  });
  const out = renderNodeList(
    [make('c', 'host10', null), make('a', 'host2', { Leader: false, Reachability: 'unreachable' }), make('b', 'host1', { Leader: true, Reachability: 'reachable' })],
    { NodeID: 'a' },
    { format: '{{.ID}}{{if .Self}}*{{end}} {{.Hostname}} [{{.ManagerStatus}}]' },
  );
  assert.equal(out, 'b host1 [Leader]\na* host2 [Unreachable]\nc host10 []\n');
});

test('node inspect --pretty matches docker line for line', () => {
  assert.equal(renderNodePretty(traces.NODE as unknown as Node), golden.NODE_PRETTY);
});

test('info prints the server part and Swarm block like docker', () => {
  assert.equal(formatServerInfo(traces.INFO), golden.INFO_SERVER);
});

test('network ls sorts by name and truncates IDs to 12 characters', () => {
  assert.equal(renderNetworkList(traces.NETWORKS as never, {}), golden.NETWORK_LS);
  assert.match(renderNetworkList(traces.NETWORKS as never, { noTrunc: true }), /^62bcc56c3ff95afe2c6394497c7e9afb094885bbc0b2f9c0f2223b8d1596e5c7 {3}bridge/m);
});

test('service ls shows mode, replicas from ServiceStatus and ingress ports (trace 05d)', () => {
  assert.equal(
    renderServiceList(traces.SERVICES as never, {}),
    'ID             NAME        MODE         REPLICAS   IMAGE            PORTS\n' +
      'ucvk43lyg5dp   trace-web   replicated   2/2        busybox:latest   *:8089->80/tcp\n' +
      'xzamt0lkeix2   web         replicated   2/2        busybox:latest   \n',
  );
});

test('node ps names tasks <service>.<slot>, resolves names once, and prints state age (trace 03f)', async () => {
  const calls: string[] = [];
  const client = {
    async get(path: string) {
      calls.push(path);
      return path.startsWith('/services/') ? traces.SERVICE : traces.NODE;
    },
  } as unknown as EngineClient;
  const tasks = traces.TASKS as unknown as Task[];
  const nowMs = Date.parse(tasks[0]!.Status!.Timestamp!) + 150_000;
  const out = await renderTasks(tasks, new NameResolver(client), { noTrunc: false, noResolve: false, quiet: false, format: undefined, nowMs });
  assert.equal(
    out,
    'ID             NAME      IMAGE            NODE      DESIRED STATE   CURRENT STATE           ERROR     PORTS\n' +
      'yx7f3p5rp27l   web.1     busybox:latest   vm        Running         Running 2 minutes ago             \n' +
      'wd0bdtd0ihyb   web.2     busybox:latest   vm        Running         Running 2 minutes ago             \n',
  );
  assert.deepEqual(calls, ['/services/xzamt0lkeix27mklchg10i9kt', '/nodes/4vny26m405wgeyjl1z954yu8l']);
});
