/**
 * The metrics endpoint: GET /metrics on its own listener (`serve --metrics-listen`), never on
 * the public app; the relay's and the server's counters (metricsTextOf in ./app.ts) and the
 * process's memory.
 */
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * The process's memory as gauges, named as Prometheus' Node.js client names them, so the usual
 * dashboards read them: resident set, V8 heap (total and used), memory outside the heap held by
 * JS objects (`external`, ArrayBuffers included) and ArrayBuffers alone. What RSS holds beyond
 * heap total + external is native: the WebRTC stacks, their threads' malloc arenas, code.
 */
export function processMemoryMetrics(m: NodeJS.MemoryUsage = process.memoryUsage()): string {
  const gauge = (name: string, help: string, bytes: number): string => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${bytes}\n`;
  return (
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', m.rss) +
    gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', m.heapTotal) +
    gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', m.heapUsed) +
    gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JS objects, ArrayBuffers included, in bytes.', m.external) +
    gauge('nodejs_array_buffers_bytes', 'Memory of ArrayBuffers and SharedArrayBuffers in bytes.', m.arrayBuffers)
  );
}

/** The metrics endpoint on its own listener (--metrics-listen): GET /metrics and nothing else. */
export function buildMetricsApp(text: () => string | Promise<string>): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return (await text()) + processMemoryMetrics();
  });
  return app;
}
