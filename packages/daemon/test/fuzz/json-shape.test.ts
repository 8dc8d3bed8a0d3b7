// Request bodies decode like dockerd's Go structs: wrong types are refused with encoding/json's
// message, null leaves a field unset, unknown fields are dropped, so nothing half-valid goes further.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/api/errors.js';
import { clusterSpecShape, initRequestShape, networkCreateShape, nodeSpecShape } from '../../src/api/body-shapes.js';
import { decodeShape } from '../../src/api/json-shape.js';

const refused = (message: string) => (err: unknown) => {
  assert.ok(err instanceof InvalidArgumentError, String(err));
  assert.equal(err.message, message);
  return true;
};

test('decodeShape refuses wrong types with encoding/json messages naming the field path', () => {
  assert.throws(() => decodeShape({ Raft: { ElectionTick: '10' } }, clusterSpecShape), refused('json: cannot unmarshal string into Go struct field Spec.Raft.ElectionTick of type int'));
  assert.throws(() => decodeShape({ Raft: { ElectionTick: 1.5 } }, clusterSpecShape), refused('json: cannot unmarshal number 1.5 into Go struct field Spec.Raft.ElectionTick of type int'));
  assert.throws(() => decodeShape({ DataPathPort: -1 }, initRequestShape), refused('json: cannot unmarshal number -1 into Go struct field InitRequest.DataPathPort of type uint32'));
  assert.throws(() => decodeShape({ IPAM: { Config: 'x' } }, networkCreateShape), refused('json: cannot unmarshal string into Go struct field NetworkCreateRequest.IPAM.Config of type []network.IPAMConfig'));
  assert.throws(() => decodeShape({ Labels: { a: 5 } }, nodeSpecShape), refused('json: cannot unmarshal number into Go struct field NodeSpec.Labels of type string'));
  assert.throws(() => decodeShape({ Labels: 'abc' }, nodeSpecShape), refused('json: cannot unmarshal string into Go struct field NodeSpec.Labels of type map[string]string'));
  assert.throws(() => decodeShape([1], nodeSpecShape), refused('json: cannot unmarshal array into Go value of type swarm.NodeSpec'));
  assert.throws(() => decodeShape({ Raft: { SnapshotInterval: 2 ** 53 } }, clusterSpecShape), /of type uint64/);
});

test('decodeShape drops unknown fields, leaves nulls unset and matches names case-insensitively', () => {
  const decoded = decodeShape<Record<string, unknown>>(
    JSON.parse('{"name":"n1","Labels":{"a":"b","__proto__":"x","gone":null},"Role":null,"Extra":{"deep":1},"__proto__":{"polluted":true}}'),
    nodeSpecShape,
  );
  assert.deepEqual(Object.keys(decoded), ['Name', 'Labels']);
  assert.equal(decoded['Name'], 'n1');
  assert.deepEqual(Object.entries(decoded['Labels'] as object), [['a', 'b'], ['__proto__', 'x']]);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(decodeShape(null, nodeSpecShape), {});
  assert.deepEqual(decodeShape({ IPAM: { Config: [null] } }, networkCreateShape), { IPAM: { Config: [{}] } });
});

test('decodeShape refuses 100k-level nesting in a typed field without overflowing the stack, and drops it from an unknown one', () => {
  const deep = JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)) as unknown;
  assert.throws(() => decodeShape({ Labels: { k: deep } }, networkCreateShape), /cannot unmarshal object into Go struct field NetworkCreateRequest.Labels of type string/);
  assert.deepEqual(decodeShape({ Name: 'n', Unknown: deep }, networkCreateShape), { Name: 'n' });
});

test('decodeShape replaces lone UTF-16 surrogates with U+FFFD in strings and map keys, as encoding/json does', () => {
  const decoded = decodeShape<{ Name: string; Labels: Record<string, string> }>(JSON.parse('{"Name":"a\\ud800b","Labels":{"\\udc00":"\\ud83d\\ude00"}}'), networkCreateShape);
  assert.equal(decoded.Name, 'a\ufffdb');
  assert.deepEqual(decoded.Labels, { '\ufffd': '\u{1F600}' });
});
