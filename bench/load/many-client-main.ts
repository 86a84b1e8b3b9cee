/** The capacity bench's client: `node dist/bench/load/many-client-main.js URL DURATION_S N STAGGER_MS` prints its run (./many-client.ts) as JSON. */
import { runMany } from './many-client.js';

const [url, durationText, nText, staggerText] = process.argv.slice(2);
if (!url || !durationText || !nText) {
  process.stderr.write('usage: many-client-main.js URL DURATION_S N [STAGGER_MS]\n');
  process.exit(3);
}
runMany(url, Number(durationText), Number(nText), Number(staggerText ?? 50)).then(
  (run) => {
    process.stdout.write(`${JSON.stringify(run)}\n`);
    // wrtc keeps native threads alive for a while after close; the run is out, so leave.
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`many-client failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
