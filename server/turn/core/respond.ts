/** Builders for STUN responses (RFC 8489 §6.3) with the integrity/fingerprint the request used. */
import {
  Attr,
  ERROR_REASONS,
  MessageClass,
  StunWriter,
  addErrorCode,
  appendFingerprint,
  appendIntegrity,
  appendIntegritySha256,
  findAttr,
  type ErrorCodeNumber,
  type StunMessage,
} from '../codec/index.js';

/** How to protect a response: RFC 8489 §9.2.4 (same key and algorithm as the request). */
export interface ReplySecurity {
  readonly key: Buffer | null;
  readonly integrity: 'sha1' | 'sha256';
}

function finish(w: StunWriter, req: StunMessage, sec: ReplySecurity | null, software: string): Buffer {
  if (software) w.addString(Attr.Software, software);
  if (sec?.key) {
    if (sec.integrity === 'sha256') appendIntegritySha256(w, sec.key);
    else appendIntegrity(w, sec.key);
  }
  // RFC 8489 §7.3: answer with FINGERPRINT when the request carried one.
  if (findAttr(req, Attr.Fingerprint)) appendFingerprint(w);
  return w.build();
}

export function successResponse(req: StunMessage, sec: ReplySecurity | null, software: string, fill: (w: StunWriter) => void): Buffer {
  const w = new StunWriter(req.method, MessageClass.Success, req.transactionId);
  fill(w);
  return finish(w, req, sec, software);
}

export function errorResponse(req: StunMessage, code: ErrorCodeNumber, sec: ReplySecurity | null, software: string, fill?: (w: StunWriter) => void): Buffer {
  const w = new StunWriter(req.method, MessageClass.Error, req.transactionId);
  addErrorCode(w, code, ERROR_REASONS[code]);
  fill?.(w);
  return finish(w, req, sec, software);
}

/**
 * Transaction IDs for Data indications (RFC 8656 §11.3): they need to be unique, not secret
 * (RFC 8489 §6 asks uniform randomness of requests only), so a random 12-byte base carries a
 * 32-bit counter in its last 4 bytes.
 */
export class IndicationIds {
  private counter = 0;
  private readonly base: Buffer;

  constructor(base: Buffer) {
    if (base.length !== 12) throw new RangeError('transaction ID base must be 12 bytes');
    this.base = Buffer.from(base);
  }

  next(): Buffer {
    const t = Buffer.from(this.base);
    this.counter = (this.counter + 1) >>> 0;
    t.writeUInt32BE(this.counter, 8);
    return t;
  }
}
