// A fixture run inside test namespaces (node can be started in any netns; a thread cannot move):
//   serve PORT NAME          answer every datagram with NAME; prints "ready" once bound
//   ask HOST PORT COUNT      COUNT datagrams, each from a new socket (a new conntrack flow); prints
//                            one line per reply, or "timeout" after 3 s (generous: loaded CI machines)
import { createSocket } from 'node:dgram';

const [mode, a, b, c] = process.argv.slice(2);

if (mode === 'serve') {
  const socket = createSocket('udp4');
  socket.on('message', (_msg, rinfo) => socket.send(b ?? '', rinfo.port, rinfo.address));
  socket.bind(Number(a), () => console.log('ready'));
} else if (mode === 'ask') {
  for (let i = 0; i < Number(c); i++) console.log(await askOnce(a!, Number(b)));
} else {
  console.error('usage: serve PORT NAME | ask HOST PORT COUNT');
  process.exit(2);
}

function askOnce(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish('timeout'), 3000);
    socket.on('message', (msg) => finish(msg.toString('utf8')));
    socket.on('error', (e) => finish(`error ${e.message}`));
    socket.send('?', port, host);
    function finish(line: string): void {
      clearTimeout(timer);
      socket.close();
      resolve(line);
    }
  });
}
