// VXLAN network identifiers. Swarm overlays take theirs from [4096, 2^24-1]; the range below 4096 is
// left to networks created outside the swarm, but a user may request any valid VNI explicitly.
import { AllocatorError } from './errors.js';

export const VNI_FIRST_AUTOMATIC = 4096;
export const VNI_MAX = 2 ** 24 - 1;

/**
 * The VNI for a new network: the requested one if it is valid and free, else the lowest free one
 * from 4096 upward. `taken` holds the VNIs of every live network, so the choice depends only on the
 * store and a new leader makes the same choices as the old one would have.
 */
export function allocateVni(taken: ReadonlySet<number>, networkName: string, requested?: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > VNI_MAX) {
      throw new AllocatorError('invalid-config', `invalid VXLAN ID ${requested} for network ${networkName}: must be between 1 and ${VNI_MAX}`);
    }
    if (taken.has(requested)) {
      throw new AllocatorError('in-use', `VXLAN ID ${requested} requested for network ${networkName} is already in use`);
    }
    return requested;
  }
  for (let vni = VNI_FIRST_AUTOMATIC; vni <= VNI_MAX; vni++) {
    if (!taken.has(vni)) return vni;
  }
  throw new AllocatorError('exhausted', `no VXLAN ID left for network ${networkName}`);
}
