import { describe, expect, it } from 'vitest';
import { VideoBook } from '../../server/http/video-book.js';

describe("the video phase's hourly books", () => {
  it('refuses a source, then its network, then the server, past their hour; an hour later they are gone', () => {
    let now = 0;
    const book = new VideoBook({ phasesPerHourPerSource: 2, phasesPerHourPerNetwork: 3, phasesPerHour: 4, maxOpen: 10 }, () => now);
    expect(book.tryStart('2001:db8:1:1::1')).toBeNull();
    expect(book.tryStart('2001:db8:1:1::2')).toBeNull(); // the same /64
    expect(book.tryStart('2001:db8:1:1::3')).toBe('video-source-hour');
    expect(book.tryStart('2001:db8:1:2::1')).toBeNull(); // another /64 of the same /48
    expect(book.tryStart('2001:db8:1:3::1')).toBe('video-network-hour');
    expect(book.tryStart('192.0.2.1')).toBeNull();
    expect(book.tryStart('192.0.2.2')).toBe('video-hour');
    now = 3_600_001;
    expect(book.tryStart('192.0.2.2')).toBeNull();
    // Only the one source and network of the last hour are held.
    expect(book.keys).toBe(2);
  });

  it('runs at most maxOpen phases at once, a place freed when one ends', () => {
    const book = new VideoBook({ phasesPerHourPerSource: 10, phasesPerHourPerNetwork: 10, phasesPerHour: 10, maxOpen: 2 }, () => 0);
    expect(book.tryStart('192.0.2.1')).toBeNull();
    expect(book.tryStart('192.0.2.2')).toBeNull();
    expect(book.tryStart('192.0.2.3')).toBe('video-busy');
    book.release();
    expect(book.tryStart('192.0.2.3')).toBeNull();
  });
});
