// HostConfig.RestartPolicy of a container create, checked as dockerd's ValidateRestartPolicy does.
import type { RestartPolicy } from '@shoal/agent';
import { InvalidArgumentError } from '../api/errors.js';

interface RestartPolicyBody {
  readonly Name?: string;
  readonly MaximumRetryCount?: number;
}

/** The policy the runtime acts on; undefined for "no" (and "", which clients before Docker 25 sent). */
export function restartPolicyFromBody(body: RestartPolicyBody | null | undefined, autoRemove: boolean): RestartPolicy | undefined {
  const name = body?.Name ?? '';
  const count = body?.MaximumRetryCount ?? 0;
  switch (name) {
    case 'always':
    case 'unless-stopped':
    case 'no':
      if (count !== 0) {
        throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'${count < 0 ? ' and cannot be negative' : ''}`);
      }
      break;
    case 'on-failure':
      if (count < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
      break;
    case '':
      break;
    default:
      throw new InvalidArgumentError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (name === '' || name === 'no') return undefined;
  if (autoRemove) throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  return name === 'on-failure' ? { name, maximumRetryCount: count } : { name };
}
