// The node's overlay data plane. One OverlayDriver per node, constructed inside the node's network
// namespace. The worker: reclaimStale() at start-up, then per task createSandbox() (its path is the OCI
// netns path), attach() per network, removeSandbox() when the task is gone, and setPeers() with each
// network's remote endpoints whenever they change. DNS and load balancing find a sandbox's gateway
// address with sandboxInfo() and a network's namespace with network().
export { OverlayDriver, type OverlayDriverOptions, type EndpointSpec, type LocalNetwork, type SandboxInfo } from './overlay-driver.js';
export { type OverlayNetworkSpec, DEFAULT_OVERLAY_MTU, DEFAULT_DATA_PATH_PORT, networkNamespaceName } from './overlay-netns.js';
export { type Peer } from './peers.js';
export { type NetworkEndpoint, type GatewayEndpoint } from './endpoint.js';
export { DOCKER_GWBRIDGE, GATEWAY_NFT_TABLE, removeGatewayBridge, type GatewayBridgeConfig } from './gateway-bridge.js';
export { probeEsp, type EspSupport } from './esp.js';
export { type EncryptionKeyLike } from './ipsec/index.js';
export { macFromIp } from './ipv4.js';
export { NetworkError, NetworkCommandError, type NetworkErrorCode } from './errors.js';
export { removeAllNamespaces } from './netns-files.js';
export { PublishError, type PortMapping, type PublishProtocol } from './ingress/index.js';
export { PortPublisher } from './ingress/index.js';
export { NetnsFiles } from './netns-files.js';
export { allocateGatewayAddress } from './gateway-pool.js';
export { parseCidr, formatIPv4, parseIPv4, cidrContains, type Cidr } from './ipv4.js';
export * from './bridge/index.js';
export { EmbeddedDnsServer, ServiceDirectory, programSandboxDns, removeSandboxDns, upstreamsFromResolvConf, sandboxResolvConf, type Asker, type NetworkRecords } from './dns/index.js';
