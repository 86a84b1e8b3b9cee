/**
 * Typed readers and writers for the attributes the relay uses.
 * Readers return a value or throw StunDecodeError('bad-attribute'); absent attributes give undefined.
 */
import { Attr, FAMILY_IPV4, FAMILY_IPV6, KNOWN_REQUIRED_ATTRS, MAGIC_COOKIE } from './constants.js';
import { StunDecodeError } from './errors.js';
import { attrValue, findAttr, type StunAttribute, type StunMessage, type StunWriter } from './message.js';
import type { IpAddress } from '../../../src/protocol/ip.js';

/** RFC 8489 §14.2: a transport address carried in a (XOR-)address attribute. */
export interface TransportAddress {
  readonly ip: IpAddress;
  readonly port: number;
}

function bad(detail: string): StunDecodeError {
  return new StunDecodeError('bad-attribute', detail);
}

/** RFC 8489 §14.2: XOR-MAPPED-ADDRESS / RFC 8656 §14.3, §14.5: XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS. */
export function decodeXorAddress(msg: StunMessage, attr: StunAttribute): TransportAddress {
  const v = attrValue(msg, attr);
  if (v.length < 4) throw bad('address too short');
  const family = v[1];
  const port = v.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  if (family === FAMILY_IPV4) {
    if (v.length !== 8) throw bad('IPv4 address length');
    const bytes = new Uint8Array(4);
    const x = (v.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
    bytes[0] = x >>> 24;
    bytes[1] = (x >>> 16) & 0xff;
    bytes[2] = (x >>> 8) & 0xff;
    bytes[3] = x & 0xff;
    return { ip: { family: 4, bytes }, port };
  }
  if (family === FAMILY_IPV6) {
    if (v.length !== 20) throw bad('IPv6 address length');
    const bytes = new Uint8Array(16);
    // XOR with magic cookie || transaction ID (header bytes 4..20).
    for (let i = 0; i < 16; i++) bytes[i] = (v[4 + i] ?? 0) ^ (msg.raw[4 + i] ?? 0);
    return { ip: { family: 6, bytes }, port };
  }
  throw bad(`address family ${family}`);
}

/** Encodes an XOR address value for a message with this transaction ID. */
function encodeXorAddress(addr: TransportAddress, transactionId: Uint8Array): Buffer {
  const v6 = addr.ip.family === 6;
  const out = Buffer.allocUnsafe(v6 ? 20 : 8);
  out[0] = 0;
  out[1] = v6 ? FAMILY_IPV6 : FAMILY_IPV4;
  out.writeUInt16BE((addr.port ^ (MAGIC_COOKIE >>> 16)) & 0xffff, 2);
  const cookie = Buffer.allocUnsafe(4);
  cookie.writeUInt32BE(MAGIC_COOKIE, 0);
  const n = v6 ? 16 : 4;
  for (let i = 0; i < n; i++) {
    const mask = i < 4 ? (cookie[i] ?? 0) : (transactionId[i - 4] ?? 0);
    out[4 + i] = (addr.ip.bytes[i] ?? 0) ^ mask;
  }
  return out;
}

export function addXorAddress(w: StunWriter, type: number, addr: TransportAddress): void {
  w.add(type, encodeXorAddress(addr, w.transactionId));
}

/** UTF-8 text attribute (USERNAME §14.3 <= 513 bytes, REALM/NONCE §14.9/§14.10 < 763 bytes, SOFTWARE). */
export function readText(msg: StunMessage, type: number, maxBytes = 763): string | undefined {
  const a = findAttr(msg, type);
  if (!a) return undefined;
  if (a.length > maxBytes) throw bad(`attribute 0x${type.toString(16)} too long`);
  return attrValue(msg, a).toString('utf8');
}

/** RFC 8489 §14.8: ERROR-CODE. */
export interface ErrorCodeValue {
  readonly code: number;
  readonly reason: string;
}

export function readErrorCode(msg: StunMessage): ErrorCodeValue | undefined {
  const a = findAttr(msg, Attr.ErrorCode);
  if (!a) return undefined;
  const v = attrValue(msg, a);
  if (v.length < 4) throw bad('ERROR-CODE too short');
  const cls = (v[2] ?? 0) & 0x07;
  const num = v[3] ?? 0;
  if (cls < 3 || cls > 6 || num > 99) throw bad('ERROR-CODE out of range');
  return { code: cls * 100 + num, reason: v.subarray(4).toString('utf8') };
}

export function addErrorCode(w: StunWriter, code: number, reason: string): void {
  const text = Buffer.from(reason, 'utf8');
  const v = Buffer.allocUnsafe(4 + text.length);
  v.writeUInt16BE(0, 0);
  v[2] = Math.floor(code / 100) & 0x07;
  v[3] = code % 100;
  text.copy(v, 4);
  w.add(Attr.ErrorCode, v);
}

/** RFC 8489 §14.9: UNKNOWN-ATTRIBUTES. */
export function addUnknownAttributes(w: StunWriter, types: readonly number[]): void {
  const v = Buffer.allocUnsafe(types.length * 2);
  types.forEach((t, i) => v.writeUInt16BE(t, i * 2));
  w.add(Attr.UnknownAttributes, v);
}

/** Comprehension-required attribute types (0x0000-0x7FFF) we do not understand (RFC 8489 §7.3.1). */
export function unknownRequiredAttrs(msg: StunMessage): number[] {
  const out: number[] = [];
  for (const a of msg.attributes) {
    if (a.type < 0x8000 && !KNOWN_REQUIRED_ATTRS.has(a.type) && !out.includes(a.type)) out.push(a.type);
  }
  return out;
}

function readU32(msg: StunMessage, type: number, name: string): number | undefined {
  const a = findAttr(msg, type);
  if (!a) return undefined;
  if (a.length !== 4) throw bad(`${name} length`);
  return msg.raw.readUInt32BE(a.valueOffset);
}

/** RFC 8656 §14.2: LIFETIME in seconds. */
export function readLifetimeS(msg: StunMessage): number | undefined {
  return readU32(msg, Attr.Lifetime, 'LIFETIME');
}

/** RFC 8656 §14.7: REQUESTED-TRANSPORT protocol number (RFFU bytes ignored). */
export function readRequestedTransport(msg: StunMessage): number | undefined {
  const v = readU32(msg, Attr.RequestedTransport, 'REQUESTED-TRANSPORT');
  return v === undefined ? undefined : v >>> 24;
}

/** RFC 8656 §14.1: CHANNEL-NUMBER (upper 16 bits; RFFU ignored). */
export function readChannelNumber(msg: StunMessage): number | undefined {
  const v = readU32(msg, Attr.ChannelNumber, 'CHANNEL-NUMBER');
  return v === undefined ? undefined : v >>> 16;
}

export function addChannelNumber(w: StunWriter, channel: number): void {
  w.addUint32(Attr.ChannelNumber, (channel << 16) >>> 0);
}

/** RFC 8656 §14.6 / §14.8: REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY. */
export function readFamily(msg: StunMessage, type: number): 4 | 6 | 'invalid' | undefined {
  const v = readU32(msg, type, 'ADDRESS-FAMILY');
  if (v === undefined) return undefined;
  const fam = v >>> 24;
  if (fam === FAMILY_IPV4) return 4;
  if (fam === FAMILY_IPV6) return 6;
  return 'invalid';
}

/** RFC 8656 §14.6 REQUESTED-ADDRESS-FAMILY writer (also used by ADDITIONAL-ADDRESS-FAMILY). */
export function addFamily(w: StunWriter, type: number, family: 4 | 6): void {
  w.addUint32(type, ((family === 4 ? FAMILY_IPV4 : FAMILY_IPV6) << 24) >>> 0);
}

/** RFC 8656 §14.9: EVEN-PORT, 1 byte with the R bit. */
export function readEvenPort(msg: StunMessage): { reserveNext: boolean } | undefined {
  const a = findAttr(msg, Attr.EvenPort);
  if (!a) return undefined;
  if (a.length !== 1) throw bad('EVEN-PORT length');
  return { reserveNext: ((msg.raw[a.valueOffset] ?? 0) & 0x80) !== 0 };
}

/** RFC 8656 §14.4: DATA value view. */
export function readData(msg: StunMessage): Buffer | undefined {
  const a = findAttr(msg, Attr.Data);
  return a ? attrValue(msg, a) : undefined;
}

/** RFC 8656 §14.10: ADDRESS-ERROR-CODE (family, error) in an Allocate success. */
export function addAddressErrorCode(w: StunWriter, family: 4 | 6, code: number, reason: string): void {
  const text = Buffer.from(reason, 'utf8');
  const v = Buffer.allocUnsafe(4 + text.length);
  v[0] = family === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  v[1] = 0;
  v[2] = Math.floor(code / 100) & 0x07;
  v[3] = code % 100;
  text.copy(v, 4);
  w.add(Attr.AddressErrorCode, v);
}
