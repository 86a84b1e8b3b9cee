/**
 * Runs floodAllocations in a process of its own (inside a network namespace whose loopback
 * carries the flood's addresses): `node allocation-flood-main.js '<AllocationFloodOptions JSON>'`.
 * Prints the result as one JSON line, then exits.
 */
import { floodAllocations, type AllocationFloodOptions } from './allocation-flood.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as AllocationFloodOptions;
process.stdout.write(JSON.stringify(await floodAllocations(opts)) + '\n');
