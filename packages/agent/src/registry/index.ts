export { decodeRegistryAuth, hasCredentials, type RegistryAuth } from './auth.js';
export { login } from './client.js';
export { invalidInsecureRegistry, type RegistryOptions } from './endpoints.js';
export { type ProgressMessage, type ProgressSink } from './progress.js';
export { completePull, inspectDistribution, resolvePull, type DistributionInspect, type PullRequest, type ResolvedPull } from './pull.js';
export { completePush, resolvePush, type ResolvedPush } from './push.js';
export { TaskImagePuller, type TaskImages } from './task-images.js';
