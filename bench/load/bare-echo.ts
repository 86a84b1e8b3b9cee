/**
 * The cost bench's Node floors: a Node socket that sends every datagram straight back to where it
 * came from, and nothing else (no TURN, no SRTP, no WebRTC). What it costs to echo a test's probe
 * datagrams is the least any Node server pays for them: on Node's `dgram`, or on the relay's own
 * native socket (server/turn/transport/native-udp.ts) with `native`.
 *   node dist/bench/load/bare-echo.js <port> [native]   (127.0.0.1 only)
 */
import dgram from 'node:dgram';
import { NativeUdpSocket } from '../../server/turn/transport/native-udp.js';

const port = Number(process.argv[2]);
const native = process.argv[3] === 'native';
if (!Number.isInteger(port) || (process.argv[3] !== undefined && !native)) {
  process.stderr.write('usage: bare-echo <port> [native]\n');
  process.exit(64);
}
if (native) {
  const socket = NativeUdpSocket.bind(4, '127.0.0.1', port, 0);
  socket.start(
    (msg, address, from) => socket.send(msg, address, from),
    (code) => process.stderr.write(`bare-echo: ${code}\n`),
  );
  process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: socket.port })}\n`);
} else {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg: Buffer, from: dgram.RemoteInfo) => socket.send(msg, from.port, from.address));
  socket.bind(port, '127.0.0.1', () => process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: socket.address().port })}\n`));
}
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
