// Run inside a sandbox's network namespace (nsenter, see sandbox-listener.ts): binds the embedded DNS
// address there over UDP and TCP, hands both sockets to the parent over the IPC channel, and exits.
// The sockets stay in the sandbox's namespace for their whole life, whoever holds them.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [address = '', portText = ''] = process.argv.slice(2);
const port = Number(portText);

function fail(err: unknown): never {
  process.send?.({ error: String(err) });
  process.exit(1);
}

const udp = createSocket('udp4');
udp.once('error', fail);
udp.bind(port, address, () => {
  const tcp = createServer();
  tcp.once('error', fail);
  tcp.listen(port, address, () => {
    process.send!('udp', udp, () => {
      process.send!('tcp', tcp, () => {
        // The parent has its own copies now; ours would keep the helper alive.
        udp.close();
        tcp.close();
        process.disconnect();
      });
    });
  });
});
