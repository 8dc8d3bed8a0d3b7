// `shoal version` and `shoal info`, printed like docker's.

import type { Argv } from 'yargs';
import { MAX_API_VERSION } from '../api/client.js';
import { humanDuration } from '../format/duration.js';
import { compileTemplate } from '../format/template.js';
import { bytesSize } from '../format/text.js';
import type { CommandContext, GlobalArgs } from './context.js';

export const CLIENT_VERSION = '0.1.0';

interface Component {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}
interface VersionResponse {
  Platform?: { Name?: string };
  Components?: Component[];
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os?: string;
  Arch?: string;
  BuildTime?: string;
  Experimental?: boolean;
}

function ansic(rfc3339: string | undefined): string {
  const date = rfc3339 ? new Date(rfc3339) : null;
  if (!date || Number.isNaN(date.getTime())) return rfc3339 ?? '';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${days[date.getDay()]} ${months[date.getMonth()]} ${String(date.getDate()).padStart(2)} ${time} ${date.getFullYear()}`;
}

function label(name: string): string {
  return `  ${name}:`.padEnd(20);
}

export function formatVersion(apiVersion: string, server: VersionResponse): string {
  const lines = [
    'Client:',
    ` Version:           ${CLIENT_VERSION}`,
    ` API version:       ${apiVersion}${apiVersion !== MAX_API_VERSION ? ` (downgraded from ${MAX_API_VERSION})` : ''}`,
    ` Node.js version:   ${process.version}`,
    ` OS/Arch:           ${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
    ` Context:           default`,
    '',
    `Server:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}`,
  ];
  const components = server.Components ?? [
    {
      Name: 'Engine',
      Version: server.Version ?? '',
      Details: {
        ApiVersion: server.ApiVersion ?? '',
        MinAPIVersion: server.MinAPIVersion ?? '',
        GitCommit: server.GitCommit ?? '',
        GoVersion: server.GoVersion ?? '',
        Os: server.Os ?? '',
        Arch: server.Arch ?? '',
        BuildTime: server.BuildTime ?? '',
        Experimental: String(server.Experimental ?? false),
      },
    },
  ];
  for (const component of components) {
    const details = component.Details ?? {};
    lines.push(` ${component.Name}:`, `${label('Version')}${component.Version}`);
    if (component.Name === 'Engine') {
      lines.push(
        `${label('API version')}${details['ApiVersion'] ?? ''} (minimum version ${details['MinAPIVersion'] ?? ''})`,
        `${label('Go version')}${details['GoVersion'] ?? ''}`,
        `${label('Git commit')}${details['GitCommit'] ?? ''}`,
        `${label('Built')}${ansic(details['BuildTime'])}`,
        `${label('OS/Arch')}${details['Os'] ?? ''}/${details['Arch'] ?? ''}`,
        `${label('Experimental')}${details['Experimental'] ?? ''}`,
      );
    } else {
      for (const key of Object.keys(details).sort()) lines.push(`${label(key)}${details[key]}`);
    }
  }
  return lines.join('\n') + '\n';
}

type Info = Record<string, any>;

function line(out: string[], ...parts: unknown[]): void {
  out.push(parts.map((part) => (part === null || part === undefined ? '' : String(part))).join(' '));
}
function nonEmpty(out: string[], name: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') line(out, name, value);
}

function swarmLines(out: string[], swarm: Info): void {
  if (swarm['LocalNodeState'] === 'inactive' || swarm['LocalNodeState'] === 'locked') return;
  line(out, '  NodeID:', swarm['NodeID']);
  if (swarm['Error']) line(out, '  Error:', swarm['Error']);
  line(out, '  Is Manager:', swarm['ControlAvailable'] ?? false);
  const cluster = swarm['Cluster'] as Info | null | undefined;
  if (cluster && swarm['ControlAvailable'] && !swarm['Error'] && swarm['LocalNodeState'] !== 'error') {
    const spec = (cluster['Spec'] ?? {}) as Info;
    line(out, '  ClusterID:', cluster['ID']);
    line(out, '  Managers:', swarm['Managers'] ?? 0);
    line(out, '  Nodes:', swarm['Nodes'] ?? 0);
    if (cluster['DefaultAddrPool']) {
      line(out, '  Default Address Pool:', (cluster['DefaultAddrPool'] as string[]).map((p) => `${p}  `).join(''));
      line(out, '  SubnetSize:', cluster['SubnetSize'] ?? 0);
    }
    if ((cluster['DataPathPort'] ?? 0) > 0) line(out, '  Data Path Port:', cluster['DataPathPort']);
    line(out, '  Orchestration:');
    line(out, '   Task History Retention Limit:', spec['Orchestration']?.['TaskHistoryRetentionLimit'] ?? 0);
    line(out, '  Raft:');
    line(out, '   Snapshot Interval:', spec['Raft']?.['SnapshotInterval'] ?? 0);
    if (spec['Raft']?.['KeepOldSnapshots'] !== undefined) {
      line(out, '   Number of Old Snapshots to Retain:', spec['Raft']['KeepOldSnapshots']);
    }
    line(out, '   Heartbeat Tick:', spec['Raft']?.['HeartbeatTick'] ?? 0);
    line(out, '   Election Tick:', spec['Raft']?.['ElectionTick'] ?? 0);
    line(out, '  Dispatcher:');
    line(out, '   Heartbeat Period:', humanDuration(spec['Dispatcher']?.['HeartbeatPeriod'] ?? 0));
    line(out, '  CA Configuration:');
    line(out, '   Expiry Duration:', humanDuration(spec['CAConfig']?.['NodeCertExpiry'] ?? 0));
    line(out, '   Force Rotate:', spec['CAConfig']?.['ForceRotate'] ?? 0);
    const signing = String(spec['CAConfig']?.['SigningCACert'] ?? '').trim();
    if (signing) out.push(`   Signing CA Certificate: \n${signing}\n`);
    const external = (spec['CAConfig']?.['ExternalCAs'] ?? []) as Info[];
    if (external.length > 0) {
      line(out, '   External CAs:');
      for (const entry of external) out.push(`     ${entry['Protocol']}: ${entry['URL']}`);
    }
    line(out, '  Autolock Managers:', spec['EncryptionConfig']?.['AutoLockManagers'] ?? false);
    line(out, '  Root Rotation In Progress:', cluster['RootRotationInProgress'] ?? false);
  }
  line(out, '  Node Address:', swarm['NodeAddr']);
  const managers = ((swarm['RemoteManagers'] ?? []) as Info[]).map((m) => String(m['Addr'])).sort();
  if (managers.length > 0) {
    line(out, '  Manager Addresses:');
    for (const addr of managers) out.push(`   ${addr}`);
  }
}

/** The "Server:" part of `docker info`. */
export function formatServerInfo(info: Info): string {
  const out: string[] = [];
  line(out, ' Containers:', info['Containers'] ?? 0);
  line(out, '  Running:', info['ContainersRunning'] ?? 0);
  line(out, '  Paused:', info['ContainersPaused'] ?? 0);
  line(out, '  Stopped:', info['ContainersStopped'] ?? 0);
  line(out, ' Images:', info['Images'] ?? 0);
  nonEmpty(out, ' Server Version:', info['ServerVersion']);
  nonEmpty(out, ' Storage Driver:', info['Driver']);
  for (const [key, value] of (info['DriverStatus'] ?? []) as string[][]) out.push(`  ${key}: ${value}`);
  for (const [key, value] of (info['SystemStatus'] ?? []) as string[][]) out.push(` ${key}: ${value}`);
  nonEmpty(out, ' Logging Driver:', info['LoggingDriver']);
  nonEmpty(out, ' Cgroup Driver:', info['CgroupDriver']);
  nonEmpty(out, ' Cgroup Version:', info['CgroupVersion']);
  const plugins = (info['Plugins'] ?? {}) as Record<string, string[] | null>;
  line(out, ' Plugins:');
  line(out, '  Volume:', (plugins['Volume'] ?? []).join(' '));
  line(out, '  Network:', (plugins['Network'] ?? []).join(' '));
  if ((plugins['Authorization'] ?? []).length > 0) line(out, '  Authorization:', (plugins['Authorization'] ?? []).join(' '));
  line(out, '  Log:', (plugins['Log'] ?? []).join(' '));
  line(out, ' Swarm:', info['Swarm']?.['LocalNodeState'] ?? '');
  swarmLines(out, (info['Swarm'] ?? {}) as Info);
  const runtimes = Object.keys(info['Runtimes'] ?? {}).sort();
  if (runtimes.length > 0) {
    line(out, ' Runtimes:', runtimes.join(' '));
    line(out, ' Default Runtime:', info['DefaultRuntime']);
  }
  if (info['OSType'] === 'linux') {
    line(out, ' Init Binary:', info['InitBinary']);
    line(out, ' containerd version:', info['ContainerdCommit']?.['ID']);
    line(out, ' runc version:', info['RuncCommit']?.['ID']);
    line(out, ' init version:', info['InitCommit']?.['ID']);
    const security = (info['SecurityOptions'] ?? []) as string[];
    if (security.length > 0) {
      line(out, ' Security Options:');
      for (const option of security) {
        const fields = Object.fromEntries(option.split(',').map((kv) => kv.split('=') as [string, string]));
        out.push(`  ${fields['name'] ?? option}`);
        if (fields['profile']) line(out, '   Profile:', fields['profile']);
      }
    }
  }
  nonEmpty(out, ' Kernel Version:', info['KernelVersion']);
  nonEmpty(out, ' Operating System:', info['OperatingSystem']);
  nonEmpty(out, ' OSType:', info['OSType']);
  nonEmpty(out, ' Architecture:', info['Architecture']);
  line(out, ' CPUs:', info['NCPU'] ?? 0);
  line(out, ' Total Memory:', bytesSize(info['MemTotal'] ?? 0));
  nonEmpty(out, ' Name:', info['Name']);
  nonEmpty(out, ' ID:', info['ID']);
  line(out, ' Docker Root Dir:', info['DockerRootDir']);
  line(out, ' Debug Mode:', info['Debug'] ?? false);
  nonEmpty(out, ' HTTP Proxy:', info['HttpProxy']);
  nonEmpty(out, ' HTTPS Proxy:', info['HttpsProxy']);
  nonEmpty(out, ' No Proxy:', info['NoProxy']);
  const labels = (info['Labels'] ?? []) as string[];
  if (labels.length > 0) {
    line(out, ' Labels:');
    for (const entry of labels) out.push(`  ${entry}`);
  }
  line(out, ' Experimental:', info['ExperimentalBuild'] ?? false);
  const registry = info['RegistryConfig'] as Info | undefined;
  const indexConfigs = Object.values((registry?.['IndexConfigs'] ?? {}) as Record<string, Info>);
  const insecure = (registry?.['InsecureRegistryCIDRs'] ?? []) as string[];
  if (registry && (insecure.length > 0 || indexConfigs.length > 0)) {
    line(out, ' Insecure Registries:');
    for (const config of indexConfigs) if (!config['Secure']) out.push(`  ${config['Name']}`);
    for (const cidr of insecure) out.push(`  ${cidr}`);
  }
  const mirrors = (registry?.['Mirrors'] ?? []) as string[];
  if (mirrors.length > 0) {
    line(out, ' Registry Mirrors:');
    for (const mirror of mirrors) out.push(`  ${mirror}`);
  }
  line(out, ' Live Restore Enabled:', info['LiveRestoreEnabled'] ?? false);
  const pools = (info['DefaultAddressPools'] ?? []) as Info[];
  if (pools.length > 0) {
    line(out, ' Default Address Pools:');
    for (const pool of pools) out.push(`   Base: ${pool['Base']}, Size: ${pool['Size']}`);
  }
  return out.join('\n') + '\n\n';
}

export function registerSystem(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs
    .command(
      'version',
      'Show the shoal version information',
      (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' }).strict(),
      async (args) => {
        const client = ctx.client(args.host);
        const server = await client.get<VersionResponse>('/version');
        const apiVersion = await client.apiVersion();
        if (args.format) {
          const data = { Client: { Version: CLIENT_VERSION, APIVersion: apiVersion }, Server: { ...server, APIVersion: server.ApiVersion } };
          ctx.io.out(compileTemplate(args.format)(data) + '\n');
          return;
        }
        ctx.io.out(formatVersion(apiVersion, server));
      },
    )
    .command(
      'info',
      'Display system-wide information',
      (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' }).strict(),
      async (args) => {
        const info = await ctx.client(args.host).get<Info>('/info');
        if (args.format) {
          const format = args.format === 'json' ? '{{json .}}' : args.format;
          ctx.io.out(compileTemplate(format)({ ...info, ClientInfo: { Version: CLIENT_VERSION, Context: 'default', Debug: false } }) + '\n');
          return;
        }
        ctx.io.out(`Client:\n Version:    ${CLIENT_VERSION}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
        ctx.io.out(formatServerInfo(info));
        for (const warning of (info['Warnings'] ?? []) as string[]) ctx.io.err(`${warning}\n`);
      },
    );
}
