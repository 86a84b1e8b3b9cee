/**
 * A part's metric families as /metrics would show them: `register` puts them in a registry of
 * their own (prom-client), read once (`relay.registerMetrics`, `gate.registerMetrics`, ...).
 */
import { Registry } from 'prom-client';

export function metricsText(register: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  register(registry);
  return registry.metrics();
}
