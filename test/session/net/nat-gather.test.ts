import { describe, expect, it } from 'vitest';
import type { TurnServerEntry } from '../../../src/protocol/api.js';
import { natStunUrls } from '../../../src/session/net/nat-gather.js';

const entry = (transport: TurnServerEntry['transport'], url: string, port: number): TurnServerEntry => ({ transport, url, port });

describe('natStunUrls: the two STUN ports of one relay host', () => {
  it('takes the first UDP host on its first two distinct ports', () => {
    expect(
      natStunUrls([
        entry('udp', 'turn:10.231.2.2:3478?transport=udp', 3478),
        entry('udp', 'turn:10.231.2.2:3479?transport=udp', 3479),
        entry('udp', 'turn:10.231.2.2:3480?transport=udp', 3480),
        entry('tcp', 'turn:10.231.2.2:3478?transport=tcp', 3478),
      ]),
    ).toEqual({ urls: ['stun:10.231.2.2:3478', 'stun:10.231.2.2:3479'], ports: [3478, 3479] });
  });
  it('keeps an IPv6 host in brackets', () => {
    expect(
      natStunUrls([entry('udp', 'turn:[2001:db8::1]:3478?transport=udp', 3478), entry('udp', 'turn:[2001:db8::1]:3479?transport=udp', 3479)])?.urls,
    ).toEqual(['stun:[2001:db8::1]:3478', 'stun:[2001:db8::1]:3479']);
  });
  it('is null with fewer than two UDP ports on one host', () => {
    expect(natStunUrls([entry('udp', 'turn:10.231.2.2:3478?transport=udp', 3478), entry('tcp', 'turn:10.231.2.2:3479?transport=tcp', 3479)])).toBeNull();
    expect(natStunUrls([entry('udp', 'turn:10.231.2.2:3478?transport=udp', 3478), entry('udp', 'turn:10.231.9.9:3479?transport=udp', 3479)])).toBeNull();
  });
});
