/** Seeded mutators for STUN/TURN fuzzing: bit flips, truncation, length lies, attribute shuffles. */

export type Rng = () => number;

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Attribute TLVs of a STUN message body (best effort on junk). */
function splitAttributes(msg: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 20;
  while (off + 4 <= msg.length) {
    const len = msg.readUInt16BE(off + 2);
    const end = Math.min(msg.length, off + 4 + ((len + 3) & ~3));
    out.push(msg.subarray(off, end));
    off = end;
  }
  return out;
}

const MUTATORS: readonly ((m: Buffer, rng: Rng) => Buffer)[] = [
  // Flip 1-8 random bits.
  (m, rng) => {
    const b = Buffer.from(m);
    const n = 1 + int(rng, 8);
    for (let i = 0; i < n && b.length > 0; i++) {
      const at = int(rng, b.length);
      b[at] = (b[at] ?? 0) ^ (1 << int(rng, 8));
    }
    return b;
  },
  // Truncate.
  (m, rng) => m.subarray(0, int(rng, m.length)),
  // Lie in the header length.
  (m, rng) => {
    const b = Buffer.from(m);
    if (b.length >= 4) b.writeUInt16BE(int(rng, 4) === 0 ? 0xffff : int(rng, b.length + 64) & ~3, 2);
    return b;
  },
  // Lie in one attribute length.
  (m, rng) => {
    const b = Buffer.from(m);
    const attrs = splitAttributes(b);
    if (attrs.length === 0) return b;
    const a = attrs[int(rng, attrs.length)];
    if (a && a.length >= 4) a.writeUInt16BE(int(rng, 3) === 0 ? 0xffff : int(rng, 80), 2);
    return b;
  },
  // Shuffle the attributes (keeps the header).
  (m, rng) => {
    const attrs = splitAttributes(m);
    for (let i = attrs.length - 1; i > 0; i--) {
      const j = int(rng, i + 1);
      const t = attrs[i];
      attrs[i] = attrs[j] ?? Buffer.alloc(0);
      attrs[j] = t ?? Buffer.alloc(0);
    }
    return Buffer.concat([m.subarray(0, Math.min(20, m.length)), ...attrs]);
  },
  // Duplicate or drop one attribute.
  (m, rng) => {
    const attrs = splitAttributes(m);
    if (attrs.length === 0) return m;
    const i = int(rng, attrs.length);
    const a = attrs[i] ?? Buffer.alloc(0);
    if (rng() < 0.5) attrs.splice(i, 0, a);
    else attrs.splice(i, 1);
    const out = Buffer.concat([m.subarray(0, Math.min(20, m.length)), ...attrs]);
    if (out.length >= 4) out.writeUInt16BE(Math.max(0, out.length - 20) & 0xffff, 2);
    return out;
  },
  // Random junk of random length, sometimes with a STUN or ChannelData-looking start.
  (_m, rng) => {
    const b = Buffer.alloc(int(rng, 200));
    for (let i = 0; i < b.length; i++) b[i] = int(rng, 256);
    if (b.length >= 8 && rng() < 0.5) b.writeUInt32BE(0x2112a442, 4);
    if (b.length >= 1 && rng() < 0.3) b[0] = 0x40 + int(rng, 0x40);
    return b;
  },
  // Splice two halves of the message.
  (m, rng) => {
    const cut = int(rng, m.length + 1);
    return Buffer.concat([m.subarray(cut), m.subarray(0, cut)]);
  },
];

export function mutate(seed: Buffer, rng: Rng): Buffer {
  const rounds = 1 + int(rng, 3);
  let m = seed;
  for (let i = 0; i < rounds; i++) m = (MUTATORS[int(rng, MUTATORS.length)] ?? ((x: Buffer) => x))(m, rng);
  return m;
}
