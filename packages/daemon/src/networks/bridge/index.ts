export { BridgeNetworkStore, type BridgeNetwork } from './store.js';
export { BridgeNetworking, type BridgeNetworkingOptions } from './networking.js';
export { bridgeResource } from './resource.js';
export { DEFAULT_BRIDGE, allocateLocalSubnet, requestedAddressing, localPoolCandidates, bridgeIfname } from './pools.js';
