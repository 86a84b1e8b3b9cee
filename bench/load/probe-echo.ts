/**
 * The cost bench's probe-echo floor in Node: the work the server must do for each probe, in one
 * `dgram` handler and nothing else. Per datagram: the ChannelData header (RFC 8656 §12.4), the
 * SRTP packet checked and decrypted (RFC 3711 §3.3, the reflector's own `SrtpDirection`), the
 * probe read and its echo written with the reflector's own core (`RtpReflectorCore`: the recent
 * records, the receipts), a 12-byte RTP header, the echo encrypted and tagged, the ChannelData
 * header, one send. No TURN permissions, witness, WebRTC stack, event-loop sampler or data
 * channel: what no Node server can do with less JavaScript. Never part of the product.
 *   node dist/bench/load/probe-echo.js <port> <keys>   (127.0.0.1 only; keys: ./probe-stream.ts)
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { RtpReflectorCore } from '../../server/reflector/rtp/core.js';
import { RTP_HEADER_BYTES, SrtpDirection, SrtpError, writeRtpHeader } from '../../server/reflector/rtp/srtp.js';
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength, channelDataNumber, encodeChannelData } from '../../server/turn/codec/channel-data.js';
import { ECHO_PAYLOAD_TYPE, ECHO_SSRC, parseProbeKeys } from './probe-stream.js';

const port = Number(process.argv[2]);
const keys = parseProbeKeys(process.argv[3] ?? '');
if (!Number.isInteger(port) || keys === null) {
  process.stderr.write('usage: probe-echo <port> <keys>\n');
  process.exit(64);
}
const up = new SrtpDirection(keys.up.key, keys.up.salt);
const down = new SrtpDirection(keys.down.key, keys.down.salt);
const core = new RtpReflectorCore({ recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes });
const header = Buffer.alloc(RTP_HEADER_BYTES);
let seq = 0;
let timestamp = 0;
const now = (): number => performance.now();
/** Probes dropped for a bad SRTP tag or a short packet, as the reflector drops them (said on exit). */
let dropped = 0;
/** The SRTP packet's payload, decrypted; null when it is dropped. */
function unprotect(msg: Buffer): Buffer | null {
  try {
    return up.unprotectRtp(msg.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + channelDataLength(msg)));
  } catch (err) {
    if (!(err instanceof SrtpError)) throw err;
    dropped++;
    return null;
  }
}
const socket = dgram.createSocket('udp4');
socket.on('message', (msg: Buffer, from: dgram.RemoteInfo) => {
  const recvMs = now();
  const channel = channelDataNumber(msg);
  const rtp = unprotect(msg);
  if (rtp === null) return;
  const out = core.onFrame(rtp.subarray(RTP_HEADER_BYTES), recvMs, now);
  if (out.kind !== 'echo') return;
  writeRtpHeader(header, false, ECHO_PAYLOAD_TYPE, seq, timestamp, ECHO_SSRC);
  seq = (seq + 1) & 0xffff;
  timestamp = (timestamp + 480) >>> 0;
  socket.send(encodeChannelData(channel, down.protectRtpParts(header, out.payload), 'datagram'), from.port, from.address);
});
// The receipts go where the reflector's go, as often (taken here, not sent: the floor has no signalling socket).
setInterval(() => core.takeReceipts(), CONSTANTS.signalling.receiptIntervalMs).unref();
socket.bind(port, '127.0.0.1', () => process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: socket.address().port })}\n`));
const exit = (): void => {
  if (dropped > 0) process.stderr.write(`probe-echo: ${dropped} probes dropped (bad SRTP tag or short)\n`);
  process.exit(0);
};
process.once('SIGTERM', exit);
process.once('SIGINT', exit);
