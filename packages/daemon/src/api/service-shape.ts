// The service spec of `POST /services/create` and `/services/{id}/update` as Docker's Go structs declare
// it (api/types/swarm: ServiceSpec, TaskSpec, ContainerSpec, …), every field either decoded for shoal to
// act on or declared unsupported, so a spec asking for what shoal does not do is refused, never stored.
import { anyJson, arr, bool, float, int, isZero, map, obj, str, uint, unsupported, unsupportedEvenEmpty } from './json-shape.js';

/** `--no-healthcheck` (Test ["NONE"]): no health check, which is what shoal runs anyway. */
export const healthcheckDisabled = (v: unknown): boolean => {
  const { Test, ...rest } = v as { Test?: unknown };
  return Array.isArray(Test) && Test.length === 1 && Test[0] === 'NONE' && isZero(rest);
};

const resourceLimits = 'resource limits (--limit-cpu, --limit-memory, --limit-pids)';

const containerSpecShape = obj('swarm.ContainerSpec', {
  Image: str,
  Labels: map(str),
  Command: arr(str),
  Args: arr(str),
  Hostname: str,
  Env: arr(str),
  Dir: str,
  User: str,
  Groups: unsupported('supplementary groups (--group)'),
  Privileges: unsupported('privileges: credential specs, SELinux, seccomp, AppArmor (--credential-spec, --security-opt)'),
  Init: unsupported('an init process (--init)', bool),
  StopSignal: unsupported('stop signals (--stop-signal)', str),
  TTY: bool,
  OpenStdin: bool,
  ReadOnly: unsupported('read-only root filesystems (--read-only)', bool),
  Mounts: unsupported('mounts and volumes (--mount)'),
  StopGracePeriod: int('int64'),
  Healthcheck: unsupported('health checks (--health-cmd and the other --health-* flags)', anyJson, healthcheckDisabled),
  Hosts: unsupported('extra host entries (--host)'),
  DNSConfig: unsupported('DNS settings (--dns, --dns-search, --dns-option)'),
  Secrets: unsupported('secrets (--secret)'),
  Configs: unsupported('configs (--config)'),
  Isolation: unsupported('isolation modes (--isolation)', str, (v) => v === 'default'),
  Sysctls: unsupported('sysctls (--sysctl)', map(str)),
  CapabilityAdd: unsupported('capabilities (--cap-add)'),
  CapabilityDrop: unsupported('capabilities (--cap-drop)'),
  Ulimits: unsupported('ulimits (--ulimit)'),
  OomScoreAdj: unsupported('OOM score adjustment (--oom-score-adj)', int('int64')),
});

const networkAttachmentShape = obj('swarm.NetworkAttachmentConfig', {
  Target: str,
  Aliases: arr(str),
  DriverOpts: unsupported('network driver options (--network driver-opt=…)', map(str)),
});

const taskSpecShape = obj('swarm.TaskSpec', {
  ContainerSpec: containerSpecShape,
  PluginSpec: unsupported('plugin services'),
  NetworkAttachmentSpec: unsupported('network attachment tasks'),
  Resources: obj('swarm.ResourceRequirements', {
    Limits: unsupported(resourceLimits),
    Reservations: obj('swarm.Resources', {
      NanoCPUs: int('int64'),
      MemoryBytes: int('int64'),
      GenericResources: unsupported('generic resources (--generic-resource)'),
    }),
    // Newer API versions: the memory swap settings of a task.
    SwapBytes: unsupported('swap limits'),
    MemorySwappiness: unsupported('memory swappiness'),
  }),
  RestartPolicy: obj('swarm.RestartPolicy', { Condition: str, Delay: int('int64'), MaxAttempts: uint('uint64'), Window: int('int64') }),
  Placement: obj('swarm.Placement', {
    Constraints: arr(str),
    Preferences: arr(obj('swarm.PlacementPreference', { Spread: obj('swarm.SpreadOver', { SpreadDescriptor: str }) })),
    MaxReplicas: uint('uint64'),
    // The docker CLI fills it from GET /distribution when it pins the image's digest.
    Platforms: arr(obj('swarm.Platform', { Architecture: str, OS: str })),
  }),
  Networks: arr(networkAttachmentShape),
  LogDriver: unsupported('log drivers (--log-driver, --log-opt)'),
  ForceUpdate: uint('uint64'),
  Runtime: unsupported('runtimes other than "container"', str, (v) => v === 'container'),
});

const updateConfigShape = obj('swarm.UpdateConfig', {
  Parallelism: uint('uint64'),
  Delay: int('int64'),
  FailureAction: str,
  Monitor: int('int64'),
  MaxFailureRatio: unsupported('a failure ratio (--update-max-failure-ratio, --rollback-max-failure-ratio)', float('float32')),
  Order: str,
});

export const serviceSpecShape = obj('swarm.ServiceSpec', {
  Name: str,
  Labels: map(str),
  TaskTemplate: taskSpecShape,
  Mode: obj('swarm.ServiceMode', {
    Replicated: obj('swarm.ReplicatedService', { Replicas: uint('uint64') }),
    Global: obj('swarm.GlobalService', {}),
    ReplicatedJob: unsupportedEvenEmpty('jobs (--mode replicated-job)'),
    GlobalJob: unsupportedEvenEmpty('jobs (--mode global-job)'),
  }),
  UpdateConfig: updateConfigShape,
  RollbackConfig: updateConfigShape,
  Networks: arr(networkAttachmentShape),
  EndpointSpec: obj('swarm.EndpointSpec', {
    Mode: str,
    Ports: arr(
      obj('swarm.PortConfig', { Name: str, Protocol: str, TargetPort: uint('uint32'), PublishedPort: uint('uint32'), PublishMode: str }),
    ),
  }),
});
