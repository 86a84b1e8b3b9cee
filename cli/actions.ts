/**
 * What each command of the real program does: `serve` runs until a signal, the client's commands
 * set the exit code. Each command loads its program when it runs (dynamic imports): `report` or
 * `--help` never loads the server's WebRTC stacks and store drivers, which cost a second of CPU
 * at every start.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOUNDS, DEFAULTS } from '../src/protocol/defaults.js';
import { ConfigError } from '../src/protocol/config-error.js';
import { parsePassword } from '../server/console/credentials.js';
import type { CommandActions } from './program.js';
import { EXIT } from '../client/exit.js';

export const ACTIONS: CommandActions = {
  async serve(opts) {
    const { serve } = await import('../server/serve.js');
    const server = await serve(opts, (msg) => process.stderr.write(`${msg}\n`));
    if (server.metricsUrl) process.stderr.write(`metrics on ${server.metricsUrl}\n`);
    if (server.dataPlaneLine) process.stderr.write(`${server.dataPlaneLine}\n`);
    process.stderr.write(
      `callprobe serving ${server.url} (TURN ${server.relayListeners ? server.relayListeners.map((l) => `${l.transport}/${l.port}`).join(' ') : 'external'})\n`,
    );
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      process.stderr.write(`${signal}: shutting down\n`);
      server.close().then(
        () => process.exit(0),
        (err: Error) => {
          process.stderr.write(`shutdown failed: ${err.message}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    // An edge whose hub revoked its token stops, exit 3: restarting it would be refused again (the shipped units do not restart on 3).
    void server.revoked?.then((words) => {
      if (closing) return;
      closing = true;
      process.stderr.write(`the hub revoked this edge (${words}): stopping, exit 3\n`);
      server.close().then(
        () => process.exit(EXIT.usage),
        (err: Error) => {
          process.stderr.write(`shutdown failed: ${err.message}\n`);
          process.exit(EXIT.usage);
        },
      );
    });
  },

  async run(o, schedule) {
    if (schedule === null) {
      const { runCommand } = await import('../client/commands/run.js');
      const targets = o.teamsReachability;
      // The relay's own STUN/TURN client tries the listed relays (the client programs hold no TURN code).
      const reachability =
        targets === undefined
          ? null
          : async () => {
              const { probeReachability } = await import('../server/turn/client/reachability.js');
              return { timeoutMs: DEFAULTS.teamsReachability.timeoutMs, answers: await probeReachability(targets, DEFAULTS.teamsReachability) };
            };
      process.exitCode = await runCommand(o, reachability);
      return;
    }
    const { scheduleCommand } = await import('../client/schedule/scheduler.js');
    process.exitCode = await scheduleCommand(o, schedule);
  },

  async aggregate(files, json) {
    const { aggregateCommand } = await import('../client/commands/aggregate.js');
    process.exitCode = await aggregateCommand(files, json);
  },

  async report(o) {
    const { reportCommand } = await import('../client/commands/report.js');
    process.exitCode = await reportCommand(o);
  },

  async siteToken(o) {
    const { siteTokenCommand } = await import('../client/commands/site-token.js');
    process.exitCode = await siteTokenCommand(o);
  },

  async alerts(o) {
    const { alertsCommand } = await import('../client/commands/alerts-test.js');
    process.exitCode = await alertsCommand(o);
  },

  async spool(o) {
    const { spoolCommand } = await import('../client/commands/spool.js');
    process.exitCode = await spoolCommand(o);
  },

  async edgeToken(o) {
    const { edgeTokenCommand } = await import('../client/commands/edge-token.js');
    process.exitCode = await edgeTokenCommand(o);
  },

  async hashPassword() {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > BOUNDS.passwordChars.max * 4 + 2) throw new ConfigError('bad-value', `the password is over ${BOUNDS.passwordChars.max} characters`);
      chunks.push(chunk);
      // One line: typed at a terminal, Enter ends it.
      if (chunk.includes(10)) break;
    }
    const password = parsePassword(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
    const { hashPassword } = await import('../server/console/auth.js');
    process.stdout.write(`${await hashPassword(password)}\n`);
  },

  async coturnConfig(o) {
    const { renderCoturnConfig } = await import('../server/turn/coturn-config.js');
    const confs = renderCoturnConfig({
      listeningIp: o.listeningIp,
      relayIp: o.relayIp ?? o.listeningIp,
      ports: o.ports,
      relayPortRange: o.relayPorts,
      realm: o.realm,
      secret: o.secret,
      allowPeers: o.allowPeers,
    });
    if (o.outDir) {
      await mkdir(o.outDir, { recursive: true });
      for (const c of confs) {
        const file = join(o.outDir, `turnserver-${c.port}.conf`);
        await writeFile(file, c.text, { mode: 0o600 });
        process.stderr.write(`wrote ${file} (run: turnserver -c ${file})\n`);
      }
    } else {
      process.stdout.write(confs.map((c) => `# ---- turnserver-${c.port}.conf: turnserver -c turnserver-${c.port}.conf\n${c.text}`).join('\n'));
    }
  },
};
