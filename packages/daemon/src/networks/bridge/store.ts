// The node's bridge networks: the default `bridge` (docker0, always there) and the user-defined ones
// (`network create -d bridge`), kept under the data root so they outlive a restart of shoald, as
// dockerd's local networks do. Only definitions live here; the Linux bridges exist while containers
// use them (bridge-networking.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PREDEFINED_NETWORKS, resolveNetwork, type NetworkCreateRequest } from '@shoal/manager';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotImplementedError } from '../../api/errors.js';
import { DEFAULT_BRIDGE, DEFAULT_MTU, allocateLocalSubnet, bridgeIfname, requestedAddressing } from './pools.js';

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
const MTU_OPTION = 'com.docker.network.driver.mtu';
/** Reserved for the gateway bridge, which shoal makes at a fixed subnet when the node joins a swarm. */
const GWBRIDGE_SUBNET = '172.18.0.0/16';

export interface BridgeNetwork {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  /** The Linux bridge. */
  readonly ifname: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly mtu: number;
  /** The default `bridge`: no embedded DNS, its own Options, not removable. */
  readonly isDefault: boolean;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export class BridgeNetworkStore {
  readonly #path: string;
  readonly #default: BridgeNetwork;
  #custom: BridgeNetwork[] = [];

  /** `defaultId`/`createdAt`: the default bridge's ID and creation time (derived from the engine's identity). */
  constructor(path: string, defaultId: string, createdAt: string) {
    this.#path = path;
    this.#default = {
      id: defaultId, name: DEFAULT_BRIDGE.name, created: createdAt, ifname: DEFAULT_BRIDGE.ifname, subnet: DEFAULT_BRIDGE.subnet,
      gateway: DEFAULT_BRIDGE.gateway, mtu: DEFAULT_MTU, isDefault: true, labels: {},
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        [BRIDGE_NAME_OPTION]: DEFAULT_BRIDGE.ifname,
        [MTU_OPTION]: String(DEFAULT_MTU),
      },
    };
    try {
      this.#custom = JSON.parse(readFileSync(path, 'utf8')) as BridgeNetwork[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  list(): BridgeNetwork[] {
    return [this.#default, ...this.#custom];
  }

  get(id: string): BridgeNetwork | undefined {
    return this.list().find((n) => n.id === id);
  }

  /** A network mode or reference (`default`, name, ID, ID prefix) naming one of these; undefined otherwise. */
  find(ref: string): BridgeNetwork | undefined {
    if (ref === 'default') return this.#default;
    try {
      return resolveNetwork(this.list().map((n) => ({ Id: n.id, Name: n.name, network: n })), ref).network;
    } catch {
      return undefined;
    }
  }

  /** `network create -d bridge`; `nameTaken` says whether another kind of network has the name already. */
  create(req: NetworkCreateRequest, nameTaken: boolean): BridgeNetwork {
    const name = req.Name ?? '';
    // dockerd (libnetwork's NewNetwork) takes any name but a blank one for a local network: "test 01" too.
    if (name.trim() === '') throw new InvalidArgumentError(`invalid name: ${name}`);
    if (PREDEFINED_NETWORKS.includes(name)) throw new ForbiddenError(`${name} is a pre-defined network and cannot be created`);
    if (nameTaken || this.list().some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
    if (req.EnableIPv6 === true) throw new NotImplementedError('IPv6 is not supported on shoal bridge networks (--ipv6)');
    if (req.Internal === true) throw new NotImplementedError('internal bridge networks (--internal) are not supported');
    if (req.ConfigOnly === true || (req.ConfigFrom?.Network ?? '') !== '') throw new NotImplementedError('config-only networks (--config-only, --config-from) are not supported');
    const configs = req.IPAM?.Config ?? [];
    if (configs.length > 1) throw new NotImplementedError('one IPv4 subnet per bridge network is supported');
    const options = { ...(req.Options ?? {}) };
    const mtu = options[MTU_OPTION] === undefined ? DEFAULT_MTU : Number(options[MTU_OPTION]);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgumentError(`invalid MTU "${options[MTU_OPTION]}": must be an integer between 68 and 65535`);
    const taken = [GWBRIDGE_SUBNET, ...this.list().map((n) => n.subnet)];
    const config = configs[0];
    const addressing = config?.Subnet ? requestedAddressing(config.Subnet, config.Gateway, taken) : allocateLocalSubnet(taken);
    const id = randomBytes(32).toString('hex');
    const ifname = options[BRIDGE_NAME_OPTION] ?? bridgeIfname(id);
    if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(ifname)) throw new InvalidArgumentError(`invalid ${BRIDGE_NAME_OPTION} "${ifname}": an interface name of at most 15 characters`);
    if (this.list().some((n) => n.ifname === ifname)) throw new ForbiddenError(`bridge ${ifname} is used by another network`);
    const network: BridgeNetwork = {
      id, name, created: new Date().toISOString(), ifname, ...addressing, mtu, isDefault: false, options, labels: { ...(req.Labels ?? {}) },
    };
    this.#custom = [...this.#custom, network];
    this.#save();
    return network;
  }

  remove(id: string): void {
    this.#custom = this.#custom.filter((n) => n.id !== id);
    this.#save();
  }

  #save(): void {
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(this.#custom));
    renameSync(`${this.#path}.tmp`, this.#path);
  }
}
