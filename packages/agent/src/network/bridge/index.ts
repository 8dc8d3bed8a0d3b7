export { ensureLocalBridge, removeLocalBridge, linkNames, addBridgeEndpoint, removeBridgeEndpoint, type LocalBridgeConfig, type BridgeEndpointOptions } from './links.js';
export { renderBridgeNat, applyBridgeNat, BRIDGE_NFT_TABLE, type BridgeNat } from './nat.js';
