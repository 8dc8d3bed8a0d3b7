// Inbound half of "never in clear": VXLAN of an encrypted network that reaches this node without having
// come through ESP is dropped. The XFRM policies only cover what leaves; the kernel hands received VXLAN
// to its socket before any inbound XFRM policy check, so, as Docker does with an iptables INPUT rule
// (libnetwork's u32 VNI match with `-m policy --dir in --pol none`), an nftables rule per encrypted VNI
// drops datagrams on the data-path port whose VXLAN header carries that VNI and that have no IPsec
// security path. The whole table is replaced in one nft transaction, so there is no gap while it changes.
import { command } from '../command.js';

export const INBOUND_TABLE = 'shoal_ipsec';

/** The nft script that makes the table exactly this set of rules (or removes it when there is none). */
export function inboundGuardScript(dataPathPort: number, vnis: Iterable<number>): string {
  const sorted = [...new Set(vnis)].sort((a, b) => a - b);
  const reset = `add table inet ${INBOUND_TABLE}\ndelete table inet ${INBOUND_TABLE}\n`;
  if (sorted.length === 0) return reset;
  // The VNI is bits 32-55 of the VXLAN header, which follows the 8-byte UDP header: @th,96,24.
  const rules = sorted.map((vni) => `    udp dport ${dataPathPort} @th,96,24 ${vni} meta ipsec missing drop\n`).join('');
  return `${reset}table inet ${INBOUND_TABLE} {\n  chain input {\n    type filter hook input priority filter; policy accept;\n${rules}  }\n}\n`;
}

export type NftApply = (script: string) => Promise<unknown>;

export class InboundGuard {
  readonly #port: number;
  readonly #apply: NftApply;
  #current = '';

  constructor(dataPathPort: number, apply: NftApply = (script) => command(['nft', '-f', '-'], { input: script })) {
    this.#port = dataPathPort;
    this.#apply = apply;
  }

  /** Makes the dropped VNIs exactly these; a no-op when they already are. */
  async set(vnis: Iterable<number>): Promise<void> {
    const script = inboundGuardScript(this.#port, vnis);
    if (script === this.#current) return;
    await this.#apply(script);
    this.#current = script;
  }
}
