/**
 * The cost bench's Node floor: a Node dgram socket that sends every datagram straight back to
 * where it came from, and nothing else (no TURN, no SRTP, no WebRTC). What it costs to echo a
 * test's probe datagrams is the least any Node server pays for them.
 *   node dist/bench/load/bare-echo.js <port>   (127.0.0.1 only)
 */
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  process.stderr.write('usage: bare-echo <port>\n');
  process.exit(64);
}
const socket = dgram.createSocket('udp4');
socket.on('message', (msg: Buffer, from: dgram.RemoteInfo) => socket.send(msg, from.port, from.address));
socket.bind(port, '127.0.0.1', () => process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: socket.address().port })}\n`));
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
