/**
 * Impairment scenarios as data: the JSON schema (TypeBox), its static type, validation with
 * readable errors, and the normalized per-direction settings the core runs on.
 *
 * Every time is in milliseconds, every probability in [0, 1], every size in bytes, every
 * rate in bits per second. "up" is client -> target, "down" is target -> client.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { ImpairConfigError } from './errors.js';
import type { Seed } from './prng.js';

const Ms = (description: string) => Type.Number({ minimum: 0, description });
const Probability = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const Count = (minimum: number, description: string) => Type.Integer({ minimum, description });
const closed = { additionalProperties: false } as const;

const JitterSchema = Type.Union([
  Type.Object({ kind: Type.Literal('uniform'), amplitudeMs: Ms('delay varies uniformly in [delay - a, delay + a]') }, closed),
  Type.Object({ kind: Type.Literal('normal'), sigmaMs: Ms('delay ~ N(delay, sigma), redrawn while below 0') }, closed),
]);

const GilbertElliottSchema = Type.Object(
  {
    pGoodToBad: Probability('per packet, chance to move from the good to the bad state'),
    pBadToGood: Probability('per packet, chance to move from the bad to the good state'),
    lossInBad: Type.Optional(Probability('loss probability in the bad state (default 1)')),
    lossInGood: Type.Optional(Probability('loss probability in the good state (default 0)')),
  },
  closed,
);

const BurstSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('every'),
      lengthPackets: Count(1, 'packets dropped in a row'),
      everyPackets: Count(1, 'period, in impaired packets'),
      offsetPackets: Type.Optional(Count(0, 'impaired-packet index of the first burst (default 0)')),
    },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('at'),
      lengthPackets: Count(1, 'packets dropped in a row'),
      atMs: Type.Array(Ms('time after the first impaired packet'), { minItems: 1 }),
    },
    closed,
  ),
]);

const ReorderSchema = Type.Union([
  Type.Object(
    {
      probability: Probability('chance a packet is held back'),
      gapMs: Type.Number({ exclusiveMinimum: 0, description: 'extra hold time' }),
    },
    closed,
  ),
  Type.Object(
    {
      probability: Probability('chance a packet is held back'),
      gapPackets: Count(1, 'held until this many later packets were released'),
      maxHoldMs: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'give up waiting (default 500)' })),
    },
    closed,
  ),
]);

const DuplicateSchema = Type.Object(
  {
    probability: Probability('chance a packet is sent twice'),
    gapMs: Type.Optional(Ms('second copy this long after the first (default 1)')),
  },
  closed,
);

const rateFields = {
  bitsPerSecond: Type.Number({ exclusiveMinimum: 0, description: 'bottleneck rate' }),
  overheadBytes: Type.Optional(Count(0, 'added to each datagram when computing its serialization time (default 0)')),
};
const RateLimitSchema = Type.Union([
  Type.Object({ ...rateFields, queueBytes: Count(1, 'queue capacity incl. the packet in service') }, closed),
  Type.Object({ ...rateFields, queuePackets: Count(1, 'queue capacity incl. the packet in service') }, closed),
]);

const StartAfterSchema = Type.Union([
  Type.Object({ ms: Ms("after this long since the flow's first datagram") }, closed),
  Type.Object({ packets: Count(0, 'after this many datagrams in this direction') }, closed),
  Type.Object({ firstProbe: Type.Literal(true) }, closed),
]);

const ProbeClassSchema = Type.Union([
  Type.Object({ minBytes: Count(1, 'smallest probe datagram'), maxBytes: Count(1, 'largest probe datagram') }, closed),
  Type.Object(
    {
      learnFromFirst: Count(1, 'probe size = most frequent size among the first N impaired datagrams'),
      toleranceBytes: Type.Optional(Count(0, 'accept learned size +- this (default 0)')),
    },
    closed,
  ),
]);

const DirectionSchema = Type.Object(
  {
    delayMs: Type.Optional(Ms('fixed one-way delay added')),
    jitter: Type.Optional(JitterSchema),
    jitterMayReorder: Type.Optional(Type.Boolean({ description: 'default false: release = max(own, previous)' })),
    loss: Type.Optional(Type.Object({ probability: Probability('Bernoulli loss') }, closed)),
    gilbertElliott: Type.Optional(GilbertElliottSchema),
    bursts: Type.Optional(Type.Array(BurstSchema)),
    reorder: Type.Optional(ReorderSchema),
    duplicate: Type.Optional(DuplicateSchema),
    rateLimit: Type.Optional(RateLimitSchema),
    startAfter: Type.Optional(StartAfterSchema),
    probe: Type.Optional(ProbeClassSchema),
  },
  closed,
);

const ScenarioSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    seed: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    /** Defaults for both directions; a direction's own field wins. */
    startAfter: Type.Optional(StartAfterSchema),
    probe: Type.Optional(ProbeClassSchema),
    up: Type.Optional(DirectionSchema),
    down: Type.Optional(DirectionSchema),
  },
  closed,
);

export type Jitter = Static<typeof JitterSchema>;
export type GilbertElliott = Static<typeof GilbertElliottSchema>;
export type Burst = Static<typeof BurstSchema>;
type Reorder = Static<typeof ReorderSchema>;
type Duplicate = Static<typeof DuplicateSchema>;
export type RateLimit = Static<typeof RateLimitSchema>;
export type StartAfter = Static<typeof StartAfterSchema>;
export type ProbeClass = Static<typeof ProbeClassSchema>;
export type DirectionScenario = Static<typeof DirectionSchema>;
/** A scenario as written in a JSON file (all fields optional: no field = no impairment). */
export type ImpairmentScenario = Static<typeof ScenarioSchema>;

export type Direction = 'up' | 'down';
export const DIRECTIONS: readonly Direction[] = ['up', 'down'];

/** One direction's settings with every default applied; what the core runs on. */
export interface DirectionSettings {
  delayMs: number;
  jitter: Jitter | null;
  jitterMayReorder: boolean;
  lossProbability: number;
  gilbertElliott: Required<GilbertElliott> | null;
  bursts: Burst[];
  reorder: Reorder | null;
  duplicate: Required<Duplicate> | null;
  rateLimit: RateLimit | null;
  /** null: impair from the first datagram. */
  startAfter: StartAfter | null;
  /** null: no probe classification (probe counts stay empty). */
  probe: ProbeClass | null;
}

export const DEFAULT_REORDER_MAX_HOLD_MS = 500;
const DEFAULT_DUPLICATE_GAP_MS = 1;

/** Validate an unknown value (e.g. parsed JSON) as a scenario; throws ImpairConfigError. */
export function parseScenario(input: unknown, origin = 'scenario'): ImpairmentScenario {
  assertSchema(ScenarioSchema, input, origin);
  const scenario = input;
  for (const direction of DIRECTIONS) {
    const settings = normalizeDirection(scenario, direction);
    checkSemantics(settings, `${origin}: ${direction}`);
  }
  return scenario;
}

/** Settings of one direction, defaults applied (scenario-level startAfter/probe inherited). */
export function normalizeDirection(scenario: ImpairmentScenario, direction: Direction): DirectionSettings {
  const d: DirectionScenario = scenario[direction] ?? {};
  const ge = d.gilbertElliott;
  const dup = d.duplicate;
  return {
    delayMs: d.delayMs ?? 0,
    jitter: d.jitter ?? null,
    jitterMayReorder: d.jitterMayReorder ?? false,
    lossProbability: d.loss?.probability ?? 0,
    gilbertElliott: ge ? { pGoodToBad: ge.pGoodToBad, pBadToGood: ge.pBadToGood, lossInBad: ge.lossInBad ?? 1, lossInGood: ge.lossInGood ?? 0 } : null,
    bursts: d.bursts ?? [],
    reorder: d.reorder ?? null,
    duplicate: dup ? { probability: dup.probability, gapMs: dup.gapMs ?? DEFAULT_DUPLICATE_GAP_MS } : null,
    rateLimit: d.rateLimit ?? null,
    startAfter: d.startAfter ?? scenario.startAfter ?? null,
    probe: d.probe ?? scenario.probe ?? null,
  };
}

/** The seed to use: the CLI/option seed wins over the scenario's; one of them is required. */
export function resolveSeed(scenario: ImpairmentScenario, override: Seed | undefined): Seed {
  const seed = override ?? scenario.seed;
  if (seed === undefined || seed === '') {
    throw new ImpairConfigError('bad-scenario', 'a seed is required (scenario "seed" or --seed): runs must be repeatable');
  }
  return seed;
}

function checkSemantics(s: DirectionSettings, where: string): void {
  if (s.probe && 'minBytes' in s.probe && s.probe.minBytes > s.probe.maxBytes) {
    throw new ImpairConfigError('bad-scenario', `${where}: probe.minBytes (${s.probe.minBytes}) > maxBytes (${s.probe.maxBytes})`);
  }
  if (s.startAfter && 'firstProbe' in s.startAfter && !(s.probe && 'minBytes' in s.probe)) {
    throw new ImpairConfigError(
      'bad-scenario',
      `${where}: startAfter.firstProbe needs explicit probe sizes (probe.minBytes/maxBytes); a learned size is only known after impairment starts`,
    );
  }
  const ge = s.gilbertElliott;
  if (ge && ge.pBadToGood === 0 && ge.pGoodToBad > 0) {
    throw new ImpairConfigError('bad-scenario', `${where}: gilbertElliott.pBadToGood is 0, the bad state would never end`);
  }
}

function assertSchema<T extends TSchema>(schema: T, input: unknown, origin: string): asserts input is Static<T> {
  if (Value.Check(schema, input)) return;
  const lines = [...Value.Errors(schema, input)].slice(0, 8).map(describeError);
  throw new ImpairConfigError('bad-scenario', `${origin} is not a valid impairment scenario:\n  ${lines.join('\n  ')}`);
}

function describeError(error: ValueError): string {
  const path = error.path === '' ? '(root)' : error.path;
  // A union error alone says only "Expected union value"; show why each variant failed.
  const variants = error.errors
    .map((iterator) => iterator.First())
    .filter((e): e is ValueError => e !== undefined)
    .map((e) => `${e.path === '' ? path : e.path}: ${e.message}`);
  const detail = variants.length > 0 ? ` (${[...new Set(variants)].join('; or ')})` : '';
  return `${path}: ${error.message}, got ${JSON.stringify(error.value) ?? 'undefined'}${detail}`;
}
