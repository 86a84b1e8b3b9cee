/** One Node load client: `node dist/bench/load/client-main.js URL DURATION_S` prints its report as JSON. */
import { runNodeClient } from './node-client.js';

const [url, durationText] = process.argv.slice(2);
if (!url || !durationText) {
  process.stderr.write('usage: client-main.js URL DURATION_S\n');
  process.exit(3);
}
const controller = new AbortController();
const hardStop = setTimeout(() => controller.abort(), (Number(durationText) + 30) * 1000);
runNodeClient({ baseUrl: url, durationS: Number(durationText), profile: { id: 'client-to-edge' }, signal: controller.signal }).then(
  (report) => {
    clearTimeout(hardStop);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    // wrtc keeps native threads alive for a while after close; the report is out, so leave.
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`load client failed: ${err.message}\n`);
    process.exit(2);
  },
);
