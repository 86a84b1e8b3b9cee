/**
 * callprobe's command line: every command and flag, in one commander tree. What each command
 * does is handed in (`CommandActions`): cli/actions.ts for the real program, recorders in the
 * tests, which parse every flag spelling without starting anything.
 */
import { Command } from 'commander';
import type { ServeOptions } from '../server/config/options.js';
import type { ReportCommandOptions, RunCommandOptions, ScheduleOptions } from '../client/options.js';
import { defineServe } from './serve.js';
import { defineAggregate, defineAlerts, defineEdgeToken, defineReport, defineRun, defineSiteToken, defineSpool } from './client.js';
import type { SiteTokenCommandOptions } from '../client/commands/site-token.js';
import type { AlertsCommandOptions } from '../client/commands/alerts-test.js';
import type { SpoolCommandOptions } from '../client/commands/spool.js';
import type { EdgeTokenCommandOptions } from '../client/commands/edge-token.js';
import { defineCoturnConfig, defineHashPassword, type CoturnConfigFlags } from './tools.js';
import { commandExitCodesHelp, exitCodesHelp } from './exit-codes.js';

/** What each command does once its flags are parsed and checked. */
export interface CommandActions {
  serve(opts: ServeOptions): Promise<void>;
  /** One test, or with `schedule` (run --every) samples on a schedule. */
  run(o: RunCommandOptions, schedule: ScheduleOptions | null): Promise<void>;
  aggregate(files: string[], json: boolean): Promise<void>;
  report(o: ReportCommandOptions): Promise<void>;
  siteToken(o: SiteTokenCommandOptions): Promise<void>;
  alerts(o: AlertsCommandOptions): Promise<void>;
  spool(o: SpoolCommandOptions): Promise<void>;
  edgeToken(o: EdgeTokenCommandOptions): Promise<void>;
  hashPassword(): Promise<void>;
  coturnConfig(o: CoturnConfigFlags): Promise<void>;
}

/** The `callprobe` program. Usage errors and help end in a thrown CommanderError (exitOverride), printed by the caller. */
export function callprobeProgram(version: string, act: CommandActions): Command {
  const program = new Command('callprobe')
    .description('WebRTC media-path tester: probe streams through a TURN relay, graded against Teams network targets')
    .version(version)
    .exitOverride()
    // Errors are printed once, as one line, by the caller.
    .configureOutput({ outputError: () => undefined });
  // Subcommands made with program.command() inherit exitOverride and configureOutput.
  defineServe(program, (opts) => act.serve(opts));
  defineRun(program, (o, schedule) => act.run(o, schedule));
  defineAggregate(program, (files, json) => act.aggregate(files, json));
  defineReport(program, (o) => act.report(o));
  defineSiteToken(program, (o) => act.siteToken(o));
  defineEdgeToken(program, (o) => act.edgeToken(o));
  defineAlerts(program, (o) => act.alerts(o));
  defineSpool(program, (o) => act.spool(o));
  defineHashPassword(program, () => act.hashPassword());
  defineCoturnConfig(program, (o) => act.coturnConfig(o));
  // Every exit code each command can give: all of them under the program's help, each command's under its own.
  program.addHelpText('after', exitCodesHelp());
  for (const c of program.commands) c.addHelpText('after', commandExitCodesHelp(c.name()));
  return program;
}
