// The body of `POST /containers/create` as Docker's Go structs declare it (container.Config with
// HostConfig and NetworkingConfig): every field either decoded for shoal to act on or declared
// unsupported, so a container asking for what shoal does not do is refused, never created without it.
import { healthcheckDisabled } from './service-shape.js';
import { anyJson, arr, bool, ignored, int, map, obj, str, unsupported } from './json-shape.js';

const limits = (flag: string) => unsupported(`resource limits (${flag})`);
const intLimit = (flag: string) => unsupported(`resource limits (${flag})`, int('int64'));
const strLimit = (flag: string) => unsupported(`resource limits (${flag})`, str);

const isNamed =
  (...names: readonly string[]) =>
  (v: unknown): boolean =>
    names.includes(v as string);

/** `--log-driver json-file` without options: the format shoal keeps logs in anyway. */
const jsonFileLogs = (v: unknown): boolean => {
  const { Type, Config } = v as { Type?: unknown; Config?: unknown };
  return Type === 'json-file' && (Config === undefined || Config === null || Object.keys(Config as object).length === 0);
};

const hostConfigShape = obj('container.HostConfig', {
  Binds: unsupported('bind mounts and volumes (-v, --volume)'),
  ContainerIDFile: ignored('the file the client writes the new ID to', str),
  LogConfig: unsupported('log drivers other than json-file, and log options (--log-driver, --log-opt)', anyJson, jsonFileLogs),
  NetworkMode: str,
  /** Checked where they are parsed (port-bindings.ts), with dockerd's messages. */
  PortBindings: anyJson,
  /** Checked where it is read (restart-request.ts), with dockerd's messages. */
  RestartPolicy: obj('container.RestartPolicy', { Name: str, MaximumRetryCount: int('int') }),
  AutoRemove: bool,
  VolumeDriver: unsupported('volume drivers (--volume-driver)', str),
  VolumesFrom: unsupported('volumes from other containers (--volumes-from)'),
  ConsoleSize: anyJson,
  Annotations: unsupported('annotations (--annotation)', map(str)),
  CapAdd: unsupported('capabilities (--cap-add)'),
  CapDrop: unsupported('capabilities (--cap-drop)'),
  CgroupnsMode: unsupported('cgroup namespace modes (--cgroupns)', str),
  Dns: unsupported('DNS servers (--dns)'),
  DnsOptions: unsupported('DNS options (--dns-option)'),
  DnsSearch: unsupported('DNS search domains (--dns-search)'),
  ExtraHosts: unsupported('extra host entries (--add-host)'),
  GroupAdd: arr(str),
  IpcMode: unsupported('IPC modes (--ipc)', str),
  Cgroup: unsupported('cgroup modes (--cgroup)', str),
  Links: unsupported('links (--link)'),
  OomScoreAdj: unsupported('OOM score adjustment (--oom-score-adj)', int('int')),
  PidMode: unsupported('PID modes (--pid)', str),
  Privileged: unsupported('privileged containers (--privileged)', bool),
  PublishAllPorts: bool,
  ReadonlyRootfs: unsupported('read-only root filesystems (--read-only)', bool),
  SecurityOpt: unsupported('security options (--security-opt)'),
  StorageOpt: unsupported('storage options (--storage-opt)', map(str)),
  Tmpfs: unsupported('tmpfs mounts (--tmpfs)', map(str)),
  UTSMode: unsupported('UTS modes (--uts)', str),
  UsernsMode: unsupported('user namespace modes (--userns)', str),
  ShmSize: unsupported('/dev/shm sizes (--shm-size)', int('int64')),
  Sysctls: unsupported('sysctls (--sysctl)', map(str)),
  Runtime: unsupported('runtimes other than runc (--runtime)', str, isNamed('runc')),
  Isolation: unsupported('isolation modes (--isolation)', str, isNamed('default')),
  // container.Resources, embedded in HostConfig.
  CpuShares: intLimit('--cpu-shares'),
  Memory: intLimit('--memory'),
  NanoCpus: intLimit('--cpus'),
  CgroupParent: strLimit('--cgroup-parent'),
  BlkioWeight: unsupported('resource limits (--blkio-weight)', int('int')),
  BlkioWeightDevice: limits('--blkio-weight-device'),
  BlkioDeviceReadBps: limits('--device-read-bps'),
  BlkioDeviceWriteBps: limits('--device-write-bps'),
  BlkioDeviceReadIOps: limits('--device-read-iops'),
  BlkioDeviceWriteIOps: limits('--device-write-iops'),
  CpuPeriod: intLimit('--cpu-period'),
  CpuQuota: intLimit('--cpu-quota'),
  CpuRealtimePeriod: intLimit('--cpu-rt-period'),
  CpuRealtimeRuntime: intLimit('--cpu-rt-runtime'),
  CpusetCpus: strLimit('--cpuset-cpus'),
  CpusetMems: strLimit('--cpuset-mems'),
  Devices: unsupported('devices (--device)'),
  DeviceCgroupRules: unsupported('device cgroup rules (--device-cgroup-rule)'),
  DeviceRequests: unsupported('device requests (--gpus)'),
  KernelMemory: intLimit('--kernel-memory'),
  KernelMemoryTCP: intLimit('--kernel-memory-tcp'),
  MemoryReservation: intLimit('--memory-reservation'),
  MemorySwap: intLimit('--memory-swap'),
  // -1 is what the CLI sends when the flag is not given: the kernel's default.
  MemorySwappiness: unsupported('resource limits (--memory-swappiness)', int('int64'), (v) => v === -1),
  OomKillDisable: unsupported('resource limits (--oom-kill-disable)', bool),
  PidsLimit: intLimit('--pids-limit'),
  Ulimits: unsupported('ulimits (--ulimit)'),
  CpuCount: intLimit('--cpu-count'),
  CpuPercent: intLimit('--cpu-percent'),
  IOMaximumIOps: intLimit('--io-maxiops'),
  IOMaximumBandwidth: intLimit('--io-maxbandwidth'),
  Mounts: unsupported('mounts (--mount)'),
  MaskedPaths: unsupported('masked paths (--security-opt systempaths=unconfined)'),
  ReadonlyPaths: unsupported('read-only paths (--security-opt systempaths=unconfined)'),
  Init: unsupported('an init process (--init)', bool),
});

/** network.EndpointSettings: what a client may ask of a container's endpoint; the rest is output. */
const endpointSettingsShape = obj('network.EndpointSettings', {
  IPAMConfig: unsupported('static addresses (--ip, --ip6)'),
  Links: unsupported('links (--link)'),
  Aliases: arr(str),
  MacAddress: unsupported('MAC addresses (--mac-address)', str),
  DriverOpts: unsupported('network driver options (--network driver-opt=…)', map(str)),
  GwPriority: unsupported('gateway priorities (--network gw-priority=…)', int('int')),
  NetworkID: ignored('an output of inspect', str),
  EndpointID: ignored('an output of inspect', str),
  Gateway: ignored('an output of inspect', str),
  IPAddress: ignored('an output of inspect', str),
  IPPrefixLen: ignored('an output of inspect', int('int')),
  IPv6Gateway: ignored('an output of inspect', str),
  GlobalIPv6Address: ignored('an output of inspect', str),
  GlobalIPv6PrefixLen: ignored('an output of inspect', int('int')),
  DNSNames: ignored('an output of inspect'),
});

export const containerCreateShape = obj('container.Config', {
  Hostname: str,
  Domainname: unsupported('domain names (--domainname)', str),
  User: str,
  AttachStdin: ignored('which streams the client will attach', bool),
  AttachStdout: ignored('which streams the client will attach', bool),
  AttachStderr: ignored('which streams the client will attach', bool),
  ExposedPorts: map(obj('struct', {})),
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: arr(str),
  /** A string or a list of strings (Docker's StrSlice), checked where it is read. */
  Cmd: anyJson,
  Healthcheck: unsupported('health checks (--health-cmd and the other --health-* flags)', anyJson, healthcheckDisabled),
  ArgsEscaped: unsupported('escaped arguments (Windows only)', bool),
  Image: str,
  Volumes: unsupported('anonymous volumes (-v /path)', map(obj('struct', {}))),
  WorkingDir: str,
  Entrypoint: anyJson,
  NetworkDisabled: unsupported('disabling the network this way (use --network none)', bool),
  MacAddress: unsupported('MAC addresses (--mac-address)', str),
  OnBuild: unsupported('ONBUILD triggers'),
  Labels: map(str),
  StopSignal: unsupported('stop signals (--stop-signal)', str),
  StopTimeout: unsupported('stop timeouts (--stop-timeout)', int('int')),
  Shell: unsupported('SHELL (an image build setting)'),
  HostConfig: hostConfigShape,
  NetworkingConfig: obj('network.NetworkingConfig', { EndpointsConfig: map(endpointSettingsShape) }),
});

/** `POST /containers/{id}/exec` (container.ExecOptions). */
export const execCreateShape = obj('container.ExecOptions', {
  User: str,
  Privileged: unsupported('privileged exec (--privileged)', bool),
  Tty: bool,
  ConsoleSize: anyJson,
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  /** moby/term's key list ("ctrl-p,ctrl-q"), checked where it is read. */
  DetachKeys: str,
  Env: arr(str),
  WorkingDir: str,
  /** A string or a list of strings (Docker's StrSlice), checked where it is read. */
  Cmd: anyJson,
});

/** `POST /exec/{id}/start` (container.ExecStartOptions). */
export const execStartShape = obj('container.ExecStartOptions', {
  Detach: bool,
  /** Whether the client wants the output raw (it has a terminal) or in stdcopy frames. */
  Tty: bool,
  /** [height, width], checked where it is read. */
  ConsoleSize: anyJson,
});
