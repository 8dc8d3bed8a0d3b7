// HostConfig.LogConfig of a container create, as dockerd's logger.ValidateLogOpts answers it before
// shoal's own refusal: a driver dockerd does not know is a client's mistake, answered in dockerd's
// words; one it knows but shoal does not run is refused by the request shape (container-shape.ts).
import { InvalidArgumentError } from '../api/errors.js';

/** The drivers a Linux dockerd 28 registers (etwlogs is Windows only; logentries was removed in 25). */
const DOCKERD_DRIVERS = new Set(['none', 'local', 'json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'gcplogs']);
const LOG_MODES = new Set([undefined, '', 'blocking', 'non-blocking']);

/** Throws dockerd's 400 for a driver it would not know (or a log mode it does not have). */
export function checkLogDriver(logConfig: unknown): void {
  if (typeof logConfig !== 'object' || logConfig === null) return;
  const { Type, Config } = logConfig as { Type?: unknown; Config?: unknown };
  if (typeof Type !== 'string' || Type === '' || Type === 'none') return;
  const mode = typeof Config === 'object' && Config !== null ? (Config as Record<string, unknown>)['mode'] : undefined;
  if (!LOG_MODES.has(mode as string | undefined)) throw new InvalidArgumentError(`logger: logging mode not supported: ${String(mode)}`);
  if (!DOCKERD_DRIVERS.has(Type)) throw new InvalidArgumentError(`logger: no log driver named '${Type}' is registered`);
}
