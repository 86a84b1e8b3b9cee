import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logFormatFor, serverLogger } from '../../server/logging.js';

/** What a logger wrote, once it has written `lines` lines. */
async function written(format: 'json' | 'pretty', log: (l: ReturnType<typeof serverLogger>) => void): Promise<string> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = serverLogger('info', format, out);
  log(logger);
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return chunks.join('');
}

describe("serve's log", () => {
  it('is pretty on a terminal and JSON lines anywhere else', () => {
    expect(logFormatFor({ isTTY: true })).toBe('pretty');
    expect(logFormatFor({ isTTY: false })).toBe('json');
    expect(logFormatFor({})).toBe('json');
  });

  it('writes one JSON object per line for a journal', async () => {
    const text = await written('json', (l) => l.child({ name: 'turn' }).info({ port: 3478 }, 'TURN relay listening'));
    const record = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, name: 'turn', port: 3478, msg: 'TURN relay listening' });
  });

  it('writes a readable line, not JSON, for a person', async () => {
    const text = await written('pretty', (l) => l.child({ name: 'turn' }).info({ port: 3478 }, 'TURN relay listening'));
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(turn\): TURN relay listening\n {4}port: 3478\n$/);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });
});
