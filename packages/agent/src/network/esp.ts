// Whether this kernel can do IPsec ESP with AES-GCM (what Docker's encrypted overlays use), probed by
// adding an SA in a throw-away namespace: /proc/crypto can list gcm(aes) on kernels without ESP.
import { tryCommand } from './command.js';
import { NetworkError } from './errors.js';

export interface EspSupport {
  readonly supported: boolean;
  /** The kernel's answer when it is not. */
  readonly detail: string;
}

let cached: Promise<EspSupport> | undefined;

export function probeEsp(): Promise<EspSupport> {
  cached ??= tryCommand([
    'unshare', '--net', 'ip', 'xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2',
    'proto', 'esp', 'spi', '0x100', 'reqid', '1', 'mode', 'transport',
    'aead', 'rfc4106(gcm(aes))', '0x0102030405060708090a0b0c0d0e0f1011121314', '128',
  ]).then((r) => ({ supported: r.exitCode === 0, detail: r.stderr.trim() }));
  return cached;
}

/** An encrypted network is refused, never carried in clear, where the kernel has no ESP. */
export async function requireEsp(networkId: string): Promise<void> {
  const esp = await probeEsp();
  if (esp.supported) return;
  throw new NetworkError(
    'encryption-unsupported',
    `network ${networkId}: encrypted overlay networks need IPsec ESP, which this kernel lacks (${esp.detail || 'ESP SA refused'})`,
  );
}
