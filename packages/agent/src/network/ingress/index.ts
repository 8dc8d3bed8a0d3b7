export { PortPublisher, PublishError, kernelHasSctp, PORTS_TABLE, type PortMapping, type PublishProtocol, type PortPublisherOptions } from './port-publisher.js';
export { IngressMesh, SBOX_TABLE, type IngressMeshOptions, type IngressPublication } from './mesh.js';
