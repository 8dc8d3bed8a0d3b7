// GET/HEAD /_ping, GET /version and GET /info, shaped like dockerd 20.10's answers (see the traces).
import { route, type RouteTable } from './routes.js';
import { json, text } from './respond.js';
import type { HostFacts, SystemInfoProvider, SwarmInfo, EngineCounts } from './system-info.js';
import { apiVersionMax, apiVersionMin } from './version.js';

const pingHeaders = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache' };

export function systemRoutes(system: SystemInfoProvider): RouteTable {
  return [
    route({ method: 'HEAD', path: '/_ping', handler: () => text('', pingHeaders) }),
    route({ method: 'GET', path: '/_ping', handler: () => text('OK', pingHeaders) }),
    route({ method: 'GET', path: '/version', handler: () => json(versionBody(system.host)) }),
    route({
      method: 'GET',
      path: '/info',
      handler: async () => {
        const [swarm, counts] = await Promise.all([system.swarm.swarmInfo(), system.swarm.engineCounts()]);
        return json(infoBody(system.host, swarm, counts));
      },
    }),
  ];
}

export function versionBody(host: HostFacts): Record<string, unknown> {
  const nodeVersion = `node ${process.version}`;
  return {
    Platform: { Name: 'shoal' },
    Components: [
      {
        Name: 'Engine',
        Version: host.engineVersion,
        Details: {
          ApiVersion: apiVersionMax,
          Arch: host.goArch,
          BuildTime: host.buildTime,
          Experimental: 'false',
          GitCommit: host.gitCommit,
          GoVersion: nodeVersion,
          KernelVersion: host.kernelVersion,
          MinAPIVersion: apiVersionMin,
          Os: 'linux',
        },
      },
    ],
    Version: host.engineVersion,
    ApiVersion: apiVersionMax,
    MinAPIVersion: apiVersionMin,
    GitCommit: host.gitCommit,
    GoVersion: nodeVersion,
    Os: 'linux',
    Arch: host.goArch,
    KernelVersion: host.kernelVersion,
    BuildTime: host.buildTime,
  };
}

export function infoBody(host: HostFacts, swarm: SwarmInfo, counts: EngineCounts): Record<string, unknown> {
  return {
    ID: host.engineId,
    Containers: counts.containers,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: counts.images,
    Driver: 'shoal',
    DriverStatus: [],
    Plugins: { Volume: [], Network: ['bridge', 'host', 'null', 'overlay'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: false,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: host.cgroupVersion,
    NEventsListener: 0,
    KernelVersion: host.kernelVersion,
    OperatingSystem: host.operatingSystem,
    OSVersion: host.osVersion,
    OSType: 'linux',
    Architecture: host.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      AllowNondistributableArtifactsHostnames: [],
      InsecureRegistryCIDRs: [],
      IndexConfigs: {},
      Mirrors: [],
    },
    NCPU: host.ncpu,
    MemTotal: host.memTotalBytes,
    GenericResources: null,
    DockerRootDir: host.dataRoot,
    HttpProxy: process.env['HTTP_PROXY'] ?? process.env['http_proxy'] ?? '',
    HttpsProxy: process.env['HTTPS_PROXY'] ?? process.env['https_proxy'] ?? '',
    NoProxy: process.env['NO_PROXY'] ?? process.env['no_proxy'] ?? '',
    Name: host.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: host.engineVersion,
    Runtimes: { runc: { path: 'runc' } },
    DefaultRuntime: 'runc',
    Swarm: swarm,
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: [],
    Warnings: null,
  };
}
