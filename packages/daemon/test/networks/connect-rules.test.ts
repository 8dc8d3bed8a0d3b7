import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/api/errors.js';
import { refuseConnect, resolveAmong } from '../../src/networks/connect-rules.js';

const facts = { containerName: 'web', networkMode: 'default', networkRef: 'plain', already: undefined, network: { Name: 'plain', Scope: 'swarm', Attachable: true } };
const refusedWith = (status: number, message: string) => (err: unknown) => err instanceof ApiError && err.status === status && err.message === message;

test('connect refuses what dockerd refuses, with its messages and statuses', () => {
  assert.doesNotThrow(() => refuseConnect(facts));
  assert.doesNotThrow(() => refuseConnect({ ...facts, network: undefined }), 'a worker leaves networks it does not have to the managers');
  assert.throws(() => refuseConnect({ ...facts, network: { ...facts.network, Attachable: false } }),
    refusedWith(500, 'Could not attach to network plain: rpc error: code = PermissionDenied desc = network plain not manually attachable'));
  assert.throws(() => refuseConnect({ ...facts, networkMode: 'none' }),
    refusedWith(400, 'container cannot be connected to multiple networks with one of the networks in private (none) mode'));
  assert.throws(() => refuseConnect({ ...facts, networkMode: 'container:abc' }),
    refusedWith(400, 'container sharing network namespace with another container or host cannot be connected to any other network'));
  assert.throws(() => refuseConnect({ ...facts, network: { Name: 'host', Scope: 'local', Attachable: false } }),
    refusedWith(400, 'container cannot be disconnected from host network or connected to host network'));
  assert.throws(() => refuseConnect({ ...facts, network: { Name: 'docker_gwbridge', Scope: 'local', Attachable: false } }), (err: unknown) => err instanceof ApiError && err.status === 501);
  const already = { networkId: 'abcdef0123456789abcdef012', networkName: 'test-net', aliases: [] };
  assert.throws(() => refuseConnect({ ...facts, already }), refusedWith(403, 'endpoint with name web already exists in network test-net'));
});

test('a container\'s networks resolve by ID, name or ID prefix', () => {
  const list = [{ networkId: 'abcdef0123456789abcdef012', networkName: 'test-net', aliases: [] }];
  assert.equal(resolveAmong(list, 'test-net'), list[0]);
  assert.equal(resolveAmong(list, 'abcdef'), list[0]);
  assert.equal(resolveAmong(list, 'abcdef0123456789abcdef012'), list[0]);
  assert.equal(resolveAmong(list, 'other'), undefined);
  assert.equal(resolveAmong(list, ''), undefined);
});
