// Test hosts for the overlay: network namespaces of our own joined by a bridge in a "switch"
// namespace, underlay addresses from 198.51.100.0/24, no default route; each runs an OverlayDriver
// (driver-host.ts) inside its namespace. Everything is removed in t.after, also when the test fails:
// driver processes, the namespace files under each host's netns directory, the host namespaces.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { command, tryCommand } from '../../src/network/command.js';
import { NetnsFiles, removeAllNamespaces } from '../../src/network/netns-files.js';
import type { OverlayDriver } from '../../src/network/index.js';

export const CALL_TIMEOUT_MS = 15_000;

export class RemoteError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

type Methods = {
  [K in keyof OverlayDriver as OverlayDriver[K] extends (...a: never[]) => unknown ? K : never]: OverlayDriver[K];
};

/** An OverlayDriver running in a host namespace, called over its stdin/stdout. */
export class RemoteDriver {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { id: number; value?: unknown; error?: { code?: string; message: string } };
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new RemoteError(msg.error.code, msg.error.message));
      else p?.resolve(msg.value === null ? undefined : msg.value); // JSON has no undefined
    });
    child.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('driver process exited'));
      this.pending.clear();
    });
  }

  call<K extends keyof Methods>(method: K, ...args: Parameters<Methods[K]>): Promise<Awaited<ReturnType<Methods[K]>>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as Awaited<ReturnType<Methods[K]>>)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.child.stdin!.write(JSON.stringify({ id, method, args }) + '\n');
    });
  }

  /** SIGKILL, as a crash; resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

export interface TestHost {
  /** Name under /run/netns. */
  readonly netns: string;
  readonly addr: string;
  readonly files: NetnsFiles;
  driver: RemoteDriver;
  /** Starts a fresh driver process (e.g. after kill()) on the same netns directory. */
  restartDriver(): RemoteDriver;
}

const HOST_SCRIPT = new URL('./driver-host.js', import.meta.url).pathname;

function startDriver(t: TestContext, netns: string, netnsDir: string, addr: string): RemoteDriver {
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, HOST_SCRIPT, netnsDir, addr], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const driver = new RemoteDriver(child);
  t.after(() => driver.kill());
  return driver;
}

/** Creates `count` hosts (198.51.100.1, .2, …) on one switch, each with a driver. */
export async function testHosts(t: TestContext, count: number): Promise<TestHost[]> {
  const prefix = `shoal-ovt-${randomBytes(3).toString('hex')}`;
  const sw = `${prefix}-sw`;
  const created: string[] = [];
  const dirs: string[] = [];
  // Registered first so it runs last (t.after runs in reverse order), after the drivers are killed.
  t.after(async () => {
    for (const dir of dirs) {
      await removeAllNamespaces(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const name of created.reverse()) await tryCommand(['ip', 'netns', 'delete', name]);
  });
  await command(['ip', 'netns', 'add', sw]);
  created.push(sw);
  await command(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
  await command(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
  await command(['sysctl', '-q', '-e', '-w', 'net.bridge.bridge-nf-call-iptables=0'], { netns: `/run/netns/${sw}` });
  const hosts: TestHost[] = [];
  for (let i = 1; i <= count; i++) {
    const netns = `${prefix}-h${i}`;
    const addr = `198.51.100.${i}`;
    await command(['ip', 'netns', 'add', netns]);
    created.push(netns);
    await command(['ip', 'link', 'add', 'eth0', 'netns', netns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw]);
    await command(['ip', '-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
    await command(['ip', '-n', netns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
    await command(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
    await command(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ovt-netns-'));
    dirs.push(dir);
    const host: TestHost = {
      netns, addr, files: new NetnsFiles(dir),
      driver: startDriver(t, netns, dir, addr),
      restartDriver: () => (host.driver = startDriver(t, netns, dir, addr)),
    };
    hosts.push(host);
  }
  return hosts;
}

/** One ping from inside a namespace file; true when answered within a second. */
export async function pings(netns: string, ip: string): Promise<boolean> {
  const r = await tryCommand(['ping', '-c', '1', '-W', '1', ip], { netns, timeoutMs: 5_000 });
  return r.exitCode === 0;
}

/** True once a ping gets through, trying for up to `ms` (ARP and the first frames can take a moment). */
export async function reaches(netns: string, ip: string, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await pings(netns, ip)) return true;
    await sleep(100);
  }
  return false;
}
