import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwarmStateFile, type SwarmState } from '../../src/swarm/state-file.js';

const STATE: SwarmState = {
  nodeId: 'node00000000000000000000a',
  clusterId: 'clus00000000000000000000a',
  role: 'manager',
  listenAddr: '0.0.0.0:2377',
  advertiseAddr: '10.0.0.1',
  dataPathAddr: '10.0.0.1',
  managers: [{ nodeId: 'node00000000000000000000a', addr: '10.0.0.1:2377' }],
};

async function dataRoot(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-state-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the swarm state survives a save and load, readable by its owner only', async (t) => {
  const root = await dataRoot(t);
  const file = new SwarmStateFile(root);
  assert.equal(await file.load(), null);
  await file.save(STATE);
  assert.deepEqual(await new SwarmStateFile(root).load(), STATE);
  assert.equal((await stat(join(root, 'swarm', 'state.json'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(root, 'swarm'))).mode & 0o777, 0o700);
  await file.save({ ...STATE, role: 'worker', managers: [] });
  assert.equal((await file.load())?.role, 'worker');
  assert.deepEqual(await readdir(join(root, 'swarm')), ['state.json'], 'no temporary file is left behind');
});

test('a file that is not a swarm state is refused rather than half-used', async (t) => {
  const root = await dataRoot(t);
  await mkdir(join(root, 'swarm'));
  await writeFile(join(root, 'swarm', 'state.json'), JSON.stringify({ nodeId: 'x', clusterId: 'y', role: 'boss' }));
  await assert.rejects(new SwarmStateFile(root).load(), /is not a swarm state file/);
});

test('removeRaft forgets only the Raft log; remove forgets the whole swarm', async (t) => {
  const root = await dataRoot(t);
  const file = new SwarmStateFile(root);
  await file.save(STATE);
  await mkdir(file.raftDir, { recursive: true });
  await writeFile(join(file.raftDir, 'LOG'), 'x');
  await file.removeRaft();
  assert.deepEqual(await readdir(file.dir), ['state.json']);
  await file.remove();
  assert.equal(await file.load(), null);
  await file.remove();
});
