/**
 * Runs floodLoadFlows in a process of its own (in a CPU cgroup, inside a network namespace whose
 * loopback carries its addresses): `node load-flood-main.js '<LoadFloodOptions JSON>'`. Prints
 * `{"event":"started"}` once it runs, then the result as one JSON line, and exits; SIGTERM ends
 * the flood early (the result is printed all the same).
 */
import { floodLoadFlows, type LoadFloodOptions } from './load-flood.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as Omit<LoadFloodOptions, 'signal'>;
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.stdout.write(JSON.stringify({ event: 'started' }) + '\n');
process.stdout.write(JSON.stringify({ event: 'done', ...(await floodLoadFlows({ ...opts, signal: stop.signal })) }) + '\n');
