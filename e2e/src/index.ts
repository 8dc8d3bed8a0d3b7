// The e2e suite's toolkit: a cluster per test, bounded waits, and the cluster API itself.
export { uniqueClusterName, withCluster, type WithClusterOptions } from './fixture.js';
export { dockerOk, drainManager } from './docker.js';
export * from '@shoal/cli/cluster';
export { servicePs, type TaskRow } from './service-tasks.js';
