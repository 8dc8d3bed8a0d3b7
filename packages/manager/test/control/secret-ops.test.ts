import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperation } from '../../src/control/registry.js';
import { FakeControl, controlError } from './fake-context.js';

test('secrets and configs list empty with Docker\'s filters, refuse other filters, and refuse creation as not supported yet', async () => {
  const f = new FakeControl();
  for (const kind of ['Secrets', 'Configs']) {
    assert.deepEqual(await runOperation(f.ctx, `list${kind}`, { filters: { label: ['com.docker.stack.namespace=st'], name: ['x'] } }), []);
    await assert.rejects(runOperation(f.ctx, `list${kind}`, { filters: { driver: ['x'] } }), controlError('invalid-argument', "invalid filter 'driver'"));
  }
  await assert.rejects(runOperation(f.ctx, 'createSecret', {}), controlError('not-implemented', 'secrets are not supported by shoal yet: secret create is not available'));
  await assert.rejects(runOperation(f.ctx, 'createConfig', {}), controlError('not-implemented', 'configs are not supported by shoal yet: config create is not available'));
});
