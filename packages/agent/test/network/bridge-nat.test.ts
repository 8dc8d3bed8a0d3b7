// The nft table of local bridges: masquerade per bridge for traffic leaving it, and no forwarding
// between two bridges; no bridge at all leaves no table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBridgeNat } from '../../src/network/bridge/index.js';

test('renderBridgeNat masquerades each subnet leaving its bridge and isolates bridges from each other', () => {
  const script = renderBridgeNat([{ name: 'docker0', subnet: '172.17.0.0/16' }, { name: 'br-0123456789ab', subnet: '172.19.0.0/16' }]);
  assert.match(script, /^add table ip shoal_bridges\ndelete table ip shoal_bridges\n/);
  assert.match(script, /ip saddr 172\.17\.0\.0\/16 oifname != "docker0" masquerade/);
  assert.match(script, /ip saddr 172\.19\.0\.0\/16 oifname != "br-0123456789ab" masquerade/);
  assert.match(script, /ct status dnat ip saddr 172\.17\.0\.0\/16 oifname "docker0" masquerade/, 'hairpin');
  assert.match(script, /iifname "docker0" oifname \{ "br-0123456789ab" \} drop/);
  assert.match(script, /iifname "br-0123456789ab" oifname \{ "docker0" \} drop/);
  assert.doesNotMatch(renderBridgeNat([{ name: 'docker0', subnet: '172.17.0.0/16' }]), /drop/, 'one bridge isolates nothing');
  assert.equal(renderBridgeNat([]), 'add table ip shoal_bridges\ndelete table ip shoal_bridges\n');
});
