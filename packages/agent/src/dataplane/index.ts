// The node's data plane glue: Dataplane turns assignments (tasks with network attachments, and the
// network directory the managers send with them) into sandboxes and peers on the OverlayDriver.
export { Dataplane, type DataplaneOptions, type LiveContainer, type TaskSandbox, type LocalNetworkView } from './dataplane.js';
export type { NetworkInfo, EndpointInfo, ServiceInfo, ServicePort, NetworkChange } from './types.js';
