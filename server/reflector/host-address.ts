/**
 * Which of the host's addresses holds a given address: `serve` refuses at start a `--host` or
 * `--relay-ip` the host does not have (serve.ts checkHostAddresses). An address counts when it
 * is assigned to an interface, or when it lies in the loopback prefix (Linux delivers all of
 * 127.0.0.0/8 locally: an `--host 127.0.0.2` server is reached there, and its sockets per
 * interface address, libwebrtc's, speak from 127.0.0.1). The werift RTP leg binds the address
 * itself (iceInterfaceAddresses); the data-channel leg is relay-only (session.ts).
 */
import os from 'node:os';
import { formatIp, parsePrefix, prefixContains, tryParseIp } from '../../src/protocol/ip.js';
import { normalizeEmbeddedIpv4 } from '../turn/policy/special-purpose.js';

/** os.networkInterfaces()'s shape (injectable in tests). */
export type NetworkInterfaces = Partial<Record<string, os.NetworkInterfaceInfo[]>>;

export interface HostAddress {
  /** The address asked about, canonical. */
  address: string;
  /** The interface address a socket per interface address (libwebrtc's) uses for it. */
  interfaceAddress: string;
  interfaceName: string;
  /** True when `address` is an interface address itself; false for another loopback-prefix address. */
  assigned: boolean;
}

function canonical(text: string): string | null {
  const ip = tryParseIp(text);
  return ip === null ? null : formatIp(normalizeEmbeddedIpv4(ip));
}

/** Where the host has `address`, or null when it has no such address (an IP literal is expected). */
export function hostAddressOf(address: string, interfaces: NetworkInterfaces = os.networkInterfaces()): HostAddress | null {
  const ip = canonical(address);
  const parsed = ip === null ? null : tryParseIp(ip);
  if (ip === null || parsed === null) return null;
  const entries = Object.entries(interfaces).flatMap(([name, infos]) => (infos ?? []).map((info) => ({ name, info })));
  const exact = entries.find((e) => canonical(e.info.address) === ip);
  if (exact) return { address: ip, interfaceAddress: ip, interfaceName: exact.name, assigned: true };
  const loopback = entries.find((e) => e.info.internal && e.info.cidr !== null && prefixContains(parsePrefix(e.info.cidr), parsed));
  if (loopback)
    return { address: ip, interfaceAddress: canonical(loopback.info.address) ?? loopback.info.address, interfaceName: loopback.name, assigned: false };
  return null;
}

/** Every interface address of the host, for messages ("127.0.0.1, ::1, 192.0.2.2"). */
export function hostAddressList(interfaces: NetworkInterfaces = os.networkInterfaces()): string[] {
  return Object.values(interfaces).flatMap((infos) => (infos ?? []).map((i) => i.address));
}
