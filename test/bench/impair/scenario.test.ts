import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ImpairConfigError } from '../../../bench/impair/errors.js';
import { normalizeDirection, parseScenario, resolveSeed } from '../../../bench/impair/scenario.js';

function configError(fn: () => unknown): ImpairConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImpairConfigError) return error;
    throw error;
  }
  throw new Error('expected an ImpairConfigError, nothing was thrown');
}

describe('scenario parsing', () => {
  it('accepts a full scenario and applies defaults and inheritance', () => {
    const scenario = parseScenario({
      name: 'congested uplink',
      seed: 7,
      startAfter: { firstProbe: true },
      probe: { minBytes: 180, maxBytes: 200 },
      up: {
        delayMs: 20,
        jitter: { kind: 'normal', sigmaMs: 3 },
        loss: { probability: 0.01 },
        gilbertElliott: { pGoodToBad: 0.01, pBadToGood: 0.3 },
        bursts: [{ kind: 'every', lengthPackets: 3, everyPackets: 500 }],
        reorder: { probability: 0.001, gapPackets: 2 },
        duplicate: { probability: 0.001 },
        rateLimit: { bitsPerSecond: 1e6, queueBytes: 30_000 },
      },
      down: { delayMs: 20, startAfter: { ms: 1000 } },
    });
    const up = normalizeDirection(scenario, 'up');
    expect(up.gilbertElliott).toEqual({ pGoodToBad: 0.01, pBadToGood: 0.3, lossInBad: 1, lossInGood: 0 });
    expect(up.duplicate).toEqual({ probability: 0.001, gapMs: 1 });
    expect(up.startAfter).toEqual({ firstProbe: true });
    expect(up.jitterMayReorder).toBe(false);
    const down = normalizeDirection(scenario, 'down');
    expect(down.startAfter).toEqual({ ms: 1000 });
    expect(down.probe).toEqual({ minBytes: 180, maxBytes: 200 });
    expect(down.lossProbability).toBe(0);
    expect(resolveSeed(scenario, undefined)).toBe(7);
    expect(resolveSeed(scenario, 'cli')).toBe('cli');
  });

  it('rejects bad input with the path and the reason', () => {
    const negative = configError(() => parseScenario({ up: { delayMs: -1 } }, 'x.json'));
    expect(negative.reason).toBe('bad-scenario');
    expect(negative.message).toContain('x.json');
    expect(negative.message).toContain('/up/delayMs');
    expect(configError(() => parseScenario({ up: { loss: { probability: 1.5 } } })).message).toContain('/up/loss/probability');
    expect(configError(() => parseScenario({ up: { delay: 5 } })).message).toContain('/up/delay');
    const union = configError(() => parseScenario({ up: { jitter: { kind: 'uniform', sigmaMs: 2 } } }));
    expect(union.message).toContain('/up/jitter');
    expect(union.message).toMatch(/amplitudeMs|sigmaMs/);
  });

  it('rejects settings that cannot work', () => {
    expect(configError(() => parseScenario({ probe: { minBytes: 300, maxBytes: 200 } })).message).toContain('minBytes');
    expect(configError(() => parseScenario({ startAfter: { firstProbe: true }, probe: { learnFromFirst: 10 } })).message).toContain('firstProbe');
    expect(configError(() => parseScenario({ up: { gilbertElliott: { pGoodToBad: 0.1, pBadToGood: 0 } } })).message).toContain('never end');
    expect(configError(() => resolveSeed({}, undefined)).message).toContain('seed');
  });
});

describe('example scenarios', () => {
  it('every file in bench/impair/scenarios is a valid scenario with a seed', async () => {
    const dir = 'bench/impair/scenarios';
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const scenario = parseScenario(JSON.parse(await readFile(`${dir}/${file}`, 'utf8')), file);
      expect(resolveSeed(scenario, undefined)).toBeTruthy();
      expect(scenario.name).toBe(file.replace(/\.json$/, ''));
    }
  });
});
