import {
  DEFAULT_PAYLOAD_BYTES,
  decodeProbe,
  encodeEcho,
  encodeReceipts,
  type ControlMessage,
  type ReceiptRecord,
  type RelayWitness,
  type ServerLoopReading,
} from '../../src/protocol/wire.js';

/**
 * Sans-IO reflector: takes probe datagrams with their arrival time and returns the echo to
 * send and the receipts to report. No sockets, no clock of its own.
 *
 * Every probe datagram is echoed at once with the reflector's own downstream sequence
 * number, so that downstream loss is measured independently of upstream loss. Every
 * arrival (duplicates included) becomes a receipt record, reported in batches in the
 * session's control messages (on the page's signalling socket).
 */
export class ReflectorCore {
  private downSeq = 0;
  private upReceived = 0;
  private upDuplicates = 0;
  private readonly seen = new Set<number>();
  private pending: ReceiptRecord[] = [];
  private readonly echoBuf: Uint8Array;

  constructor(private readonly payloadBytes = DEFAULT_PAYLOAD_BYTES) {
    this.echoBuf = new Uint8Array(payloadBytes);
  }

  /** Probe datagrams received (duplicates included). */
  get received(): number {
    return this.upReceived;
  }

  /**
   * One probe datagram arrived at `recvMs`. Returns the echo bytes to send (valid until the
   * next call) or throws `ProbeDecodeError` for a datagram that is not a probe.
   * `sendNowMs` is read just before the echo is encoded, so the hold time is honest;
   * `bufferedBytes` is the probe channel's queue at that moment (reported, so that the
   * reflector's own SCTP queueing is never blamed on the network).
   */
  onProbe(bytes: Uint8Array, recvMs: number, sendNowMs: () => number, bufferedBytes = 0): Uint8Array {
    const probe = decodeProbe(bytes);
    this.upReceived++;
    if (this.seen.has(probe.seq)) this.upDuplicates++;
    else this.seen.add(probe.seq);
    const downSeq = this.downSeq++;
    const reflectorSendMs = sendNowMs();
    this.pending.push({ upSeq: probe.seq, reflectorRecvMs: recvMs, downSeq, reflectorSendMs, reflectorBufferedBytes: bufferedBytes });
    return encodeEcho(
      {
        upSeq: probe.seq,
        clientSendMs: probe.sendMs,
        downSeq,
        reflectorRecvMs: recvMs,
        reflectorSendMs,
        upReceived: this.upReceived,
      },
      this.echoBuf,
    );
  }

  /** The echo for the last probe could not be sent: its receipt says so. */
  echoFailed(): void {
    const last = this.pending[this.pending.length - 1];
    if (last) last.downSeq = -1;
  }

  /** Receipts gathered since the last flush, encoded, or null when there are none. */
  flush(): Uint8Array | null {
    const records = this.takeReceipts();
    return records.length === 0 ? null : encodeReceipts(records);
  }

  /** Receipt records gathered since the last flush or take, handed over (the caller encodes them). */
  takeReceipts(): ReceiptRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /**
   * Totals sent after the last flush, so the client knows it has every receipt; with what the
   * relay saw of the session's RTP when it saw any (`relayWitness`), the server's event-loop
   * lateness over the session when it measures it (`serverLoop`), and the DSCP the relay marked
   * the RTP leg's datagrams to the page with when it marked them (`echoDscp`).
   */
  final(relayWitness: RelayWitness | null = null, serverLoop: ServerLoopReading | null = null, echoDscp: number | null = null): ControlMessage {
    const tally = { type: 'final', upReceived: this.upReceived, upDuplicates: this.upDuplicates, downSent: this.downSeq } as const;
    return {
      ...tally,
      ...(relayWitness === null ? {} : { relayWitness }),
      ...(serverLoop === null ? {} : { serverLoop }),
      ...(echoDscp === null ? {} : { echoDscp }),
    };
  }
}

/**
 * The relay's witness of the RTP towards the endpoint that carried the most of it, among the
 * RTP leg's endpoints (`witnessAt` asks the relay about one); null when it saw none.
 */
export function strongestWitness(
  endpoints: readonly { ip: string; port: number }[],
  witnessAt: (ip: string, port: number) => RelayWitness | null,
): RelayWitness | null {
  let best: RelayWitness | null = null;
  for (const e of endpoints) {
    const w = witnessAt(e.ip, e.port);
    if (w !== null && (best === null || w.upstream.packets > best.upstream.packets)) best = w;
  }
  return best;
}
