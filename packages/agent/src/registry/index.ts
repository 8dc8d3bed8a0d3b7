export { decodeRegistryAuth, hasCredentials, type RegistryAuth } from './auth.js';
export { login, RegistryError } from './client.js';
export { invalidInsecureRegistry, isInsecureRegistry, type RegistryOptions } from './endpoints.js';
export { choosePlatform, parseManifest as parseRegistryManifest, parsePlatform } from './manifest.js';
export { humanSize, progressBar, type ProgressMessage, type ProgressSink } from './progress.js';
export { completePull, nodePlatform, resolvePull, type PullRequest, type ResolvedPull } from './pull.js';
export { familiarString, parseRemoteReference, type RemoteReference } from './reference.js';
export { inspectDistribution, type DistributionInspect } from './pull.js';
export { TaskImagePuller, type TaskImages } from './task-images.js';
