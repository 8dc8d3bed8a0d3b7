// The OCI runtime config (config.json of a bundle) for one container, shaped like `runc spec` and
// Docker's defaults: its own pid/ipc/uts/mount namespaces, a network namespace the caller prepared,
// Docker's capability set, masked /proc paths, and the files the engine writes bind-mounted over /etc.
// Pure: no I/O, so the tests can check the document field by field.
import type { OciUser } from './users.js';

export interface OciProcessInput {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: OciUser;
  readonly terminal: boolean;
  /** The terminal's size, set by runc before the process runs (with `terminal`). */
  readonly consoleSize?: { readonly rows: number; readonly cols: number } | undefined;
}

export interface OciConfigInput {
  readonly process: OciProcessInput;
  readonly hostname: string;
  /** Absolute path of the root filesystem (the overlay mount). */
  readonly rootfs: string;
  /** The network namespace to join. */
  readonly netnsPath: string;
  /** cgroup v1 path under every controller, e.g. /shoal/<id>. */
  readonly cgroupsPath: string;
  /** Host files bind-mounted at /etc/hosts, /etc/resolv.conf, /etc/hostname. */
  readonly etcFiles: { readonly hosts: string; readonly resolvConf: string; readonly hostname: string };
}

/** Docker's default capabilities (moby oci/caps/defaults.go). */
export const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

export const maskedPaths = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
] as const;

export const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

export function buildOciConfig(input: OciConfigInput): Record<string, unknown> {
  const caps = [...defaultCapabilities];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.process.terminal,
      ...consoleSize(input.process),
      user: input.process.user,
      args: [...input.process.args],
      env: [...input.process.env],
      cwd: input.process.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      bind('/etc/hosts', input.etcFiles.hosts),
      bind('/etc/resolv.conf', input.etcFiles.resolvConf),
      bind('/etc/hostname', input.etcFiles.hostname),
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      cgroupsPath: input.cgroupsPath,
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: input.netnsPath },
      ],
      maskedPaths: [...maskedPaths],
      readonlyPaths: [...readonlyPaths],
    },
  };
}

export function consoleSize(process: Pick<OciProcessInput, 'terminal' | 'consoleSize'>): { consoleSize?: { height: number; width: number } } {
  const size = process.consoleSize;
  return process.terminal && size !== undefined ? { consoleSize: { height: size.rows, width: size.cols } } : {};
}

function bind(destination: string, source: string): Record<string, unknown> {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate'] };
}
