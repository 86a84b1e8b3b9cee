/**
 * One session: the page (and so `callprobe run`, which drives it in Chromium) and the load
 * bench's Node clients both run src/session/run-session.ts's runSession, each with its own
 * SessionEnv and nothing else of the session's.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { RunEvents, RunOptions, SessionEnv } from '../../src/session/env.js';
import { TimerPacer } from '../../bench/load/timer-pacer.js';
import { repoRoot } from '../kit/paths.js';

const calls: { opts: RunOptions; env: SessionEnv; events: RunEvents }[] = [];
const REPORT = { summary: { verdict: 'insufficient' } } as Report;

vi.mock('../../src/session/run-session.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/session/run-session.js')>()),
  runSession: (opts: RunOptions, env: SessionEnv, events: RunEvents): Promise<Report> => {
    calls.push({ opts, env, events });
    return Promise.resolve(REPORT);
  },
}));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (name === 'results' || name === 'node_modules') return [];
    if (statSync(join(repoRoot, rel)).isDirectory()) return sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Runtime (not type-only) imports of a file, as written. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
}

afterEach(() => {
  calls.length = 0;
});

describe('one session for the page and the load bench', () => {
  it('the load client is a Node SessionEnv handed to runSession', async () => {
    const { runNodeClient } = await import('../../bench/load/node-client.js');
    const signal = new AbortController().signal;
    const report = await runNodeClient({ baseUrl: 'http://127.0.0.1:1', durationS: 15, profile: { id: 'client-to-edge' }, signal });
    expect(report).toBe(REPORT);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    if (!call) throw new Error('runSession was not called');
    expect(call.opts).toEqual({
      baseUrl: 'http://127.0.0.1:1',
      durationS: 15,
      profile: { id: 'client-to-edge' },
      mode: 'reflector',
      turnPick: { transport: 'udp', port: null },
      override: null,
      audio: 'none',
      signal,
      version: 'node-client',
    });
    // What a Node client injects, and nothing the page has (audio, page watch, port check, getStats).
    expect(Object.keys(call.env).sort()).toEqual(['WebSocketImpl', 'createPacer', 'loadSimplePeer', 'userAgent', 'wrtc']);
    expect(call.env.wrtc).toBe(wrtc);
    expect(call.env.WebSocketImpl).toBe(WebSocket);
    expect(call.env.userAgent).toBe(`node ${process.version} @roamhq/wrtc`);
    const { default: SimplePeer } = await import('simple-peer');
    expect(await call.env.loadSimplePeer()).toBe(SimplePeer);
    const pacer = call.env.createPacer({ intervalMs: 10, count: 0, onTick: () => undefined });
    expect(pacer).toBeInstanceOf(TimerPacer);
    await expect(pacer.done).resolves.toEqual({ method: 'timer', missedTicks: 0 });
  });

  it('the load client imports nothing of the session but runSession', () => {
    expect(runtimeImports('bench/load/node-client.ts').filter((s) => s.includes('/src/'))).toEqual(['../../src/session/run-session.js']);
  });

  it('the page runs runSession with its own environment', () => {
    const app = readFileSync(join(repoRoot, 'src/web/components/app.ts'), 'utf8');
    expect(app).toMatch(/import\('\.\.\/\.\.\/session\/run-session\.js'\)/);
    expect(app).toMatch(/runSession\(\s*\{[\s\S]*?\},\s*env\.pageEnv\([a-z]*\),/);
    const env = readFileSync(join(repoRoot, 'src/web/session-env.ts'), 'utf8');
    expect(env).toMatch(/export function pageEnv\([^)]*\): SessionEnv/);
  });

  it('nothing else in the product or the benches connects, streams or grades a test of its own', () => {
    const files = ['src', 'server', 'bench'].flatMap(sourceFiles);
    const sessionSteps = files
      .filter((f) => /\b(connectLinks|streamProbes|fetchServerConfig)\(/.test(readFileSync(join(repoRoot, f), 'utf8')))
      .filter((f) => !/^src\/session\/(connect|probe-stream|net\/config)\.ts$/.test(f));
    // Compare mode's short streams are part of the one session: only runSession starts them.
    // The page's network context reads the server's config to gather once on the relay (no stream, no grade).
    // The device step's echo test reads it to open an echo session of its own (?kind=echo: the RTP leg alone, 5 s, never graded).
    expect(sessionSteps).toEqual(['src/session/compare-rungs.ts', 'src/session/run-session.ts', 'src/web/devices/echo.ts', 'src/web/network/context.ts']);
    expect(files.filter((f) => runtimeImports(f).some((s) => s.endsWith('/compare-rungs.js')))).toEqual(['src/session/run-session.ts']);
    // The session's own steps after the stream (after-stream.ts) grade what it measured, and nothing else does.
    const grading = files.filter((f) => runtimeImports(f).some((s) => s.endsWith('/report/analyze.js')));
    expect(grading).toEqual(['src/session/after-stream.ts', 'src/session/run-session.ts']);
  });
});
