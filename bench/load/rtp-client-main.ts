/** One RTP load client: `node dist/bench/load/rtp-client-main.js URL DURATION_S` prints its summary as JSON (the shape run.ts reads). */
import { runRtpClient } from './rtp-client.js';

const [url, durationText] = process.argv.slice(2);
if (!url || !durationText) {
  process.stderr.write('usage: rtp-client-main.js URL DURATION_S\n');
  process.exit(3);
}
const hardStop = setTimeout(
  () => {
    process.stderr.write('rtp load client timed out\n');
    process.exit(2);
  },
  (Number(durationText) + 40) * 1000,
);
runRtpClient(url, Number(durationText)).then(
  (s) => {
    clearTimeout(hardStop);
    process.stdout.write(
      `${JSON.stringify({ summary: { rttMsP50: s.rttMsP50, jitterMs: s.jitterMs, lossPct: s.lossPct, verdict: 'rtp' }, diagnostics: { sender: { missedTicks: s.missedTicks } }, rtp: s })}\n`,
    );
    // wrtc keeps native threads alive for a while after close; the summary is out, so leave.
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`rtp load client failed: ${err.message}\n`);
    process.exit(2);
  },
);
