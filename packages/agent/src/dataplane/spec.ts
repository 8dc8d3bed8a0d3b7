// The overlay driver's spec of a network, from the directory's view of it.
import type { OverlayNetworkSpec } from '../network/index.js';
import type { NetworkInfo } from './types.js';

export function specFromInfo(info: NetworkInfo): OverlayNetworkSpec {
  return {
    id: info.ID, vni: info.Vni, subnet: info.Subnet, gateway: info.Gateway,
    ...(info.Mtu !== undefined ? { mtu: info.Mtu } : {}), internal: info.Internal, encrypted: info.Encrypted,
  };
}
