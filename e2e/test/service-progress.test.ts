// The docker CLI's attached progress (create, update, rollback, scale without -d) against shoald:
// it polls the service, its `_up-to-date` tasks and the nodes until every slot runs, waits the update
// monitor period, and ends with "verify: Service … converged". It gives up early, without that line,
// when it reads UpdateStatus "completed" before it has seen every slot running, which is why the
// update must stay "updating" for its monitor period after the last batch, as in swarmkit.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerOk, drainManager, formSwarm, waitFor, withCluster, dockerCli, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

/** Runs an attached service command under a bound and returns its output; it must exit 0. */
async function attached(host: HostLayout, args: readonly string[]): Promise<string> {
  const r = await docker(host, args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const converged = (name: string) => new RegExp(`^verify: Service ${name} converged$`, 'm');

/**
 * Waits for `service inspect --format` to print `expected`. The CLI's verify wait and the update's
 * monitor period both run about UpdateConfig.Monitor from the last task running, so "completed" may
 * land just after the CLI returned.
 */
async function inspectUntil(host: HostLayout, service: string, format: string, expected: string): Promise<void> {
  let last = '';
  await waitFor(`${service}: ${format} = ${expected}`, async () => {
    last = (await dockerOk(host, ['service', 'inspect', '--format', format, service])).trim();
    return last === expected ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 }).catch((err: unknown) => assert.fail(`${String(err)}; last: ${last}`));
}

/** A swarm of a drained manager and two workers with the busybox image; returns the manager. */
async function twoWorkers(t: TestContext): Promise<HostLayout> {
  const cluster = await withCluster(t, { managers: 1, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  await loadBusybox(dockerCli, [w1, w2]);
  await drainManager(m1);
  return m1;
}

test('attached create, update, rollback and scale of 5 replicas on 2 workers end with "verify: Service converged"', { timeout: 300_000 }, async (t) => {
  const m1 = await twoWorkers(t);
  const inspect = async (format: string) => (await dockerOk(m1, ['service', 'inspect', '--format', format, 'web'])).trim();

  const create = await attached(m1, [
    'service', 'create', '--name', 'web', '--replicas', '5', '--no-resolve-image', '--stop-grace-period', '1s',
    '--update-monitor', '2s', '--rollback-monitor', '1s', 'busybox:latest', 'sleep', '300',
  ]);
  const id = await inspect('{{.ID}}');
  assert.match(create, converged(id));
  assert.match(create, /^overall progress: 5 out of 5 tasks$/m);

  const update = await attached(m1, ['service', 'update', '--env-add', 'X=1', 'web']);
  t.diagnostic(`update:\n${update}`);
  assert.match(update, /^overall progress: 5 out of 5 tasks$/m);
  assert.match(update, converged('web'));
  await inspectUntil(m1, 'web', '{{.UpdateStatus.State}} {{.Spec.TaskTemplate.ContainerSpec.Env}}', 'completed [X=1]');

  const batched = await attached(m1, ['service', 'update', '--update-parallelism', '2', '--update-delay', '1s', '--env-add', 'Y=1', 'web']);
  assert.match(batched, converged('web'));
  // The docker CLI rebuilds Env from a Go map, so X and Y come in either order.
  await inspectUntil(m1, 'web', '{{.UpdateStatus.State}} {{range $e := .Spec.TaskTemplate.ContainerSpec.Env}}{{if eq $e "X=1"}}X=1{{end}}{{end}} {{range $e := .Spec.TaskTemplate.ContainerSpec.Env}}{{if eq $e "Y=1"}}Y=1{{end}}{{end}} {{len .Spec.TaskTemplate.ContainerSpec.Env}}', 'completed X=1 Y=1 2');

  const rollback = await attached(m1, ['service', 'rollback', 'web']);
  t.diagnostic(`rollback:\n${rollback}`);
  assert.match(rollback, /^rollback: manually requested rollback$/m);
  assert.match(rollback, /^overall progress: rolling back update: 5 out of 5 tasks$/m);
  assert.match(rollback, converged('web'));
  await inspectUntil(m1, 'web', '{{.UpdateStatus.State}} {{.Spec.TaskTemplate.ContainerSpec.Env}}', 'rollback_completed [X=1]');

  const scale = await attached(m1, ['service', 'scale', 'web=7']);
  assert.match(scale, /^overall progress: 7 out of 7 tasks$/m);
  assert.match(scale, converged('web'));

  const startFirst = await attached(m1, ['service', 'update', '--update-order', 'start-first', '--env-rm', 'X', 'web']);
  assert.match(startFirst, converged('web'));
  await inspectUntil(m1, 'web', '{{.UpdateStatus.State}} {{.Spec.TaskTemplate.ContainerSpec.Env}}', 'completed []');
  const running = (await dockerOk(m1, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', 'web'])).trim().split('\n');
  assert.equal(running.filter((s) => s.startsWith('Running')).length, 7, running.join(' | '));
});

test('attached create and update of a global service with a host-mode port end with "verify: Service converged"', { timeout: 180_000 }, async (t) => {
  const m1 = await twoWorkers(t);
  // A host-mode port: each node's successor may claim it only once its predecessor there has stopped.
  const create = await attached(m1, [
    'service', 'create', '--name', 'agent', '--mode', 'global', '--publish', 'mode=host,published=18090,target=80',
    '--no-resolve-image', '--stop-grace-period', '1s', '--update-monitor', '1s', 'busybox:latest', 'sleep', '300',
  ]);
  assert.match(create, /^overall progress: 2 out of 2 tasks$/m);
  const update = await attached(m1, ['service', 'update', '--env-add', 'X=1', 'agent']);
  t.diagnostic(`update:\n${update}`);
  assert.match(update, /^overall progress: 2 out of 2 tasks$/m);
  // Converged only once both nodes run the new task: a node's successor exists (desired ready) while
  // its predecessor stops, so the CLI never counts a node whose task is being replaced as absent.
  assert.equal(update.match(/^overall progress: .*$/gm)?.at(-1), 'overall progress: 2 out of 2 tasks');
  assert.match(update, converged('agent'));
  await inspectUntil(m1, 'agent', '{{.UpdateStatus.State}}', 'completed');
});
