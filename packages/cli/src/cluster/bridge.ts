// The test network: one bridge joining every host namespace of a cluster, with veth pairs.
//
// The bridge lives in a namespace of its own (the cluster's "switch"), not in the root namespace:
// - the root namespace gains no link, address or route, so nothing can route overlay or test traffic
//   out of the machine, and nothing in it changes;
// - with br_netfilter loaded, bridged frames go through the iptables/nftables forward hooks *of the
//   bridge's namespace*. In the root namespace a FORWARD DROP policy (e.g. from a dockerd) would drop
//   them, and an accept rule in a table of ours cannot override a drop in someone else's table (every
//   base chain on a hook gets its say). In the switch namespace there are no such rules, and we turn
//   the bridge-nf-call sysctls off there besides;
// - two clusters may use the same subnet at once, since nothing is shared between them;
// - deleting the namespaces removes every link with them, even after a crash.
// The hosts have no default route: a packet for anywhere outside the subnet has nowhere to go.
import { runOk } from './run.js';
import { addNetns, execInOk } from './netns.js';
import type { HostLayout } from './layout.js';

const BRIDGE = 'br0';
const HOST_IFACE = 'eth0';
const MTU = 1500;

export async function createSwitch(switchNetns: string): Promise<void> {
  await addNetns(switchNetns);
  await runOk(['ip', '-n', switchNetns, 'link', 'add', BRIDGE, 'mtu', String(MTU), 'type', 'bridge']);
  await runOk(['ip', '-n', switchNetns, 'link', 'set', BRIDGE, 'up']);
  // The keys exist only where br_netfilter is loaded; -e ignores them where it is not.
  await execInOk(switchNetns, [
    'sysctl', '-q', '-e', '-w',
    'net.bridge.bridge-nf-call-iptables=0',
    'net.bridge.bridge-nf-call-ip6tables=0',
    'net.bridge.bridge-nf-call-arptables=0',
  ]);
}

/** Creates the host's namespace and plugs it into the switch as `eth0` with its underlay address. */
export async function attachHost(switchNetns: string, host: HostLayout): Promise<void> {
  await addNetns(host.netns);
  // Both ends are created directly in their namespaces: no name ever appears in the root namespace.
  await runOk([
    'ip', 'link', 'add', HOST_IFACE, 'netns', host.netns, 'mtu', String(MTU), 'type', 'veth',
    'peer', 'name', host.switchPort, 'netns', switchNetns, 'mtu', String(MTU),
  ]);
  await runOk(['ip', '-n', switchNetns, 'link', 'set', host.switchPort, 'master', BRIDGE, 'up']);
  await runOk(['ip', '-n', host.netns, 'addr', 'add', `${host.addr}/${host.prefixLength}`, 'dev', HOST_IFACE]);
  await runOk(['ip', '-n', host.netns, 'link', 'set', HOST_IFACE, 'up']);
}
