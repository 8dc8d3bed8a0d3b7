// What `service create` / `service update` send, checked and normalized the way swarmkit stores it:
// Runtime and Isolation filled in, one replica when Replicated gives no count, network names turned
// into IDs, deprecated top-level Networks moved into the task template.
import type { StoreView } from '../store/memory-store.js';
import type { ServiceMode, ServiceSpec, TaskSpec } from '../store/objects.js';
import { ControlError } from './errors.js';
import { findNetwork } from './network-ops.js';

const invalid = (detail: string) => new ControlError('invalid-argument', `rpc error: code = InvalidArgument desc = ${detail}`);

const ADJECTIVES = ['admiring', 'brave', 'clever', 'eager', 'festive', 'gallant', 'happy', 'jolly', 'keen', 'lucid', 'nifty', 'quirky', 'serene', 'vibrant', 'zealous'];
const NOUNS = ['albattani', 'bohr', 'curie', 'darwin', 'euclid', 'fermi', 'galileo', 'hopper', 'kepler', 'lovelace', 'newton', 'pascal', 'turing', 'wozniak', 'yalow'];

/** A name like Docker's random ones, picked from the new service's ID so that it is deterministic. */
export function generatedName(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${ADJECTIVES[h % ADJECTIVES.length]}_${NOUNS[Math.floor(h / ADJECTIVES.length) % NOUNS.length]}`;
}

export function normalizeServiceSpec(view: StoreView, body: unknown, id: string): ServiceSpec {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('service spec must be a JSON object');
  const raw = body as Record<string, unknown> & Partial<ServiceSpec>;
  const { Networks: legacyNetworks, ...spec } = raw;
  const template = (spec.TaskTemplate ?? {}) as TaskSpec;
  const container = template.ContainerSpec;
  if (!container || typeof container.Image !== 'string' || container.Image === '') throw invalid('ContainerSpec: image reference must be provided');
  const name = typeof spec.Name === 'string' && spec.Name !== '' ? spec.Name : generatedName(id);
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$/.test(name) || name.length > 63) {
    throw invalid(`name must be valid as a DNS name component`);
  }
  const networks = [...(template.Networks ?? []), ...((legacyNetworks as TaskSpec['Networks']) ?? [])].map((n) => ({
    ...n,
    Target: findNetwork(view, n.Target).ID,
  }));
  const normalizedTemplate: TaskSpec = {
    ...template,
    ContainerSpec: { ...container, Isolation: container.Isolation ?? 'default' },
    ...(networks.length > 0 ? { Networks: networks } : {}),
    ForceUpdate: template.ForceUpdate ?? 0,
    Runtime: template.Runtime ?? 'container',
  };
  if (networks.length === 0) delete (normalizedTemplate as { Networks?: unknown }).Networks;
  validateEndpointSpec(spec.EndpointSpec);
  return {
    ...spec,
    Name: name,
    Labels: spec.Labels ?? {},
    TaskTemplate: normalizedTemplate,
    Mode: normalizeMode(spec.Mode),
    EndpointSpec: { Mode: 'vip', ...spec.EndpointSpec },
  };
}

/**
 * swarmkit's validateEndpointSpec: the routing mesh balances behind a VIP, so dnsrr refuses ingress
 * ports (host-mode ports are fine), and no published port/protocol appears twice. An unset mode or
 * protocol is what the daemon turns it into: ingress, tcp.
 */
function validateEndpointSpec(endpoint: ServiceSpec['EndpointSpec']): void {
  const seen = new Set<string>();
  for (const port of endpoint?.Ports ?? []) {
    if (endpoint?.Mode === 'dnsrr' && (port.PublishMode ?? 'ingress') === 'ingress') {
      throw invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    }
    if (!port.PublishedPort) continue;
    const key = `${port.Protocol ?? 'tcp'}/${port.PublishedPort}`;
    if (seen.has(key)) throw invalid('EndpointSpec: duplicate published ports provided');
    seen.add(key);
  }
}

function normalizeMode(mode: ServiceMode | undefined): ServiceMode {
  if (!mode || Object.keys(mode).length === 0) return { Replicated: { Replicas: 1 } };
  const kinds = Object.keys(mode).filter((k) => (mode as Record<string, unknown>)[k] != null);
  if (kinds.length > 1) throw invalid('only one service mode may be set');
  if (mode.Replicated) {
    const replicas = mode.Replicated.Replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) throw invalid('replicas must be a non-negative integer');
    return { Replicated: { Replicas: replicas } };
  }
  if (mode.ReplicatedJob || mode.GlobalJob) throw new ControlError('not-implemented', 'jobs are not supported by shoal yet');
  return mode;
}

export function replicasOf(spec: ServiceSpec): number | undefined {
  return spec.Mode?.Replicated ? (spec.Mode.Replicated.Replicas ?? 1) : undefined;
}

export function isGlobal(spec: ServiceSpec): boolean {
  return spec.Mode?.Global !== undefined;
}
