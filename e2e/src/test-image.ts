// The busybox test image lives with the cluster harness, which also imports it on `shoal cluster up`.
export { BUSYBOX_BINARY, writeBusyboxRootfsTar, writeBusyboxSaveTar } from '@shoal/cli/cluster';
