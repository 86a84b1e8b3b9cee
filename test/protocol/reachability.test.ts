import { describe, expect, it } from 'vitest';
import { parseReachabilityList, reachabilityUrl } from '../../src/protocol/reachability.js';

describe('the --teams-reachability list', () => {
  it('reads one target per line, ranges and lists of ports, comments and blank lines, IPv6 in or out of brackets', () => {
    const text = '# Teams media relays\n\nudp worldaz.tr.teams.microsoft.com 3478-3481  # the four\ntcp 52.112.0.1 443\ntls [2603:1063::1] 443,3478\n';
    expect(parseReachabilityList(text, 'relays.txt')).toEqual([
      { transport: 'udp', host: 'worldaz.tr.teams.microsoft.com', ports: [3478, 3479, 3480, 3481] },
      { transport: 'tcp', host: '52.112.0.1', ports: [443] },
      { transport: 'tls', host: '2603:1063::1', ports: [443, 3478] },
    ]);
  });

  it('names the file and line of what it refuses', () => {
    expect(() => parseReachabilityList('udp h 3478\nquic h 443\n', 'f')).toThrow(/^f line 2: a target starts with udp, tcp or tls, not "quic"$/);
    expect(() => parseReachabilityList('udp h\n', 'f')).toThrow(/f line 1: a target is "transport host ports"/);
    expect(() => parseReachabilityList('udp h 3481-3478\n', 'f')).toThrow(/not a port or an ascending range/);
    expect(() => parseReachabilityList('udp h 0\n', 'f')).toThrow(/not a port/);
    expect(() => parseReachabilityList('udp h 3478-3490\n', 'f')).toThrow(/at most 8 ports per target/);
    expect(() => parseReachabilityList('udp bad_name! 3478\n', 'f')).toThrow(/"bad_name!" is not a host name or an address/);
    expect(() => parseReachabilityList('# nothing\n', 'f')).toThrow(/f names no target/);
    expect(() => parseReachabilityList(Array.from({ length: 33 }, () => 'udp h 1').join('\n'), 'f')).toThrow(/at most 32 targets/);
    expect(() => parseReachabilityList(Array.from({ length: 9 }, () => 'udp h 1-8').join('\n'), 'f')).toThrow(/at most 64 ports in all/);
  });

  it('writes each port as a STUN or TURN URI (RFC 7064, RFC 7065)', () => {
    expect(reachabilityUrl('udp', 'h.example', 3478)).toBe('stun:h.example:3478');
    expect(reachabilityUrl('tcp', '2603:1063::1', 443)).toBe('turn:[2603:1063::1]:443?transport=tcp');
    expect(reachabilityUrl('tls', 'h.example', 443)).toBe('turns:h.example:443?transport=tcp');
  });
});
