// `POST /networks/create` bodies as the docker CLI sends them, checked and normalized into a
// NetworkSpec. Messages follow dockerd/swarmkit where they have one; shoal's own limits say so.
import type { IpamConfigRequest, NetworkSpec } from '../store/objects.js';
import { ControlError } from './errors.js';

/** The Engine API's NetworkCreateRequest (fields the CLI sends; all optional on the wire). */
export interface NetworkCreateRequest {
  readonly Name?: string;
  readonly Driver?: string;
  readonly Scope?: string;
  readonly EnableIPv4?: boolean;
  readonly EnableIPv6?: boolean;
  readonly IPAM?: { readonly Driver?: string; readonly Options?: Record<string, string> | null; readonly Config?: readonly IpamConfigRequest[] | null } | null;
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly Ingress?: boolean;
  readonly ConfigOnly?: boolean;
  readonly ConfigFrom?: { readonly Network?: string } | null;
  readonly Options?: Record<string, string> | null;
  readonly Labels?: Record<string, string> | null;
  readonly CheckDuplicate?: boolean;
}

export const VXLAN_ID_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';
export const MTU_OPTION = 'com.docker.network.driver.mtu';
export const ENCRYPTED_OPTION = 'encrypted';
const INTERNAL_LABEL = 'com.docker.swarm.internal';
/** Names dockerd keeps for its own networks (runconfig.IsPreDefinedNetwork), plus the gateway bridge. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none', 'default', 'docker_gwbridge'];
// swarmkit's annotation rule (controlapi's isValidDNSName): letters and digits, `-` and `_` inside, no dots; at most 63 characters.
const NAME_RE = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export interface NormalizedNetwork {
  readonly spec: NetworkSpec;
  readonly requestedVni?: number;
}

const invalid = (desc: string) => new ControlError('invalid-argument', `rpc error: code = InvalidArgument desc = ${desc}`);

export function normalizeNetworkRequest(req: NetworkCreateRequest): NormalizedNetwork {
  const name = req.Name ?? '';
  if (name === '') throw invalid('meta: name must be provided');
  if (!NAME_RE.test(name)) throw invalid('name must be valid as a DNS name component');
  if (name.length > 63) throw invalid('name must be 63 characters or fewer');
  if (PREDEFINED_NETWORKS.includes(name)) {
    throw new ControlError('permission-denied', `${name} is a pre-defined network and cannot be created`);
  }
  assertSupportedShape(req);
  const labels = { ...(req.Labels ?? {}) };
  if (INTERNAL_LABEL in labels) {
    throw new ControlError(
      'permission-denied',
      `rpc error: code = PermissionDenied desc = label ${INTERNAL_LABEL} is for predefined internal networks and cannot be applied by users`,
    );
  }
  const ingress = req.Ingress === true;
  if (ingress && req.Attachable === true) throw invalid('ingress network cannot be attachable');
  const options = { ...(req.Options ?? {}) };
  const requestedVni = parseVni(options[VXLAN_ID_OPTION]);
  // The VNI is an allocation result (NetworkAllocation.Vni); keeping it out of the spec means the
  // option users see is always the allocated one.
  delete options[VXLAN_ID_OPTION];
  checkMtu(options[MTU_OPTION]);
  const config = (req.IPAM?.Config ?? []).map(normalizeIpamConfig);
  const spec: NetworkSpec = {
    Name: name,
    Labels: labels,
    Driver: 'overlay',
    Options: options,
    IPAM: { Driver: 'default', Options: { ...(req.IPAM?.Options ?? {}) }, Config: config },
    Internal: req.Internal === true,
    Attachable: req.Attachable === true,
    Ingress: ingress,
  };
  return requestedVni === undefined ? { spec } : { spec, requestedVni };
}

function assertSupportedShape(req: NetworkCreateRequest): void {
  const driver = req.Driver === undefined || req.Driver === '' ? 'bridge' : req.Driver;
  if (driver !== 'overlay') {
    throw new ControlError('not-implemented', `shoal creates only overlay networks: the "${driver}" driver is not supported (use -d overlay)`);
  }
  if (req.Scope !== undefined && req.Scope !== '' && req.Scope !== 'swarm') {
    throw invalid(`overlay networks are swarm scoped: scope "${req.Scope}" is not supported`);
  }
  if (req.EnableIPv6 === true) throw invalid('IPv6 is not supported on shoal overlay networks (--ipv6)');
  if (req.EnableIPv4 === false) throw invalid('IPv4 cannot be disabled in a Swarm scoped network');
  const ipamDriver = req.IPAM?.Driver;
  if (ipamDriver !== undefined && ipamDriver !== '' && ipamDriver !== 'default') {
    throw invalid(`IPAM driver "${ipamDriver}" is not supported: only "default" is`);
  }
  if (req.ConfigOnly === true || (req.ConfigFrom?.Network ?? '') !== '') {
    throw invalid('config-only networks (--config-only, --config-from) are not supported');
  }
}

function normalizeIpamConfig(config: IpamConfigRequest): IpamConfigRequest {
  for (const value of [config.Subnet, config.IPRange, config.Gateway, ...Object.values(config.AuxiliaryAddresses ?? {})]) {
    if (value?.includes(':')) throw invalid(`IPv6 is not supported on shoal overlay networks (${value})`);
  }
  const out: Record<string, unknown> = {};
  if (config.Subnet) out.Subnet = config.Subnet;
  if (config.IPRange) out.IPRange = config.IPRange;
  if (config.Gateway) out.Gateway = config.Gateway;
  if (config.AuxiliaryAddresses && Object.keys(config.AuxiliaryAddresses).length > 0) out.AuxiliaryAddresses = { ...config.AuxiliaryAddresses };
  return out as IpamConfigRequest;
}

function parseVni(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 1) throw invalid(`${VXLAN_ID_OPTION}: one VXLAN ID per network is supported, got "${value}"`);
  if (!/^\d+$/.test(parts[0]!)) throw invalid(`${VXLAN_ID_OPTION}: invalid VXLAN ID "${value}"`);
  return Number(parts[0]);
}

function checkMtu(value: string | undefined): void {
  if (value === undefined) return;
  const mtu = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(mtu >= 68 && mtu <= 65535)) throw invalid(`${MTU_OPTION}: invalid MTU "${value}": must be an integer between 68 and 65535`);
}
