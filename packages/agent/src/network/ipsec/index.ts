// IPsec ESP for encrypted overlays, as Docker's overlay driver does it (libnetwork encryption.go): the
// managers' key ring (keys.ts), the XFRM tables it implies and the commands to program them (xfrm.ts),
// the reconciler that keeps the node's kernel in step (reconciler.ts), and the nftables rule that drops
// encrypted networks' VXLAN arriving without ESP (inbound-guard.ts).
export { ipsecKeys, buildSpi, type EncryptionKeyLike, type IpsecKeys, type SaKey } from './keys.js';
export { IpsecReconciler, type IpsecReconcilerOptions, type XfrmExec } from './reconciler.js';
export { REQID, wantedXfrm, xfrmCommands, type XfrmTable, type SaSpec, type PolicySpec } from './xfrm.js';
export { InboundGuard, INBOUND_TABLE, inboundGuardScript, type NftApply } from './inbound-guard.js';
