// How containers look through the Engine API: `docker ps` summaries (with Docker's "Up 3 minutes"
// status text) and `docker inspect`'s ContainerJSON, shaped like dockerd 20.10's (see the traces).
import type { ContainerRecord } from '@shoal/agent';
import { maskedPaths, readonlyPaths } from '@shoal/agent';
import { portBindingsView, portSummaries, publishedPortsView } from './port-bindings.js';

/** A container's networks as the network side knows them: NetworkSettings.Networks, keyed by network name. */
export type NetworksOf = (record: ContainerRecord) => Record<string, unknown>;

/** Ports are published while the container runs on a network with a way out (a gateway leg). */
function published(record: ContainerRecord, networks: Record<string, unknown>): boolean {
  return record.state.status === 'running' && Object.values(networks).some((n) => (n as { IPAddress?: string }).IPAddress !== '');
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** go-units HumanDuration, which `docker ps` shows after "Up" and before "ago". */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** Docker's State.Status: "restarting" while a restart policy's delay runs (the runtime says exited). */
export function dockerStatus(record: ContainerRecord): string {
  return record.restarting === true ? 'restarting' : record.state.status;
}

/** dockerd's State.Running: true while restarting too. */
export function isRunning(record: ContainerRecord): boolean {
  return record.state.status === 'running' || record.restarting === true;
}

export function statusText(record: ContainerRecord, nowMs: number): string {
  const { state } = record;
  if (record.restarting === true) return `Restarting (${state.exitCode ?? 0}) ${humanDuration(nowMs - Date.parse(state.finishedAt ?? record.createdAt))} ago`;
  switch (state.status) {
    case 'running':
      return `Up ${humanDuration(nowMs - Date.parse(state.startedAt ?? record.createdAt))}`;
    case 'exited':
      return state.finishedAt === null ? 'Exited' : `Exited (${state.exitCode ?? 0}) ${humanDuration(nowMs - Date.parse(state.finishedAt))} ago`;
    case 'created':
      return 'Created';
    case 'dead':
      return 'Dead';
  }
}

function args(record: ContainerRecord): string[] {
  return [...(record.process?.entrypoint ?? []), ...(record.process?.cmd ?? [])];
}

export function containerSummary(record: ContainerRecord, nowMs: number, networks: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: record.spec.id,
    Names: [`/${record.spec.name}`],
    Image: record.spec.image,
    ImageID: record.imageId,
    Command: args(record).join(' '),
    Created: Math.floor(Date.parse(record.createdAt) / 1000),
    Ports: published(record, networks) ? portSummaries(record.spec.ports ?? []) : [],
    Labels: record.spec.labels ?? {},
    State: dockerStatus(record),
    Status: statusText(record, nowMs),
    HostConfig: { NetworkMode: record.spec.networkMode ?? 'default' },
    NetworkSettings: { Networks: networks },
    Mounts: [],
  };
}

export function containerInspect(record: ContainerRecord, networks: Record<string, unknown> = {}): Record<string, unknown> {
  const { spec, state } = record;
  const [path, ...rest] = args(record);
  const files = record.files;
  return {
    Id: spec.id,
    Created: record.createdAt,
    Path: path ?? '',
    Args: rest,
    State: {
      Status: dockerStatus(record),
      Running: isRunning(record),
      Paused: false,
      Restarting: record.restarting === true,
      OOMKilled: false,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode ?? 0,
      Error: state.error,
      StartedAt: state.startedAt ?? ZERO_TIME,
      FinishedAt: state.finishedAt ?? ZERO_TIME,
    },
    Image: record.imageId,
    ResolvConfPath: files?.resolvConfPath ?? '',
    HostnamePath: files?.hostnamePath ?? '',
    HostsPath: files?.hostsPath ?? '',
    LogPath: files?.logPath ?? '',
    Name: `/${spec.name}`,
    RestartCount: record.restartCount ?? 0,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfig(record),
    GraphDriver: { Data: null, Name: 'overlay' },
    Mounts: [],
    Config: {
      Hostname: record.process?.hostname ?? spec.id.slice(0, 12),
      Domainname: '',
      User: record.process?.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: spec.tty === true,
      OpenStdin: spec.openStdin === true,
      StdinOnce: spec.stdinOnce === true,
      Env: record.process?.env ?? null,
      Cmd: record.process?.cmd ?? null,
      Image: spec.image,
      Volumes: null,
      WorkingDir: record.process?.workingDir ?? '',
      Entrypoint: record.process?.entrypoint ?? null,
      OnBuild: null,
      Labels: spec.labels ?? {},
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: published(record, networks) ? publishedPortsView(record.spec.ports ?? []) : {},
      SandboxKey: files?.sandboxKey ?? '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      ...defaultBridgeFields(networks),
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPv6Gateway: '',
      Networks: networks,
    },
  };
}

/** NetworkSettings' own address fields, which dockerd fills from the default bridge's endpoint (`{{.NetworkSettings.IPAddress}}`). */
function defaultBridgeFields(networks: Record<string, unknown>): Record<string, unknown> {
  const e = (networks['bridge'] ?? {}) as { EndpointID?: string; Gateway?: string; IPAddress?: string; IPPrefixLen?: number; MacAddress?: string };
  return { EndpointID: e.EndpointID ?? '', Gateway: e.Gateway ?? '', IPAddress: e.IPAddress ?? '', IPPrefixLen: e.IPPrefixLen ?? 0, MacAddress: e.MacAddress ?? '' };
}

function hostConfig(record: ContainerRecord): Record<string, unknown> {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: record.spec.networkMode ?? 'default',
    PortBindings: portBindingsView(record.spec.ports ?? []),
    RestartPolicy: { Name: record.spec.restartPolicy?.name ?? 'no', MaximumRetryCount: record.spec.restartPolicy?.maximumRetryCount ?? 0 },
    AutoRemove: record.spec.autoRemove === true,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'host',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: record.spec.groupAdd ?? null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    ConsoleSize: record.spec.consoleSize ? [record.spec.consoleSize.rows, record.spec.consoleSize.cols] : [0, 0],
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    // The rest of container.Resources as dockerd 20.10 echoes it: the values of a container without
    // limits (the create route refuses any other, as shoal does not apply them yet).
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: [...maskedPaths],
    ReadonlyPaths: [...readonlyPaths],
  };
}
