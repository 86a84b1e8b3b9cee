/** The capacity bench's client: `node dist/bench/load/fast-client-main.js URL DURATION_S N STAGGER_MS` prints its run (./fast-client.ts) as JSON. */
import { runFast } from './fast-client.js';

const [url, durationText, nText, staggerText] = process.argv.slice(2);
if (!url || !durationText || !nText) {
  process.stderr.write('usage: fast-client-main.js URL DURATION_S N [STAGGER_MS]\n');
  process.exit(3);
}
runFast(url, Number(durationText), Number(nText), Number(staggerText ?? 50)).then(
  (run) => {
    process.stdout.write(`${JSON.stringify(run)}\n`);
    // werift's timers (consent, TURN refreshes) outlive the closed legs for a while; the run is out, so leave.
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`fast-client failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
