/**
 * An acknowledged result is durable: the real `callprobe serve` (compiled: `npx tsc -b` first)
 * stores results, is killed with SIGKILL right after the last 201, and a new server on the
 * same database finds every acknowledged result. Against SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultAck, SharedResult } from '../../src/protocol/api.js';
import type { DbTarget } from '../../server/store/target.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import { reflectorInput } from '../analysis/report/inputs.js';
import { serveProcess, storeServeFlags } from '../kit/callprobe.js';
import { cliPath } from '../kit/paths.js';
import type { ProcessHandle } from '../kit/process.js';
import { needBuilt } from '../kit/requires.js';
import { describeKind, postgresKind, sqliteKind } from './store/store-kit.js';

async function startServe(db: DbTarget): Promise<{ proc: ProcessHandle; base: string }> {
  const s = await serveProcess(storeServeFlags(db), { deadlineMs: 60_000 });
  return { proc: s.proc, base: s.url };
}

describe.each([sqliteKind(), postgresKind()])('durability: $name', (kind) => {
  const run = describeKind('durability', kind, [needBuilt(cliPath)]);
  run(`on ${kind.name}`, () => {
    const procs: ProcessHandle[] = [];
    beforeAll(async () => {
      await kind.setup();
    }, 90_000);
    afterAll(async () => {
      for (const p of procs) await p.stop();
      await kind.teardown();
    }, 60_000);

    it('every result answered 201 is there after kill -9 and a restart', async () => {
      const db = await kind.freshTarget();
      const first = await startServe(db);
      procs.push(first.proc);
      const body = JSON.stringify(analyze(reflectorInput({ count: 1500 })));
      const acks: ResultAck[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${first.base}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(201);
        acks.push((await res.json()) as ResultAck);
      }
      // Right after the last 201: no graceful shutdown, no chance to flush anything.
      first.proc.child.kill('SIGKILL');
      const status = await first.proc.exited;
      expect(status.signal).toBe('SIGKILL');

      const second = await startServe(db);
      procs.push(second.proc);
      for (const ack of acks) {
        const res = await fetch(`${second.base}/api/r/${ack.code}`);
        expect(res.status, ack.code).toBe(200);
        const shared = (await res.json()) as SharedResult;
        expect(shared.code).toBe(ack.code);
        expect((shared.report as { summary: { verdict: string } }).summary.verdict).toBe('pass');
      }
      await second.proc.stop();
    }, 60_000);
  });
});
