/**
 * `run --qos`'s count (client/qos-count.ts): the nftables ruleset it sets up and how it reads the
 * counters back. The count itself, with nft in a namespace of its own, runs in e2e/qos.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { countsOfListing, qosCountRules } from '../../client/qos-count.js';

describe("run --qos's nftables count", () => {
  it('counts only ChannelData carrying RTP from the relay ports, one counter per DSCP and family', () => {
    const rules = qosCountRules('callprobe_qos_7', [3478, 3479]);
    expect(rules).toMatch(/^table inet callprobe_qos_7 \{/);
    expect(rules).toContain('udp sport { 3478, 3479 } @th,64,2 1 @th,96,2 2 jump count');
    expect(rules.match(/ counter return comment "[46] \d+"/g)).toHaveLength(128);
    expect(rules).toContain('ip dscp 46 counter return comment "4 46"');
    expect(rules).toContain('ip6 dscp 0 counter return comment "6 0"');
  });

  it('adds up both families per DSCP from `nft -j list chain`, the values seen only, and ignores what it did not set up', () => {
    const rule = (comment: string, packets: number) => ({
      rule: {
        family: 'inet',
        table: 't',
        chain: 'count',
        handle: 1,
        comment,
        expr: [{ match: {} }, { counter: { packets, bytes: packets * 100 } }, { return: null }],
      },
    });
    const listing = {
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { chain: { name: 'count' } },
        rule('4 46', 180),
        rule('6 46', 12),
        rule('4 0', 3),
        rule('4 34', 0),
        rule('other', 9),
      ],
    };
    expect(countsOfListing(JSON.stringify(listing))).toEqual({ '46': 192, '0': 3 });
    expect(countsOfListing('{"nftables":[]}')).toEqual({});
  });
});
