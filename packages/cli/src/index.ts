// Public surface of @shoal/cli for other packages and tests (e2e drives the binary instead).
export { runCli, buildCli, type CommandGroup } from './app.js';
export { EngineClient, MAX_API_VERSION, negotiateVersion, encodeQuery } from './api/client.js';
export { CliFailure, DaemonError, DaemonUnreachableError, UsageError, MultiError } from './api/errors.js';
export { resolveHost, DEFAULT_HOST, type DaemonHost } from './api/host.js';
export { StdcopyDecoder } from './commands/logs-stream.js';
export { formatDurationNs, parseDurationNs, humanDuration } from './format/duration.js';
