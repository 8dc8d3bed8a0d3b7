// The allocator: pure, deterministic decisions about VNIs, subnets and addresses. Nothing here reads
// a clock, a random source or the platform (tsconfig.allocator.json compiles it without Node types).
export { AllocatorError, type AllocatorErrorCode } from './errors.js';
export { AddressPool, holderKey, poolConfig, type Holder, type PoolConfig, type PoolSpec } from './address-pool.js';
export { nodeAddresses, serviceAddresses, taskAddresses, type HeldAddress, type NetworkAttachment, type VirtualIp } from './holders.js';
export {
  IpamState,
  allocateNodeLbAddress,
  allocateServiceVips,
  allocateTaskAddresses,
  type AddressConflict,
  type AllocationSources,
} from './ipam-state.js';
export { planNetworkAllocation, type NetworkPlanRequest } from './network-plan.js';
export { addressPools, allocateSubnet, assertSubnetFree, type AddressPools, type TakenSubnet } from './subnets.js';
export { allocateVni, VNI_FIRST_AUTOMATIC, VNI_MAX } from './vni.js';
export { formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4, type Cidr, type Ipv4 } from './ipv4.js';
