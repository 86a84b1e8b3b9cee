#!/usr/bin/env node
/** The `callprobe` command (package.json `bin`, dist/cli/callprobe.js): every command of both programs. */
import { callprobeVersion } from '../host/package.js';
import { errorText, exitCodeFor } from '../client/exit.js';
import { ACTIONS } from './actions.js';
import { callprobeProgram } from './program.js';

try {
  await callprobeProgram(callprobeVersion(), ACTIONS).parseAsync(process.argv);
} catch (err) {
  const code = exitCodeFor({ error: err });
  // Help and version print themselves and end with code 0; "help instead of an error" (no command) too.
  const printed =
    err instanceof Error && 'code' in err && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help');
  if (!printed) process.stderr.write(`${errorText(err)}\n`);
  process.exit(code);
}
