// Keeps the node's XFRM SAs and policies (in the namespace the VXLAN sockets live in: the node's) equal
// to what the encrypted overlays here need: one set per remote host that runs an endpoint of one of
// them, with the current key ring. The overlay driver calls it inside its serial section; after a
// failed command it re-reads the kernel, so the next attempt starts from what is really there.
import { command } from '../command.js';
import type { IpsecKeys } from './keys.js';
import { EMPTY_XFRM, REQID, keptXfrm, parsePolicies, parseStates, wantedXfrm, xfrmCommands, type XfrmTable } from './xfrm.js';

export type XfrmExec = (argv: readonly string[]) => Promise<string>;

export interface IpsecReconcilerOptions {
  /** This node's data-path address (the VXLAN source). */
  readonly localAddr: string;
  /** The VXLAN UDP port the policies select. */
  readonly dataPathPort: number;
  /** Runs one `ip xfrm …` command and resolves with its output. Default: in this process's namespace. */
  readonly exec?: XfrmExec;
}

export class IpsecReconciler {
  readonly #local: string;
  readonly #port: number;
  readonly #exec: XfrmExec;
  #keys: IpsecKeys | undefined;
  #remotes = new Set<string>();
  #programmed: XfrmTable = EMPTY_XFRM;

  constructor(options: IpsecReconcilerOptions) {
    this.#local = options.localAddr;
    this.#port = options.dataPathPort;
    this.#exec = options.exec ?? ((argv) => command(argv));
  }

  get hasKeys(): boolean {
    return this.#keys !== undefined;
  }

  /** A new key ring: SAs of new keys in, the new primary's out, policies switched, old SAs out. */
  async setKeys(keys: IpsecKeys): Promise<void> {
    this.#keys = keys;
    await this.#reconcile();
  }

  /** The remote hosts (data-path addresses) that must be reached only through ESP. */
  async setRemotes(remotes: Iterable<string>): Promise<void> {
    this.#remotes = new Set([...remotes].filter((r) => r !== this.#local));
    await this.#reconcile();
  }

  /** Start-up: takes what a previous run programmed as the current state (the next setRemotes removes what is not wanted). */
  async readKernel(): Promise<void> {
    this.#programmed = await this.#read();
  }

  /** What is programmed now (for inspection and tests). */
  get programmed(): XfrmTable {
    return this.#programmed;
  }

  async #reconcile(): Promise<void> {
    const wanted = this.#keys === undefined ? keptXfrm(this.#programmed, this.#remotes) : wantedXfrm(this.#local, this.#remotes, this.#keys, this.#port);
    const commands = xfrmCommands(this.#programmed, wanted);
    if (commands.length === 0) return;
    try {
      for (const argv of commands) await this.#exec(argv);
      this.#programmed = wanted;
    } catch (err) {
      this.#programmed = await this.#read().catch(() => this.#programmed);
      throw err;
    }
  }

  /** Only our entries: SAs with our reqid, outbound policies whose template names it. */
  async #read(): Promise<XfrmTable> {
    const states = parseStates(await this.#exec(['ip', 'xfrm', 'state', 'list', 'reqid', String(REQID)]));
    const policies = parsePolicies(await this.#exec(['ip', 'xfrm', 'policy', 'list', 'dir', 'out']));
    return { states, policies };
  }
}
