/**
 * The RTP leg's transform worker (W3C WebRTC Encoded Transform, `onrtctransform`).
 * Sender side: while armed, every Opus frame becomes a probe frame (encodeRtpProbe: probeSeq
 * from 0, the send time on the page main thread's clock, the original Opus frame inside).
 * Receiver side: every echo frame (decodeRtpEcho) gives the decoder back its Opus frame and
 * becomes a record (with the frame's receiveTime, when plausible, beside the worker's own clock:
 * the receive lag); other frames pass through unchanged and are counted. Batches go to the
 * main thread every `batchMs`, never per frame (src/session/rtp/messages.ts).
 */
import { decodeRtpEcho, encodeRtpProbe } from '../../protocol/rtp-probe.js';
import { echoTimes } from './echo-times.js';
import type { MainToRtpWorker, RtpEchoRecord, RtpTransformOptions, RtpWorkerCounts, RtpWorkerToMain } from './messages.js';

/** The parts of the worker scope and of RTCRtpScriptTransformer this worker uses (not in the DOM lib). */
interface EncodedFrame {
  data: ArrayBuffer;
  getMetadata(): { receiveTime?: number };
}
interface Transformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: RtpTransformOptions;
}
interface WorkerScope {
  onrtctransform: ((ev: { transformer: Transformer }) => void) | null;
  onmessage: ((ev: MessageEvent<MainToRtpWorker>) => void) | null;
  postMessage(msg: RtpWorkerToMain): void;
}
const scope = self as unknown as WorkerScope;

let armed = false;
let disarmed = false;
let nextSeq = 0;
let sent: Array<[number, number]> = [];
let echoes: RtpEchoRecord[] = [];
const counts: RtpWorkerCounts = { stamped: 0, unstampable: 0, passedThrough: 0, arrivalFromNow: 0 };
let timer: ReturnType<typeof setInterval> | null = null;

function flush(): void {
  // Sent first: an echo is never posted before the probe it answers.
  if (sent.length > 0) scope.postMessage({ type: 'sent', probes: sent });
  if (echoes.length > 0) scope.postMessage({ type: 'echoes', echoes });
  sent = [];
  echoes = [];
}

function startBatches(batchMs: number): void {
  timer ??= setInterval(flush, batchMs);
}

scope.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'arm') {
    if (!disarmed) armed = true;
  } else if (msg.type === 'disarm') {
    armed = false;
    disarmed = true;
  } else {
    flush();
    scope.postMessage({ type: 'flushed', id: msg.id, counts: { ...counts } });
  }
};

scope.onrtctransform = (ev) => {
  const { readable, writable, options } = ev.transformer;
  // Worker time on the main thread's clock: both count from their own time origin.
  const toMain = options.mainTimeOriginMs - performance.timeOrigin;
  startBatches(options.batchMs);
  const transform =
    options.side === 'send'
      ? (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): void => {
          if (armed) {
            const sendMs = performance.now() - toMain;
            try {
              const probe = encodeRtpProbe({ probeSeq: nextSeq, sendMs, opus: new Uint8Array(frame.data) }, options.frameBytes);
              frame.data = probe.buffer as ArrayBuffer;
              sent.push([nextSeq, sendMs]);
              nextSeq++;
              counts.stamped++;
            } catch {
              // Too large to stamp (ProbeDecodeError 'bad-size'): sent as it came, and counted.
              counts.unstampable++;
            }
          }
          out.enqueue(frame);
        }
      : (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): void => {
          const nowMs = performance.now();
          let echo;
          try {
            echo = decodeRtpEcho(new Uint8Array(frame.data));
          } catch {
            counts.passedThrough++;
            out.enqueue(frame);
            return;
          }
          const times = echoTimes(frame.getMetadata().receiveTime, nowMs, options.useReceiveTime);
          if (times.fromNow) counts.arrivalFromNow++;
          echoes.push({
            upSeq: echo.upSeq,
            downSeq: echo.downSeq,
            clientSendMs: echo.clientSendMs,
            reflectorRecvMs: echo.reflectorRecvMs,
            reflectorSendMs: echo.reflectorSendMs,
            upReceived: echo.upReceived,
            recent: echo.recent,
            arrivalMs: times.arrivalMs - toMain,
            receiveTimeMs: times.receiveTimeMs === null ? null : times.receiveTimeMs - toMain,
            seenMs: nowMs - toMain,
          });
          frame.data = echo.opus.slice().buffer;
          out.enqueue(frame);
        };
  readable
    .pipeThrough(new TransformStream<EncodedFrame, EncodedFrame>({ transform }))
    .pipeTo(writable)
    .catch((err: unknown) => scope.postMessage({ type: 'error', message: `${options.side} transform: ${String(err)}` }));
};
