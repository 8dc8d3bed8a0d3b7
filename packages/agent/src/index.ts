export { AgentSession, type ManagerAddress, type SessionOptions } from './session/session.js';
export * from './runtime/index.js';
export * from './images/index.js';
export * from './worker/index.js';
export * from './network/index.js';
export * from './dataplane/index.js';
export * from './registry/index.js';
