// Test namespaces for the discovery/LB/publishing tests: every namespace, link and process made here
// is undone by one t.after hook (last made, first undone), also when the test fails. Names carry the
// test process's pid so parallel runs and other suites never collide; nothing here touches the root
// namespace except creating and deleting the namespaces themselves.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inNetnsArgv, runInNetns } from '../../../src/network/lb/netns.js';

// Generous: node start-up alone takes seconds on a loaded 2-core machine.
const DEFAULT_WAIT_MS = 20_000;

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

export class NetnsLab {
  private readonly undo: (() => Promise<void> | void)[] = [];
  private readonly prefix: string;

  constructor(t: TestContext, tag: string) {
    this.prefix = `sdl${process.pid}${tag}-`;
    t.after(async () => {
      for (const step of this.undo.reverse()) {
        try {
          await step();
        } catch {
          // keep undoing the rest; a leftover shows up in the next `ip netns list`
        }
      }
    });
  }

  async netns(name: string): Promise<string> {
    const full = this.prefix + name;
    await runInNetns('host', ['ip', 'netns', 'add', full]);
    this.undo.push(() => runInNetns('host', ['ip', 'netns', 'del', full]).then(() => undefined));
    await runInNetns(full, ['ip', 'link', 'set', 'lo', 'up']);
    return full;
  }

  exec(netns: string, argv: readonly string[], timeoutMs?: number): Promise<string> {
    return runInNetns(netns, argv, timeoutMs === undefined ? {} : { timeoutMs });
  }

  runWithInput(netns: string, argv: readonly string[], input: string): Promise<string> {
    return runInNetns(netns, argv, { input });
  }

  /** The body of GET / from `hostPort` ("ip" or "ip:port"), fetched with busybox nc (its wget crashes in a netns here). */
  async httpGet(netns: string, hostPort: string): Promise<string> {
    const [host, port = '80'] = hostPort.split(':');
    const response = await this.runWithInput(netns, ['busybox', 'nc', '-w', '5', host!, port], 'GET / HTTP/1.0\r\n\r\n');
    const body = response.split('\r\n\r\n')[1];
    if (body === undefined) throw new Error(`no HTTP response from ${hostPort}: ${JSON.stringify(response)}`);
    return body.trim();
  }

  /** A directory with index.html = `name`, served by busybox httpd on port 80 inside `netns`. */
  async httpd(netns: string, name: string, docroot: string): Promise<void> {
    await mkdir(join(docroot, name), { recursive: true });
    await writeFile(join(docroot, name, 'index.html'), name);
    this.spawn(netns, ['busybox', 'httpd', '-f', '-p', '80', '-h', join(docroot, name)]);
  }

  /** A bridge inside `netns`, optionally with an address (e.g. "172.18.0.1/16"). */
  async bridge(netns: string, name: string, cidr?: string): Promise<void> {
    await this.exec(netns, ['ip', 'link', 'add', name, 'type', 'bridge']);
    if (cidr) await this.exec(netns, ['ip', 'addr', 'add', cidr, 'dev', name]);
    await this.exec(netns, ['ip', 'link', 'set', name, 'up']);
  }

  /** A veth from `netns` (named `ifname`, address `cidr`) whose peer is a port of `bridge` in `bridgeNetns`. */
  async plug(netns: string, ifname: string, cidr: string, bridgeNetns: string, bridge: string): Promise<void> {
    const peer = `p${Math.random().toString(36).slice(2, 10)}`;
    await runInNetns('host', ['ip', 'link', 'add', ifname, 'netns', netns, 'type', 'veth', 'peer', 'name', peer, 'netns', bridgeNetns]);
    await this.exec(bridgeNetns, ['ip', 'link', 'set', peer, 'master', bridge, 'up']);
    await this.exec(netns, ['ip', 'addr', 'add', cidr, 'dev', ifname]);
    await this.exec(netns, ['ip', 'link', 'set', ifname, 'up']);
  }

  /** A veth pair between two namespaces with an address on each end. */
  async link(a: string, ifA: string, cidrA: string, b: string, ifB: string, cidrB: string): Promise<void> {
    await runInNetns('host', ['ip', 'link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
    for (const [ns, ifname, cidr] of [[a, ifA, cidrA], [b, ifB, cidrB]] as const) {
      await this.exec(ns, ['ip', 'addr', 'add', cidr, 'dev', ifname]);
      await this.exec(ns, ['ip', 'link', 'set', ifname, 'up']);
    }
  }

  /** Starts a long-running process inside `netns`; it is killed at cleanup. */
  spawn(netns: string, argv: readonly string[]): LabProcess {
    const full = inNetnsArgv(netns, argv);
    const proc = new LabProcess(spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.undo.push(() => proc.stop());
    return proc;
  }

  /** Starts a node script (a compiled fixture) inside `netns`; it is killed at cleanup. */
  spawnNode(netns: string, script: URL, args: readonly string[]): LabProcess {
    return this.spawn(netns, [process.execPath, script.pathname, ...args]);
  }
}

/** A process started in a lab namespace, with its output kept for assertions and readiness checks. */
export class LabProcess {
  output = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => (this.output += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => (this.output += b.toString('utf8')));
  }

  /** Waits (bounded) until a line of output satisfies `match`, and returns it. */
  waitForLine(match: (line: string) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    return waitFor('process output', async () => {
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.output.slice(-300)}`);
      return this.output.split('\n').find(match);
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}
