/**
 * The results routes' doors on their own (ResultsDoors), on a clock the test moves: a network's
 * posts and reads beyond its rate, an anonymous upload beyond its source's and its network's day
 * (a retry of a stored sample still goes on; the operator and a site's token are exempt), a
 * refund of what stored nothing, and the global budget of failed code lookups, which refuses
 * lookups and drops claims once spent. Every refusal is counted by door and scope.
 */
import { describe, expect, it } from 'vitest';
import { ResultsDoors } from '../../../server/http/results-doors.js';
import { Refusal } from '../../../server/http/refusal.js';
import type { StoredResult } from '../../../server/store/results/types.js';
import type { ClaimedResult } from '../../../server/store/chain/types.js';
import { DoorRefusals, networkBound } from '../../../server/common/door.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

function doors(over: { posts?: number; reads?: number; bytes?: number; lookups?: number } = {}): {
  d: ResultsDoors;
  refusals: DoorRefusals;
  clock: { ms: number };
} {
  const clock = { ms: T0 };
  const refusals = new DoorRefusals();
  const d = new ResultsDoors({
    postsPerMinutePerIp: over.posts ?? 5,
    readsPerMinutePerIp: over.reads ?? 5,
    storedBytesPerDayPerSource: over.bytes ?? 1_000,
    failedLookupsPerMinute: over.lookups ?? 3,
    nowMs: () => clock.ms,
    doorRefusals: refusals,
  });
  return { d, refusals, clock };
}

/** The refusal `f` throws (a promise's rejection or a throw), for its reason and status. */
async function refusalOf(f: () => unknown): Promise<Refusal> {
  try {
    await f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** The n-th /64 of one IPv6 /48. */
const inSite = (n: number): string => `2001:db8:7:${n.toString(16)}::1`;
const never = (): Promise<boolean> => Promise.resolve(false);

describe('ResultsDoors', () => {
  it("a network's posts and reads share a few sources' worth a minute; beyond, refused and counted at network scope", async () => {
    const { d, refusals, clock } = doors({ posts: 2, reads: 3 });
    for (let i = 0; i < networkBound(2); i++) d.admitPost(inSite(i));
    const post = await refusalOf(() => d.admitPost(inSite(99)));
    expect([post.reason, post.statusCode]).toEqual(['rate-limited', 429]);
    expect(post.message).toMatch(/your network/);
    expect(refusals.get('result-upload', 'network')).toBe(1);
    // Another network is not held back; reads are counted apart from posts.
    d.admitPost('2001:db8:8::1');
    for (let i = 0; i < networkBound(3); i++) d.admitRead({ ip: inSite(i) });
    expect((await refusalOf(() => d.admitRead({ ip: inSite(0) }))).reason).toBe('rate-limited');
    expect(refusals.get('code-lookup', 'network')).toBe(1);
    clock.ms += 60_000;
    d.admitPost(inSite(99));
    d.admitRead({ ip: inSite(0) });
  });

  it("an anonymous upload is counted in its source's day; beyond it refused until the day ends, unless its sample is stored already", async () => {
    const { d, refusals, clock } = doors({ bytes: 1_000 });
    const ip = '198.51.100.7';
    expect(await d.admitUpload(ip, 600, false, never)).toEqual({ source: ip, network: ip, bytes: 600, charged: true });
    const over = await refusalOf(() => d.admitUpload(ip, 600, false, never));
    expect([over.reason, over.statusCode]).toEqual(['upload-budget', 429]);
    expect(over.message).toBe(`your address has stored its share of results for the day (1000 bytes): more from ${new Date(T0 + 86_400_000).toISOString()}`);
    expect(refusals.get('result-upload', 'source')).toBe(1);
    // A retry of a stored sample stores nothing: it goes on, uncounted.
    expect(await d.admitUpload(ip, 600, false, () => Promise.resolve(true))).toMatchObject({ charged: false });
    // The operator and a site's token are exempt, and never ask whether the sample is stored.
    expect(await d.admitUpload(ip, 5_000, true, () => Promise.reject(new Error('not asked')))).toMatchObject({ charged: false });
    clock.ms += 86_400_000;
    expect((await d.admitUpload(ip, 600, false, never)).charged).toBe(true);
  });

  it("the /64s of one /48 share a network's day: the one that overflows it is refused at network scope and its source's share given back", async () => {
    const { d, refusals } = doors({ bytes: 1_000 });
    const sources = networkBound(1_000) / 1_000;
    const first = await d.admitUpload(inSite(0), 1_000, false, never);
    for (let i = 1; i < sources; i++) expect((await d.admitUpload(inSite(i), 1_000, false, never)).charged).toBe(true);
    expect(first.charged).toBe(true);
    const full = await refusalOf(() => d.admitUpload(inSite(sources), 1_000, false, never));
    expect(full.message).toMatch(new RegExp(`^your network has stored its share of results for the day \\(${networkBound(1_000)} bytes\\)`));
    expect(refusals.get('result-upload', 'network')).toBe(1);
    // The refused upload did not spend its source's day: once the network has room again, that source stores its full share.
    d.refund(first);
    expect((await d.admitUpload(inSite(sources), 1_000, false, never)).charged).toBe(true);
  });

  it('a refund gives back what an upload that stored nothing was counted, in its source and its network', async () => {
    const { d } = doors({ bytes: 1_000 });
    const c = await d.admitUpload(inSite(1), 1_000, false, never);
    await expect(refusalOf(() => d.admitUpload(inSite(1), 1, false, never))).resolves.toBeInstanceOf(Refusal);
    d.refund(c);
    expect((await d.admitUpload(inSite(1), 1_000, false, never)).charged).toBe(true);
    // An uncounted upload refunds nothing.
    d.refund({ ...c, charged: false });
    await expect(refusalOf(() => d.admitUpload(inSite(1), 1, false, never))).resolves.toBeInstanceOf(Refusal);
  });

  it('failed lookups share one budget a minute: once spent, a network that failed is refused (counted in total) and its claims dropped unchecked', async () => {
    const { d, refusals, clock } = doors({ lookups: 2 });
    const none = (): Promise<StoredResult | null> => Promise.resolve(null);
    expect(await d.lookUp('203.0.113.5', none)).toBeNull();
    expect(await d.lookUp('203.0.113.6', none)).toBeNull();
    const busy = await refusalOf(() => d.lookUp('203.0.113.7', none));
    expect([busy.reason, busy.statusCode]).toEqual(['lookups-busy', 429]);
    expect(busy.message).toMatch(/retry in 60 s$/);
    expect(refusals.get('code-lookup', 'total')).toBe(1);
    let asked = 0;
    const claim = (): Promise<ClaimedResult | null> => {
      asked++;
      return Promise.resolve(null);
    };
    expect(await d.claimed('203.0.113.8', claim)).toBeNull();
    expect(asked).toBe(0);
    // A network that asked for no unknown code this minute still gets its own result.
    const found = { id: 'r1' } as StoredResult;
    expect(await d.lookUp('192.0.2.1', () => Promise.resolve(found))).toBe(found);
    clock.ms += 60_000;
    expect(await d.claimed('203.0.113.8', claim)).toBeNull();
    expect(asked).toBe(1);
  });

  it("the routes' per-source limits count their refusals at source scope, posts at result-upload and reads at code-lookup", () => {
    const { d, refusals } = doors({ posts: 7, reads: 9 });
    const posts = d.posts().rateLimit;
    const reads = d.reads().rateLimit;
    expect([posts.max, posts.groupId, reads.max, reads.groupId]).toEqual([7, 'results-post', 9, 'results-read']);
    const exceeded = (o: typeof posts): void => (o.onExceeded as () => void)();
    exceeded(posts);
    exceeded(reads);
    exceeded(reads);
    expect([refusals.get('result-upload', 'source'), refusals.get('code-lookup', 'source')]).toEqual([1, 2]);
  });
});
