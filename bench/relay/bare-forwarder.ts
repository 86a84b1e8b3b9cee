/**
 * The "bare forwarder" contestant: a Node dgram UDP proxy with no TURN logic, put in front of
 * a coturn instance. Per relayed packet it does what the relay does at the socket level (one
 * receive, one send, one map lookup), so its CPU per packet is the ceiling for a Node relay.
 *   node dist/bench/relay/bare-forwarder.js <listenPort> <targetPort>   (127.0.0.1 only)
 */
import dgram from 'node:dgram';

const listenPort = Number(process.argv[2]);
const targetPort = Number(process.argv[3]);
if (!Number.isInteger(listenPort) || !Number.isInteger(targetPort)) {
  process.stderr.write('usage: bare-forwarder <listenPort> <targetPort>\n');
  process.exit(64);
}

const front = dgram.createSocket('udp4');
const upstreams = new Map<string, dgram.Socket>();
front.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
  const key = rinfo.address + '|' + rinfo.port;
  let up = upstreams.get(key);
  if (up === undefined) {
    const u = dgram.createSocket('udp4');
    const port = rinfo.port;
    const address = rinfo.address;
    u.on('message', (back: Buffer) => front.send(back, port, address));
    upstreams.set(key, u);
    up = u;
  }
  up.send(msg, targetPort, '127.0.0.1');
});
front.bind(listenPort, '127.0.0.1', () => process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: front.address().port })}\n`));
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
