// The overlay networks the managers send with a node's assignments (the manager's
// dispatcher/network-directory.ts shapes; the agent does not depend on the manager, so they are
// mirrored here): each network's parameters, its running endpoints cluster-wide and its services.

export interface NetworkInfo {
  readonly ID: string;
  readonly Name: string;
  readonly Vni: number;
  readonly Subnet: string;
  readonly Gateway: string;
  readonly Mtu?: number;
  readonly Internal: boolean;
  readonly Encrypted: boolean;
  readonly Attachable: boolean;
  readonly Ingress: boolean;
}

export interface EndpointInfo {
  /** The task's ID (or a standalone container's attachment ID). */
  readonly ID: string;
  readonly ServiceID: string;
  readonly NodeID: string;
  /** Container and task names DNS answers with Addr. */
  readonly Names: readonly string[];
  readonly Addr: string;
  readonly Mac: string;
  /** Data-path address of the endpoint's node. */
  readonly Vtep: string;
  /** Hostname of the endpoint's node (absent from managers that predate it). */
  readonly Host?: string;
}

export interface ServicePort {
  readonly Protocol: 'tcp' | 'udp' | 'sctp';
  readonly TargetPort: number;
  readonly PublishedPort: number;
  readonly PublishMode: 'ingress' | 'host';
}

export interface ServiceInfo {
  readonly ID: string;
  readonly Name: string;
  readonly Mode: 'vip' | 'dnsrr';
  readonly Vip?: string;
  readonly Aliases: readonly string[];
  readonly Ports: readonly ServicePort[];
}

export interface NetworkChange {
  readonly Network: NetworkInfo;
  readonly Endpoints: readonly EndpointInfo[];
  readonly RemovedEndpoints: readonly string[];
  readonly Services: readonly ServiceInfo[];
  readonly RemovedServices: readonly string[];
  /** This node's load-balancer address on the network (the ingress network's ingress-sbox). */
  readonly LoadBalancer?: string;
}
