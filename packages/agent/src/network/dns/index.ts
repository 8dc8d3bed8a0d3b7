export { EmbeddedDnsServer, type EmbeddedDnsOptions, type GatewayListenOptions } from './server.js';
export { openSandboxSockets, type SandboxSockets, type SandboxListenOptions } from './sandbox-listener.js';
export { programSandboxDns, removeSandboxDns, DNS_TABLE, type SandboxDns } from './sandbox-dns.js';
export {
  ServiceDirectory,
  type Asker,
  type Addresses,
  type Resolver,
  type ServiceRecord,
  type EndpointRecord,
  type NetworkRecords,
} from './directory.js';
export { EMBEDDED_DNS_ADDRESS, sandboxResolvConf, upstreamsFromResolvConf } from './resolv-conf.js';
export { parseUpstream, type Upstream } from './forwarder.js';
export { DnsFormatError } from './codec.js';
