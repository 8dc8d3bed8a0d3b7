// Networks as the Engine API shows them (dockerd's NetworkResource), how dockerd resolves a network
// reference, and the `network ls` filters. Shared by the control operations (swarm networks) and the
// daemon (its local networks), so both halves of a listing behave alike.
import type { IpamConfigRequest, NetworkObject } from '../store/objects.js';
import type { NetworkStatus } from './address-shortage.js';
import { ControlError } from './errors.js';
import { VXLAN_ID_OPTION } from './network-spec.js';

export interface NetworkResource {
  readonly Name: string;
  readonly Id: string;
  readonly Created: string;
  readonly Scope: 'swarm' | 'local';
  readonly Driver: string;
  readonly EnableIPv6: boolean;
  readonly IPAM: { readonly Driver: string; readonly Options: Readonly<Record<string, string>> | null; readonly Config: readonly IpamConfigRequest[] };
  readonly Internal: boolean;
  readonly Attachable: boolean;
  readonly Ingress: boolean;
  readonly ConfigFrom: { readonly Network: string };
  readonly ConfigOnly: boolean;
  /** Endpoints on the answering node; null for a swarm network the node has not instantiated. */
  readonly Containers: Readonly<Record<string, unknown>> | null;
  readonly Options: Readonly<Record<string, string>>;
  /** dockerd shows null, not {}, for a swarm network without labels. */
  readonly Labels: Readonly<Record<string, string>> | null;
  readonly Peers?: readonly { readonly Name: string; readonly IP: string }[];
  readonly Services?: Readonly<Record<string, unknown>>;
  readonly Status?: NetworkStatus;
}

export const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type'] as const;
export type NetworkFilters = Readonly<Record<string, readonly string[]>>;

/** dockerd's built-in networks, which the `type=builtin` filter selects. */
const BUILTIN = new Set(['bridge', 'host', 'none']);

/** A swarm network as a manager answers for it (not instantiated on the answering node). */
export function networkResource(n: NetworkObject): NetworkResource {
  const a = n.Allocation;
  const config: Record<string, unknown> = { Subnet: a.Subnet };
  if (a.IPRange) config.IPRange = a.IPRange;
  config.Gateway = a.Gateway;
  if (a.AuxiliaryAddresses) config.AuxiliaryAddresses = a.AuxiliaryAddresses;
  const ipamOptions = Object.keys(n.Spec.IPAM.Options).length > 0 ? sortedRecord(n.Spec.IPAM.Options) : null;
  return {
    Name: n.Spec.Name,
    Id: n.ID,
    Created: n.CreatedAt,
    Scope: 'swarm',
    Driver: n.Spec.Driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: ipamOptions, Config: [config as IpamConfigRequest] },
    Internal: n.Spec.Internal,
    Attachable: n.Spec.Attachable,
    Ingress: n.Spec.Ingress,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: null,
    Options: sortedRecord({ ...n.Spec.Options, [VXLAN_ID_OPTION]: String(a.Vni) }),
    Labels: Object.keys(n.Spec.Labels).length > 0 ? sortedRecord(n.Spec.Labels) : null,
  };
}

/** Go's encoder writes map keys sorted; so does dockerd's JSON, which users see verbatim in inspect. */
function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** dockerd's lookup: full ID, then exact name, then a unique ID prefix. */
export function resolveNetwork<T extends { readonly Id: string; readonly Name: string }>(candidates: readonly T[], ref: string): T {
  const byId = candidates.find((n) => n.Id === ref);
  if (byId) return byId;
  const named = candidates.filter((n) => n.Name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new ControlError('invalid-argument', `network ${ref} is ambiguous (${named.length} matches found on name)`);
  const prefixed = ref === '' ? [] : candidates.filter((n) => n.Id.startsWith(ref));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new ControlError('invalid-argument', `network ${ref} is ambiguous (${prefixed.length} matches found based on ID prefix)`);
  throw new ControlError('not-found', `network ${ref} not found`);
}

/** `network ls` filters as dockerd applies them: name and id match as regular expressions (substrings). */
export function filterNetworks<T extends NetworkResource>(list: readonly T[], filters: NetworkFilters): T[] {
  for (const value of filters.scope ?? []) {
    if (!['swarm', 'global', 'local'].includes(value)) throw new ControlError('invalid-argument', `Invalid filter: 'scope'='${value}'`);
  }
  for (const value of filters.type ?? []) {
    if (value !== 'custom' && value !== 'builtin') throw new ControlError('invalid-argument', `invalid filter: 'type'='${value}'`);
  }
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters[key];
    return !values || values.length === 0 || values.some(test);
  };
  return list.filter(
    (n) =>
      any('driver', (v) => n.Driver === v) &&
      any('name', (v) => pattern(v, n.Name)) &&
      any('id', (v) => pattern(v, n.Id)) &&
      any('scope', (v) => n.Scope === v) &&
      any('type', (v) => (v === 'builtin') === BUILTIN.has(n.Name)) &&
      (filters.label ?? []).every((v) => hasLabel(n.Labels, v)),
  );
}

function pattern(expr: string, value: string): boolean {
  if (expr === value) return true;
  try {
    return new RegExp(expr).test(value);
  } catch {
    return value.includes(expr);
  }
}

function hasLabel(labels: Readonly<Record<string, string>> | null, expr: string): boolean {
  const eq = expr.indexOf('=');
  const key = eq < 0 ? expr : expr.slice(0, eq);
  if (labels === null || !Object.hasOwn(labels, key)) return false;
  return eq < 0 || labels[key] === expr.slice(eq + 1);
}
