/**
 * Runs openStalledReaders in a process of its own (inside a network namespace, where the
 * caller set small TCP buffers): `node stalled-readers-main.js '<StalledReadersOptions JSON>' holdMs`.
 * Prints one JSON line per event ('allocated', 'flooded'), keeps the stalled connections for
 * holdMs after the flood, then closes them and exits.
 */
import { openStalledReaders, type StalledReadersOptions } from './stalled-readers.js';

const [optsJson = '{}', holdMsText = '0'] = process.argv.slice(2);
const opts = JSON.parse(optsJson) as Omit<StalledReadersOptions, 'report'>;
const holdMs = Number(holdMsText);
const readers = await openStalledReaders({ ...opts, report: (e) => process.stdout.write(JSON.stringify(e) + '\n') });
await readers.flooded;
await new Promise((resolve) => setTimeout(resolve, holdMs));
await readers.close();
process.stdout.write(JSON.stringify({ event: 'closed' }) + '\n');
