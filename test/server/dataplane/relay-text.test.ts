/**
 * Every plane's relay counters in one exposition (server/dataplane/relay-text.ts): each family's
 * HELP and TYPE once, its samples together under them whichever plane they came from, each
 * labelled with its plane.
 */
import { describe, expect, it } from 'vitest';
import { joinRelayTexts } from '../../../server/dataplane/relay-text.js';

const plane0 = `# HELP p Packets.
# TYPE p counter
p{transport="udp",port="3478"} 10
p{} 3
# HELP h Times.
# TYPE h histogram
h_bucket{le="1"} 2
h_sum 0.5
h_count 2
`;
const plane1 = `# HELP p Packets.
# TYPE p counter
p{transport="udp",port="3478"} 7
# HELP h Times.
# TYPE h histogram
h_bucket{le="1"} 1
h_sum 0.25
h_count 1
# HELP only1 Only the second plane has it.
# TYPE only1 gauge
only1 4
`;

describe('joinRelayTexts', () => {
  it("groups each family's samples under one header, each labelled with its plane", () => {
    expect(joinRelayTexts([plane0, plane1])).toBe(`# HELP p Packets.
# TYPE p counter
p{plane="0",transport="udp",port="3478"} 10
p{plane="0"} 3
p{plane="1",transport="udp",port="3478"} 7
# HELP h Times.
# TYPE h histogram
h_bucket{plane="0",le="1"} 2
h_sum{plane="0"} 0.5
h_count{plane="0"} 2
h_bucket{plane="1",le="1"} 1
h_sum{plane="1"} 0.25
h_count{plane="1"} 1
# HELP only1 Only the second plane has it.
# TYPE only1 gauge
only1{plane="1"} 4
`);
  });

  it('gives nothing for nothing, and a plane that did not answer adds nothing', () => {
    expect(joinRelayTexts([])).toBe('');
    expect(joinRelayTexts(['', plane1.split('\n').slice(0, 3).join('\n')])).toBe(
      '# HELP p Packets.\n# TYPE p counter\np{plane="1",transport="udp",port="3478"} 7\n',
    );
  });
});
