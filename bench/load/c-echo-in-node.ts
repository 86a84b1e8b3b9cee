/**
 * The cost bench's floors of a probe path behind the relay's sockets: ./c-probe-echo.c built as a
 * Node-API addon, run in a Node process on its event loop. Each datagram wakes Node's loop and is
 * echoed in C (a bare echo, or a probe's own work) without entering JavaScript: what a Node server
 * whose per-packet path is native pays at least, beside the C echo's blocking loop and the Node
 * echoes'. Never part of the product.
 *   node dist/bench/load/c-echo-in-node.js <addon> <port> [keys]   (127.0.0.1 only; no keys: a bare echo)
 */
import { createRequire } from 'node:module';

const [addonPath, portArg, keys = ''] = process.argv.slice(2);
const port = Number(portArg);
if (addonPath === undefined || !Number.isInteger(port)) {
  process.stderr.write('usage: c-echo-in-node <addon> <port> [keys]\n');
  process.exit(64);
}
const addon: unknown = createRequire(import.meta.url)(addonPath);
const start = typeof addon === 'object' && addon !== null && 'start' in addon ? addon.start : undefined;
if (typeof start !== 'function') throw new Error(`${addonPath} has no start()`);
const bound: unknown = start(port, keys);
process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, port: bound })}\n`);
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
