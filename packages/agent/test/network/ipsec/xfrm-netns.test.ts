// IpsecReconciler on a real kernel, in a network namespace of the test's own: the outbound policies are
// really installed (XFRM policies work even on a kernel without ESP), so VXLAN to the remote can only
// leave through ESP; on a kernel without ESP the SAs are refused and the traffic is dropped. Nothing
// is sent: the namespace only holds XFRM entries, and it is deleted afterwards, also on failure.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { command, tryCommand } from '../../../src/network/command.js';
import { NetworkCommandError } from '../../../src/network/errors.js';
import { probeEsp } from '../../../src/network/esp.js';
import { buildSpi, IpsecReconciler, ipsecKeys } from '../../../src/network/ipsec/index.js';

const L = '198.51.100.1';
const R = '198.51.100.2';
const keys = ipsecKeys([1, 2, 3].map((t) => ({ subsystem: 'networking:ipsec', algorithm: 'AES_128_GCM', key: randomBytes(16), lamportTime: t })))!;

async function testNamespace(t: TestContext): Promise<string> {
  const name = `shoal-xfrm-${randomBytes(3).toString('hex')}`;
  await command(['ip', 'netns', 'add', name]);
  t.after(() => tryCommand(['ip', 'netns', 'delete', name]));
  return `/run/netns/${name}`;
}

const reconciler = (netns: string) => new IpsecReconciler({ localAddr: L, dataPathPort: 4789, exec: (argv) => command(argv, { netns }) });
const policies = (netns: string) => command(['ip', 'xfrm', 'policy', 'list'], { netns });
const states = (netns: string) => command(['ip', 'xfrm', 'state', 'list'], { netns });

test('the outbound XFRM policy for VXLAN to a remote host is installed in the namespace, SAs where the kernel has ESP', async (t) => {
  const netns = await testNamespace(t);
  const ipsec = reconciler(netns);
  await ipsec.setKeys(keys);
  const esp = await probeEsp();
  if (esp.supported) {
    await ipsec.setRemotes([R]);
    assert.equal((await states(netns)).match(/proto esp spi/g)?.length, 4, '3 SAs in, 1 out');
  } else {
    await assert.rejects(ipsec.setRemotes([R]), (err: unknown) => err instanceof NetworkCommandError && /ip xfrm state add/.test(err.message));
    assert.equal((await states(netns)).trim(), '', 'no SA on a kernel without ESP');
  }
  const spi = `0x${buildSpi(L, R, keys.primary.tag).toString(16).padStart(8, '0')}`;
  const listed = await policies(netns);
  assert.match(listed, new RegExp(`^src ${L}/32 dst ${R}/32 proto udp dport 4789 \\n\\tdir out .*\\n\\ttmpl src ${L} dst ${R}\\n\\t\\tproto esp spi ${spi} reqid 13681891 mode transport`, 'm'));

  await ipsec.setRemotes([]);
  assert.equal((await policies(netns)).trim(), '', 'the policy goes with the remote');
  assert.equal((await states(netns)).trim(), '');
});

test('a restarted reconciler finds the policies a previous run left and removes those no network needs', async (t) => {
  const netns = await testNamespace(t);
  const before = reconciler(netns);
  await before.setKeys(keys);
  await before.setRemotes([R, '198.51.100.3']).catch(() => {}); // SAs fail without ESP; the policies stay
  assert.equal((await policies(netns)).match(/dir out/g)?.length, 2);

  const after = reconciler(netns);
  await after.readKernel();
  await after.setRemotes(['198.51.100.3']);
  const left = await policies(netns);
  assert.equal(left.match(/dir out/g)?.length, 1);
  assert.match(left, /dst 198\.51\.100\.3\/32 proto udp dport 4789/);
});
