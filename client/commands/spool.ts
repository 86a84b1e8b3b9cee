/**
 * `callprobe spool send --spool DIR [--server URL] --token T`: sends what waits in a spool of
 * `run --every` (one left behind by a scheduler that stopped, or samples that waited for a good
 * token), each to the server it was taken for, oldest first, with the token given (a site's
 * upload-only token sends that site's samples; the operator token any site's). Passes of at most
 * 20, a minute apart (under the server's 30 uploads a minute from one address). Entries parked in
 * refused/ by an older callprobe, with no reason beside them, are taken back and sent too; one the
 * server refuses as malformed goes (back) to refused/ with its reason. Exit codes: 0 nothing
 * waits, 3 the token was refused (the samples still wait) or a usage error, 4 some still wait
 * (the server could not be reached or asked to wait).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { ConfigError } from '../../src/protocol/config-error.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { EXIT, oneLine, type ExitCode } from '../exit.js';
import { sendSpooled } from '../schedule/send.js';
import { Spool } from '../schedule/spool.js';

export interface SpoolCommandOptions {
  action: 'send';
  spool: string;
  /** Only the samples for this server (its origin). */
  server?: string;
  /** --token, CALLPROBE_TOKEN or CALLPROBE_ADMIN_TOKEN: a site token or the operator token. */
  token?: string;
  /** Between passes (tests: shorter). */
  passGapMs?: number;
}

export async function spoolCommand(o: SpoolCommandOptions): Promise<ExitCode> {
  const progress = (line: string): void => {
    process.stderr.write(`callprobe: ${line}\n`);
  };
  const dir = resolve(o.spool);
  if (!existsSync(dir)) throw new ConfigError('bad-value', `--spool ${dir}: no such folder`);
  const spool = new Spool(dir);
  await spool.open();
  const back = await spool.takeBackUnexplained();
  if (back > 0) progress(`${back} sample(s) parked in ${dir}/refused/ with no reason beside them (an older callprobe's) are sent again`);
  const only = o.server === undefined ? null : new URL(o.server).origin;
  const groups = (await spool.groups()).filter((g) => only === null || g.server === only);
  const perPass = DEFAULTS.schedule.spoolUploadsPerPass;
  const total = { stored: 0, refused: 0, waiting: 0, tokenRefused: 0 };
  for (const g of groups) {
    const what = `${g.siteKey === null ? 'samples without a site' : `samples of "${g.siteKey}"`} for ${g.server}`;
    for (;;) {
      const r = await spool.drain(g.server, perPass, (e) => sendSpooled(e, o.token ?? null, g.server), g.siteKey);
      total.stored += r.stored.length;
      total.refused += r.refused.length;
      for (const x of r.refused) progress(`refused as malformed: ${x.sampleId}: ${oneLine(x.why)} (kept in ${dir}/refused/ with the reason beside it)`);
      if (r.stored.length > 0) progress(`sent ${r.stored.length} ${what}`);
      if (r.left === 0) break;
      if (r.tokenRefused !== null) {
        progress(`${oneLine(r.tokenRefused)}: ${r.left} ${what} still wait; give a live token of that site`);
        total.tokenRefused += r.left;
        break;
      }
      if (!r.capped) {
        progress(`${r.left} ${what} still wait: ${oneLine(r.stoppedBy ?? '')}`);
        total.waiting += r.left;
        break;
      }
      // The server takes 30 uploads a minute from one address: the next pass in a minute.
      progress(`${r.left} ${what} still wait: the next ${Math.min(perPass, r.left)} in a minute`);
      await pause(o.passGapMs ?? 60_000);
    }
  }
  progress(
    `${dir}: ${total.stored} sent, ${total.refused} refused as malformed, ${total.waiting + total.tokenRefused} still waiting${groups.length === 0 ? ' (nothing waited)' : ''}`,
  );
  if (total.tokenRefused > 0) return EXIT.usage;
  return total.waiting > 0 ? EXIT.cannotTest : EXIT.pass;
}
