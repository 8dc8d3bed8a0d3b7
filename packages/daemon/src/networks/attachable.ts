// Standalone containers on attachable overlays: `docker run --network NAME`, `network connect` and
// `disconnect`, and `docker run -p` for them. The container routes get the runtime wrapped: a
// container whose network mode names a swarm network gets an address from the managers (they refuse
// networks that are not attachable, with Docker's message) and a sandbox from the data plane at
// create; a running container connected later gets the network added to its namespace (its own
// namespace is adopted when it was started without a swarm network). Published ports go through the
// container's gateway-bridge leg, as dockerd's go through docker_gwbridge. Addresses and sandbox go
// when the container stops (the network leaves the node with its last container) and come back when it
// starts; the container keeps its list of networks (ContainerEndpoints) until it is removed. That list
// is saved under the data root, so a container still running after a daemon restart keeps its sandbox
// (the data plane adopts it) and its networks.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PublishError, type ContainerRecord, type ContainerRuntime, type ContainerSpec, type Dataplane, type LiveContainer, type NetworkInfo, type TaskSandbox } from '@shoal/agent';
import { ApiError, InternalError, NotFoundError } from '../api/errors.js';
import { ContainerEndpoints, type ContainerEndpoint } from './container-endpoints.js';
import { refuseConnect, resolveAmong } from './connect-rules.js';
import { KeyedSerial, pointResolvConf } from './container-steps.js';

/** Network modes that are not a network's name. */
function isSwarmNetworkMode(mode: string | undefined): mode is string {
  return mode !== undefined && !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/** Names a local network (a user-defined bridge) rather than a swarm one. */
export type LocalModeTest = (mode: string) => boolean;

interface Attached {
  readonly network: NetworkInfo;
  readonly address: string;
}

/** What this needs from the node's swarm membership. */
export interface SwarmAccess {
  readonly dataplane: Dataplane | null;
  agentCall(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

type Log = (msg: string, fields: Record<string, unknown>) => void;

export interface ConnectRequest {
  readonly container: string;
  readonly aliases: readonly string[];
  /** `--ip` */
  readonly ipv4?: string;
}

/** A swarm or local network as this node resolves a reference; undefined when it knows none by that name. */
export type NetworkFinder = (ref: string) => Promise<{ readonly Id: string; readonly Name: string; readonly Scope: string; readonly Attachable: boolean } | undefined>;

export class StandaloneNetworking<R extends ContainerRuntime> {
  readonly endpoints = new ContainerEndpoints();
  readonly runtime: R;
  readonly #target: R;
  readonly #swarm: SwarmAccess;
  readonly #log: Log;
  readonly #queue = new KeyedSerial();
  readonly #statePath: string;
  readonly #isLocal: LocalModeTest;

  /** `statePath`: where the containers' networks are kept across restarts of the daemon. */
  constructor(runtime: R, swarm: SwarmAccess, log: Log, statePath: string, isLocal: LocalModeTest = () => false) {
    this.#target = runtime;
    this.#isLocal = isLocal;
    this.#swarm = swarm;
    this.#log = log;
    this.#statePath = statePath;
    this.#restore();
    runtime.subscribe((record) => this.#onChange(record));
    this.runtime = new Proxy(runtime, {
      get: (target, prop, receiver) => {
        if (prop === 'create') return (spec: ContainerSpec) => this.#create(spec);
        if (prop === 'start') return (id: string) => this.#start(id);
        if (prop === 'remove') return (id: string, force: boolean) => this.#remove(id, force);
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Running containers holding addresses: the data plane adopts their sandboxes when it starts. */
  liveContainers(): LiveContainer[] {
    return this.#target
      .list()
      .filter((r) => r.state.status === 'running' && this.endpoints.holdsAddresses(r.spec.id))
      .map((r) => {
        const own = this.#swarmMode(r.spec.networkMode) ? undefined : r.files?.sandboxKey;
        return { id: r.spec.id, ports: r.spec.ports ?? [], ...(own !== undefined ? { netnsPath: own } : {}) };
      });
  }

  /**
   * The saved networks of the containers still there. One that stopped while the daemon was down gives
   * its addresses back (as at any stop), which needs the swarm session: until then the managers keep them.
   */
  #restore(): void {
    let saved: Record<string, ContainerEndpoint[]>;
    try {
      saved = JSON.parse(readFileSync(this.#statePath, 'utf8')) as Record<string, ContainerEndpoint[]>;
    } catch (err) {
      // No file is a first start; an unreadable one is said, since its containers lose their networks.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log('could not read the containers\' saved networks', { path: this.#statePath, err: String(err) });
      return;
    }
    for (const [id, entries] of Object.entries(saved)) {
      const record = this.#target.get(id);
      if (record === undefined || record.removed === true) continue;
      for (const e of entries) this.endpoints.set(id, e);
      if (record.state.status !== 'running' && this.endpoints.holdsAddresses(id)) {
        this.#serial(id, () => this.#release(id)).catch((err) => this.#log('releasing a stopped container\'s networks failed', { id, err: String(err) }));
      }
    }
  }

  #save(): void {
    try {
      writeFileSync(`${this.#statePath}.tmp`, JSON.stringify(this.endpoints));
      renameSync(`${this.#statePath}.tmp`, this.#statePath);
    } catch (err) {
      this.#log('could not save the containers\' networks', { err: String(err) });
    }
  }

  /** `POST /networks/{id}/connect` */
  async connect(networkRef: string, req: ConnectRequest, find: NetworkFinder): Promise<void> {
    const record = this.#require(req.container);
    const id = record.spec.id;
    return this.#serial(id, async () => {
      const mine = resolveAmong(this.endpoints.list(id), networkRef);
      const network = mine === undefined ? await find(networkRef) : undefined;
      refuseConnect({ containerName: record.spec.name, networkMode: record.spec.networkMode, networkRef, already: mine, network });
      const dataplane = this.#dataplane();
      const entry: ContainerEndpoint = {
        networkId: network?.Id ?? networkRef, networkName: network?.Name ?? networkRef, aliases: req.aliases,
        ...(req.ipv4 !== undefined ? { requestedIp: req.ipv4 } : {}),
      };
      const current = this.#require(id);
      const now = current.state.status === 'running' || dataplane.sandboxPath(id) !== undefined;
      const attached = await this.#attachOne(current, entry, dataplane, now);
      if (!now) return;
      try {
        await this.#publish(current, dataplane);
        if (attached?.resolvConf !== undefined && current.files !== undefined) await pointResolvConf(current.files.resolvConfPath, attached.resolvConf);
      } catch (err) {
        await this.#disconnectNow(id, this.endpoints.get(id, entry.networkId) ?? entry, dataplane).catch(() => undefined);
        throw err;
      }
    });
  }

  /** `POST /networks/{id}/disconnect` */
  async disconnect(networkRef: string, containerRef: string, find: NetworkFinder): Promise<void> {
    const record = this.#require(containerRef);
    const id = record.spec.id;
    return this.#serial(id, async () => {
      const entry = resolveAmong(this.endpoints.list(id), networkRef);
      if (entry === undefined) {
        const network = await find(networkRef);
        if (network === undefined) throw new NotFoundError(`network ${networkRef} not found`);
        const running = this.#require(id).state.status === 'running';
        throw new InternalError(`container ${id} is not connected to ${running ? '' : 'the '}network ${network.Name}`);
      }
      await this.#disconnectNow(id, entry, this.#swarm.dataplane);
    });
  }

  async #disconnectNow(id: string, entry: ContainerEndpoint, dataplane: Dataplane | null): Promise<void> {
    this.endpoints.remove(id, entry.networkId);
    if (entry.address === undefined) return;
    await dataplane?.disconnectContainer(id, entry.networkId);
    await this.#swarm.agentCall('detachContainer', { containerId: id, networkId: entry.networkId });
  }

  async #create(spec: ContainerSpec): Promise<ContainerRecord> {
    const dataplane = this.#swarm.dataplane;
    if (!this.#swarmMode(spec.networkMode) || dataplane === null) return this.#target.create(spec);
    return this.#serial(spec.id, async () => {
      const result = await this.#allocate(spec, { networkId: spec.networkMode!, networkName: spec.networkMode!, aliases: [] });
      try {
        const sandbox = await dataplane.prepareContainer(spec.id, result.network, result.address);
        return await this.#target.create({ ...spec, netnsPath: sandbox.netnsPath, ...(sandbox.resolvConf !== undefined ? { resolvConf: sandbox.resolvConf } : {}) });
      } catch (err) {
        await this.#release(spec.id);
        this.endpoints.forget(spec.id);
        throw err;
      }
    });
  }

  /**
   * Returns once the container's endpoints are gone at the managers too, as dockerd's `rm` does: the
   * same name may be run on the same network right after.
   */
  async #remove(ref: string, force: boolean): Promise<void> {
    const id = this.#target.get(ref)?.spec.id ?? ref;
    await this.#target.remove(id, force);
    await this.#serial(id, async () => undefined);
  }

  /**
   * A container in a sandbox of its own gets its networks and ports before its process starts; one
   * in the runtime's namespace (connected after it was created) right after, since the namespace is
   * made at start: if that fails, the container is killed and the start reported failed.
   */
  async #start(ref: string): Promise<void> {
    const record = this.#target.get(ref);
    const dataplane = this.#swarm.dataplane;
    if (record === undefined || dataplane === null || this.endpoints.list(record.spec.id).length === 0) return this.#target.start(record?.spec.id ?? ref);
    const id = record.spec.id;
    return this.#serial(id, async () => {
      if (!this.#swarmMode(record.spec.networkMode)) {
        await this.#target.start(id);
        try {
          await this.#attachAll(this.#require(id), dataplane);
        } catch (err) {
          await this.#target.kill(id, 'SIGKILL').catch(() => undefined);
          throw err;
        }
        return;
      }
      try {
        await this.#attachAll(record, dataplane);
        await this.#target.start(id);
      } catch (err) {
        await this.#release(id);
        throw err;
      }
    });
  }

  async #attachAll(record: ContainerRecord, dataplane: Dataplane): Promise<void> {
    for (const e of this.endpoints.list(record.spec.id)) if (e.address === undefined) await this.#attachOne(record, e, dataplane, true);
    if (dataplane.sandboxPath(record.spec.id) === undefined) {
      throw new ApiError('failed-precondition', `container ${record.spec.name} is on no network any more: connect it to one before starting it`);
    }
    await this.#publish(record, dataplane);
  }

  /** Asks the managers for an address; with `now`, adds the network to the sandbox, else gives the address back (the check was the point). */
  async #attachOne(record: ContainerRecord, entry: ContainerEndpoint, dataplane: Dataplane, now: boolean): Promise<TaskSandbox | undefined> {
    const id = record.spec.id;
    const result = await this.#allocate(record.spec, entry);
    if (!now) {
      await this.#swarm.agentCall('detachContainer', { containerId: id, networkId: result.network.ID });
      this.endpoints.set(id, { ...entry, networkId: result.network.ID, networkName: result.network.Name });
      return undefined;
    }
    const adopt = this.#swarmMode(record.spec.networkMode) ? undefined : record.files?.sandboxKey;
    try {
      return await dataplane.prepareContainer(id, result.network, result.address, adopt);
    } catch (err) {
      await this.#swarm.agentCall('detachContainer', { containerId: id, networkId: result.network.ID }).catch(() => undefined);
      this.endpoints.remove(id, result.network.ID);
      throw err;
    }
  }

  /** An address on the entry's network, recorded on the container's entry under the network's real ID and name. */
  async #allocate(spec: ContainerSpec, entry: ContainerEndpoint): Promise<Attached> {
    let result: Attached;
    try {
      result = (await this.#swarm.agentCall('attachContainer', {
        network: entry.networkId, containerId: spec.id, name: spec.name, aliases: entry.aliases,
        ...(entry.requestedIp !== undefined ? { address: entry.requestedIp } : {}),
      })) as Attached;
    } catch (err) {
      // dockerd 20.10 answers the swarm's refusal as a plain error: 500 with the gRPC text (see the traces).
      if (err instanceof Error && err.message.startsWith('Could not attach to network')) throw new InternalError(err.message, { cause: err });
      throw err;
    }
    this.endpoints.set(spec.id, { ...entry, networkId: result.network.ID, networkName: result.network.Name, address: result.address });
    return result;
  }

  async #publish(record: ContainerRecord, dataplane: Dataplane): Promise<void> {
    try {
      await dataplane.publishContainerPorts(record.spec.id, record.spec.ports ?? []);
    } catch (err) {
      // dockerd names the endpoint by the container's name.
      if (err instanceof PublishError) throw new InternalError(err.message.replace(`task:${record.spec.id}`, record.spec.name), { cause: err });
      throw err;
    }
  }

  #onChange(record: ContainerRecord): void {
    const id = record.spec.id;
    const stopped = record.removed === true || record.state.status === 'exited' || record.state.status === 'dead';
    if (!stopped) return;
    const failed = (err: unknown) => this.#log('releasing a stopped container\'s networks failed', { id, err: String(err) });
    if (this.endpoints.holdsAddresses(id) || this.#swarm.dataplane?.sandboxPath(id) !== undefined) this.#serial(id, () => this.#release(id)).catch(failed);
    if (record.removed === true) this.#serial(id, async () => this.endpoints.forget(id)).catch(failed);
  }

  /** Sandbox and addresses go; the container keeps its networks for the next start. */
  async #release(id: string): Promise<void> {
    await this.#swarm.dataplane?.release(id);
    this.endpoints.clearAddresses(id);
    await this.#swarm.agentCall('detachContainer', { containerId: id }).catch((err: unknown) => this.#log('could not give back a container\'s network addresses', { id, err: String(err) }));
  }

  #swarmMode(mode: string | undefined): mode is string {
    return isSwarmNetworkMode(mode) && !this.#isLocal(mode);
  }

  #dataplane(): Dataplane {
    const dataplane = this.#swarm.dataplane;
    if (dataplane === null) throw new ApiError('unavailable', 'this node has no swarm data plane yet: join a swarm, or wait for its first assignments');
    return dataplane;
  }

  #require(ref: string): ContainerRecord {
    const record = this.#target.get(ref);
    if (record === undefined) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  }

  /** One network change at a time per container, saved when done; a failed step does not block the next. */
  #serial<T>(id: string, run: () => Promise<T>): Promise<T> {
    return this.#queue.run(id, () => run().finally(() => this.#save()));
  }
}
