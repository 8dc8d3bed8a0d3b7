// The cluster's wire format: messages and @grpc/grpc-js service definitions generated from
// ../proto/shoal/v1/*.proto by scripts/gen-proto.sh. Edit the .proto files, never the generated code.
export * from './gen/shoal/v1/raft.js';
export * from './gen/shoal/v1/ca.js';
export * from './gen/shoal/v1/control.js';
export * from './gen/shoal/v1/dispatcher.js';
export * from './gen/shoal/v1/logbroker.js';
