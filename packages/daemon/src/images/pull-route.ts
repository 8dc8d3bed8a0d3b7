// `POST /images/create?fromImage=…&tag=…` (docker pull): resolves the manifest before answering, so a
// missing tag or a refused login is an HTTP error as with dockerd, then streams dockerd's progress
// messages ("\r\n"-separated JSON) while layers download; a failure after that point can only be an
// error message in the stream.
import { completePull, decodeRegistryAuth, resolvePull, type ImageStore, type ProgressMessage, type ProgressSink, type RegistryAuth, type RegistryOptions } from '@shoal/agent';
import { InvalidArgumentError } from '../api/errors.js';
import { stream, type StreamResult, type StreamSink } from '../api/respond.js';
import type { RequestContext } from '../api/routes.js';

export async function pull(ctx: RequestContext<string>, images: ImageStore, registry: RegistryOptions): Promise<StreamResult> {
  const fromImage = ctx.query.string('fromImage') ?? '';
  const tag = ctx.query.string('tag') ?? '';
  if (tag === '' && !/:[\w][\w.-]*$|@/.test(fromImage.slice(fromImage.lastIndexOf('/') + 1))) {
    // The CLI sends no tag only for `docker pull --all-tags`.
    throw new InvalidArgumentError('shoal does not support pulling all tags of a repository (--all-tags) yet');
  }
  const reference = tag === '' ? fromImage : tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
  const platform = ctx.query.string('platform') || undefined;
  const auth = registryAuthOf(ctx);
  const resolved = await resolvePull({ reference, auth, ...(platform !== undefined ? { platform } : {}) }, registry);
  return progressStream((send) => completePull(images, resolved, send).then(() => undefined));
}

/** dockerd's progress stream for `work`; a failure once it runs is the stream's last message. */
export function progressStream(work: (send: ProgressSink) => Promise<void>): StreamResult {
  return stream(async (sink) => {
    const send = progressWriter(sink);
    try {
      await work(send);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      send({ errorDetail: { message }, error: message });
    }
    await send.flushed();
  });
}

/** The caller's registry credentials (X-Registry-Auth), none when absent. */
export function registryAuthOf(ctx: RequestContext<string>): RegistryAuth {
  const header = ctx.headers['x-registry-auth'];
  return decodeRegistryAuth(Array.isArray(header) ? header[0] : header);
}

/** Writes messages in order without making the puller wait on the client; `flushed` waits for the last. */
function progressWriter(sink: StreamSink): ((m: ProgressMessage | Record<string, unknown>) => void) & { flushed(): Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  const send = (m: ProgressMessage | Record<string, unknown>) => {
    last = last.then(() => sink.write(`${JSON.stringify(m)}\r\n`)).catch(() => undefined);
  };
  return Object.assign(send, { flushed: () => last });
}
