// Standalone containers on attachable overlays (`docker run --network NAME`): the container routes'
// runtime, wrapped so that creating a container whose network mode names a swarm network first asks
// the managers for an address on it (they refuse networks that are not attachable, with Docker's
// message) and prepares its sandbox with the data plane; the sandbox goes, and the address is given
// back, when the container stops (as dockerd releases it: the network leaves the node with its last
// container), and comes back when it starts again.
import type { ContainerRecord, ContainerRuntime, ContainerSpec, Dataplane, NetworkInfo } from '@shoal/agent';
import type { SwarmNode } from '../swarm/swarm-node.js';

/** Network modes that are not a network's name. */
function isSwarmNetworkMode(mode: string | undefined): mode is string {
  return mode !== undefined && !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

interface Attached {
  readonly network: NetworkInfo;
  readonly address: string;
}

type Log = (msg: string, fields: Record<string, unknown>) => void;

export function attachableRuntime<R extends ContainerRuntime>(runtime: R, swarm: SwarmNode, log: Log): R {
  const attach = async (spec: ContainerSpec, dataplane: Dataplane): Promise<ContainerSpec> => {
    const result = (await swarm.agentCall('attachContainer', { network: spec.networkMode, containerId: spec.id, name: spec.name })) as Attached;
    const sandbox = await dataplane.prepareContainer(spec.id, result.network, result.address);
    return { ...spec, netnsPath: sandbox.netnsPath, ...(sandbox.resolvConf !== undefined ? { resolvConf: sandbox.resolvConf } : {}) };
  };
  const detach = async (id: string): Promise<void> => {
    await swarm.dataplane?.release(id);
    await swarm.agentCall('detachContainer', { containerId: id }).catch((err: unknown) => log('could not give back a container\'s network address', { id, err: String(err) }));
  };
  const attached = new Set<string>();
  runtime.subscribe((record: ContainerRecord) => {
    const stopped = record.removed === true || record.state.status === 'exited' || record.state.status === 'dead';
    if (!attached.has(record.spec.id) || !stopped) return;
    attached.delete(record.spec.id);
    void detach(record.spec.id);
  });
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      if (prop === 'create') {
        return async (spec: ContainerSpec) => {
          const dataplane = swarm.dataplane;
          if (!isSwarmNetworkMode(spec.networkMode) || dataplane === null) return target.create(spec);
          const ready = await attach(spec, dataplane);
          try {
            const record = await target.create(ready);
            attached.add(spec.id);
            return record;
          } catch (err) {
            await detach(spec.id);
            throw err;
          }
        };
      }
      if (prop === 'start') {
        return async (id: string) => {
          const record = target.get(id);
          const dataplane = swarm.dataplane;
          if (record !== undefined && isSwarmNetworkMode(record.spec.networkMode) && dataplane !== null) {
            if (dataplane.sandboxPath(record.spec.id) === undefined) await attach(record.spec, dataplane);
            attached.add(record.spec.id);
          }
          return target.start(id);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
