/**
 * `/metrics` on prom-client: one registry per process. Every part of `serve` registers its
 * families in its process's registry, each read from the part's own counters at the scrape
 * (`readGauge`, `readCounter`: the hot paths only increment numbers). A data plane in a process
 * of its own sends its registry's families over the channel (`metricsFamilies`, the
 * `metrics` answer of server/common/data-plane.ts), and the HTTP process merges them with its own
 * (`exposition`: prom-client's AggregatorRegistry.aggregate, each family by its aggregator: a sum
 * unless it says otherwise).
 */
import { AggregatorRegistry, Counter, Gauge, type Aggregator, type Registry } from 'prom-client';
import type { MetricFamily } from '../common/data-plane.js';

/** A sample's labels: some or all of the family's label names. */
type Labels<L extends string> = Partial<Record<L, string | number>>;

/** A family read at each scrape: its name, help, label names, and how processes' samples of it merge (default sum). */
export interface ReadSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  aggregator?: Aggregator;
  /** Its samples now: one number (a family without labels), or each sample's labels and value. */
  read(): number | Iterable<readonly [Labels<L>, number]>;
}

function samplesOf<L extends string>(read: ReadSpec<L>['read']): Iterable<readonly [Labels<L>, number]> {
  const v = read();
  return typeof v === 'number' ? [[{}, v]] : v;
}

/** What a family read at each scrape is made with, gauge or counter: its name, help, labels, registry and aggregator. */
function familyOf<L extends string>(
  registry: Registry,
  spec: ReadSpec<L>,
): { name: string; help: string; labelNames: readonly L[]; registers: Registry[]; aggregator?: Aggregator } {
  return {
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    ...(spec.aggregator !== undefined ? { aggregator: spec.aggregator } : {}),
  };
}

/** A gauge in `registry` set to `spec.read()`'s samples at each scrape. */
export function readGauge<L extends string>(registry: Registry, spec: ReadSpec<L>): Gauge<L> {
  return new Gauge<L>({
    ...familyOf(registry, spec),
    collect() {
      // Only what `read` gives: without labels too, where reset() alone would leave a 0 (a family may have no sample now).
      this.reset();
      this.remove({});
      for (const [labels, v] of samplesOf(spec.read)) this.set(labels, v);
    },
  });
}

/** A counter in `registry` whose samples are `spec.read()`'s totals at each scrape (counted elsewhere, never going down). */
export function readCounter<L extends string>(registry: Registry, spec: ReadSpec<L>): Counter<L> {
  return new Counter<L>({
    ...familyOf(registry, spec),
    collect() {
      this.reset();
      this.remove({});
      for (const [labels, v] of samplesOf(spec.read)) this.inc(labels, v);
    },
  });
}

/**
 * The process's memory as gauges, named as Prometheus' Node.js client names them (its default
 * metrics, which also start an event-loop monitor and a GC observer: not started here, so an idle
 * server keeps still), so the usual dashboards read them: resident set, V8 heap (total and used),
 * memory outside the heap held by JS objects (`external`, ArrayBuffers included) and ArrayBuffers
 * alone. What RSS holds beyond heap total + external is native: the WebRTC stacks, their threads'
 * malloc arenas, code.
 */
export function registerProcessMemory(registry: Registry, memory: () => NodeJS.MemoryUsage = () => process.memoryUsage()): void {
  const gauge = (name: string, help: string, v: (m: NodeJS.MemoryUsage) => number): void => void readGauge(registry, { name, help, read: () => v(memory()) });
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', (m) => m.rss);
  gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', (m) => m.heapTotal);
  gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', (m) => m.heapUsed);
  gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JS objects, ArrayBuffers included, in bytes.', (m) => m.external);
  gauge('nodejs_array_buffers_bytes', 'Memory of ArrayBuffers and SharedArrayBuffers in bytes.', (m) => m.arrayBuffers);
}

const FAMILY_TYPES: ReadonlySet<string> = new Set<MetricFamily['type']>(['counter', 'gauge', 'histogram', 'summary']);

/** `registry`'s families now (prom-client's getMetricsAsJSON), as the channel carries them to the HTTP process. */
export async function metricsFamilies(registry: Registry): Promise<MetricFamily[]> {
  return (await registry.getMetricsAsJSON()).map((m) => {
    // prom-client's types call `type` an enum; its JSON holds the family's type as the text format names it.
    const type = String(m.type);
    if (!FAMILY_TYPES.has(type)) throw new TypeError(`metric ${m.name}: unknown type ${type}`);
    return {
      name: m.name,
      help: m.help,
      type: type as MetricFamily['type'],
      aggregator: m.aggregator,
      values: m.values.map((v) => {
        const metricName = (v as { metricName?: unknown }).metricName;
        const labels: Record<string, string | number> = {};
        for (const [k, l] of Object.entries(v.labels)) if (l !== undefined) labels[k] = l;
        return { value: v.value, labels, ...(typeof metricName === 'string' ? { metricName } : {}) };
      }),
    };
  });
}

/**
 * The text exposition of this process's registry with other processes' families: the same family
 * from several is merged by its aggregator (prom-client's AggregatorRegistry.aggregate).
 */
export async function exposition(registry: Registry, others: readonly MetricFamily[] = []): Promise<string> {
  return AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), others]).metrics();
}
