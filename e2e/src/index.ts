// The e2e suite's toolkit: a cluster per test, bounded waits, and the cluster API itself.
export { uniqueClusterName, withCluster, type WithClusterOptions } from './fixture.js';
export { dockerOk, waitFor, WaitTimeoutError, type WaitOptions } from './wait.js';
export * from '@shoal/cli/cluster';
export { formSwarm, nodeLs, waitForNodes, type NodeRow } from './swarm.js';
