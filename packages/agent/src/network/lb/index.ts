export { programVip, removeVip, programVirtualAddress, LB_TABLE, type VipSpec, type VipPort, type VirtualPortRule } from './vip.js';
export { NetworkSpecError, type L4Protocol } from './addresses.js';
export { HOST_NETNS, NetnsCommandError, runInNetns, nftApply, type Netns } from './netns.js';
