export * from './types.js';
export { RuncRuntime, type RuncRuntimeOptions } from './runc-runtime.js';
export { resolveContainer, validContainerName } from './names.js';
export { buildOciConfig, defaultCapabilities, maskedPaths, readonlyPaths, type OciConfigInput } from './oci-config.js';
export { resolveProcess, mergeEnv } from './process-spec.js';
export { resolveUser, type OciUser, type UserFiles } from './users.js';
