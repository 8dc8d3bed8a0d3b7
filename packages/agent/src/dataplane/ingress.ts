// The routing mesh on this node: while some service publishes a port in ingress mode and the managers
// gave this node a load-balancer address on the ingress network, the node has an `ingress-sbox`
// sandbox on that network (with a leg on the gateway bridge), and network/ingress's IngressMesh
// publishes every such port on all the node's addresses, balanced over the service's tasks' ingress
// addresses on any node. Without published ports the sandbox goes, and the ingress network with it.
import { IngressMesh, type IngressPublication } from '../network/ingress/mesh.js';
import type { PortPublisher } from '../network/ingress/port-publisher.js';
import type { OverlayDriver } from '../network/index.js';
import type { NetworkRecord } from './directory.js';
import { specFromInfo } from './spec.js';

export const INGRESS_SANDBOX = 'ingress-sbox';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** The ports the mesh should publish, by "proto/port". */
export function wantedPublications(ingress: NetworkRecord): Map<string, IngressPublication> {
  const out = new Map<string, IngressPublication>();
  const endpoints = [...ingress.endpoints.values()];
  for (const s of ingress.services.values()) {
    for (const p of s.Ports) {
      if (p.PublishMode !== 'ingress' || p.Protocol === 'sctp' || p.PublishedPort === 0) continue;
      const backends = endpoints.filter((e) => e.ServiceID === s.ID).map((e) => e.Addr).sort();
      out.set(`${p.Protocol}/${p.PublishedPort}`, { protocol: p.Protocol, publishedPort: p.PublishedPort, targetPort: p.TargetPort, backends });
    }
  }
  return out;
}

function same(a: IngressPublication, b: IngressPublication): boolean {
  return a.targetPort === b.targetPort && a.backends.join() === b.backends.join();
}

export class IngressGlue {
  readonly #driver: OverlayDriver;
  readonly #log: Log;
  readonly #publisher: PortPublisher;
  #mesh: { readonly mesh: IngressMesh; readonly networkId: string; readonly lb: string } | null = null;
  #queue: Promise<void> = Promise.resolve();

  /** `publisher`: the node's, shared with host-mode publishing so that one port has one owner. */
  constructor(driver: OverlayDriver, publisher: PortPublisher, log: Log) {
    this.#driver = driver;
    this.#log = log;
    this.#publisher = publisher;
  }

  /** Brings the mesh to what `ingress` (the ingress network's record, if this node has it) asks for. */
  sync(ingress: NetworkRecord | undefined): Promise<void> {
    this.#queue = this.#queue.then(() => this.#sync(ingress)).catch((err) => this.#log('warn', 'routing mesh update failed', { err: String(err) }));
    return this.#queue;
  }

  async #sync(ingress: NetworkRecord | undefined): Promise<void> {
    const wanted = ingress?.lb === undefined ? new Map<string, IngressPublication>() : wantedPublications(ingress);
    const current = this.#mesh;
    if (current !== null && (wanted.size === 0 || current.networkId !== ingress?.info.ID || current.lb !== ingress.lb)) {
      for (const p of current.mesh.list()) await current.mesh.unpublish(p.protocol, p.publishedPort);
      await this.#driver.removeSandbox(INGRESS_SANDBOX);
      this.#mesh = null;
    }
    if (wanted.size === 0 || ingress === undefined || ingress.lb === undefined) return;
    this.#mesh ??= await this.#join(ingress, ingress.lb);
    const mesh = this.#mesh.mesh;
    for (const p of mesh.list()) if (!wanted.has(`${p.protocol}/${p.publishedPort}`)) await mesh.unpublish(p.protocol, p.publishedPort);
    const published = new Map(mesh.list().map((p) => [`${p.protocol}/${p.publishedPort}`, p]));
    for (const [k, p] of wanted) {
      const had = published.get(k);
      if (had === undefined || !same(had, p)) await mesh.publish(p);
    }
  }

  async #join(ingress: NetworkRecord, lb: string): Promise<{ mesh: IngressMesh; networkId: string; lb: string }> {
    const sbox = await this.#driver.createSandbox(INGRESS_SANDBOX);
    const [ip = '', prefixLen] = lb.split('/');
    await this.#driver.attach(INGRESS_SANDBOX, specFromInfo(ingress.info), { ip, ...(prefixLen !== undefined ? { prefixLen: Number(prefixLen) } : {}) });
    const gateway = this.#driver.sandboxInfo(INGRESS_SANDBOX)?.gateway;
    if (gateway === undefined) throw new Error('ingress-sbox has no gateway-bridge address');
    return { mesh: new IngressMesh({ sbox, sboxGatewayIp: gateway.ip, ports: this.#publisher }), networkId: ingress.info.ID, lb };
  }
}
