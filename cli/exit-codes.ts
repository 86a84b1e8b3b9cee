/**
 * Every exit code each command can give, in one table: `callprobe --help` lists them all, and each
 * command's --help its own (a service manager acts on them: the site unit's
 * `RestartPreventExitStatus=3` is exit 3 of `run --every`). The codes are client/exit.ts's; any
 * command ends with 4 on a failure nothing else names, as `exitCodeFor` maps it.
 */
import { EXIT } from '../client/exit.js';

type Row = readonly [code: number, meaning: string];

/** Per command (and `run --every`, which ends otherwise than one test), its codes in order. */
const EXIT_CODES: ReadonlyArray<readonly [command: string, rows: readonly Row[]]> = [
  [
    'serve',
    [
      [EXIT.pass, 'stopped by SIGINT or SIGTERM'],
      [1, 'the shutdown failed'],
      [EXIT.usage, 'a usage error (a flag or file, a port that will not bind, a store it cannot open)'],
      [EXIT.cannotTest, 'any other failure at start'],
    ],
  ],
  [
    'run',
    [
      [EXIT.pass, 'pass'],
      [EXIT.fail, 'fail (or calls cannot connect: the network blocks every port Teams uses)'],
      [EXIT.insufficient, 'too little evidence'],
      [EXIT.usage, 'a usage error (a flag, a token the server refused)'],
      [EXIT.cannotTest, 'could not test'],
      [EXIT.passFallback, 'passed only over a fallback path'],
      [130, 'or 143 stopped by SIGINT or SIGTERM mid-test (no report)'],
    ],
  ],
  [
    'run --every',
    [
      [EXIT.pass, 'every sample stored, whatever its verdict'],
      [EXIT.usage, 'a usage error (a flag, a token the server refused: not worth a restart)'],
      [EXIT.cannotTest, 'samples still wait in the spool (or were refused), or it could not go on'],
    ],
  ],
  [
    'aggregate',
    [
      [EXIT.pass, 'pass'],
      [EXIT.fail, 'fail'],
      [EXIT.insufficient, 'too little evidence'],
      [EXIT.usage, 'a usage error (a flag, a file that is not a report)'],
      [EXIT.cannotTest, 'any other failure'],
    ],
  ],
  [
    'report',
    [
      [EXIT.pass, 'pass'],
      [EXIT.fail, 'fail'],
      [EXIT.insufficient, 'too little evidence (with --all: the worst site)'],
      [EXIT.usage, 'a usage error (a flag, a request or token the server refused)'],
      [EXIT.cannotTest, 'the server could not be reached or sent no report'],
    ],
  ],
  ...(['site-token', 'edge-token'] as const).map(
    (command) =>
      [
        command,
        [
          [EXIT.pass, 'done'],
          [EXIT.usage, 'a usage error or a refusal (a wrong token, a bad name, an unknown id)'],
          [EXIT.cannotTest, 'the server could not be reached or answered something else'],
        ],
      ] as const,
  ),
  [
    'alerts',
    [
      [EXIT.pass, 'every webhook answered 2xx'],
      [EXIT.usage, 'a usage error or a refusal (a wrong token, a server with no webhook)'],
      [EXIT.cannotTest, 'a webhook did not (listed), or the server could not be reached'],
    ],
  ],
  [
    'spool',
    [
      [EXIT.pass, 'nothing waits'],
      [EXIT.usage, 'a usage error (a flag, a token the server refused)'],
      [EXIT.cannotTest, 'samples still wait'],
    ],
  ],
  [
    'hash-password',
    [
      [EXIT.pass, 'the hash printed'],
      [EXIT.usage, 'a password that is not 8 to 256 characters'],
      [EXIT.cannotTest, 'any other failure'],
    ],
  ],
  [
    'coturn-config',
    [
      [EXIT.pass, 'printed or written'],
      [EXIT.usage, 'a usage error (a flag)'],
      [EXIT.cannotTest, 'the files could not be written'],
    ],
  ],
];

/** `text` in lines of at most `width` characters, each but the first indented by `indent` spaces. */
function wrapped(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const rowsText = (rows: readonly Row[]): string => rows.map(([code, meaning]) => `${code} ${meaning}`).join('; ');

/** `callprobe --help`'s last section: every command's exit codes, 80 columns. */
export function exitCodesHelp(): string {
  const pad = Math.max(...EXIT_CODES.map(([c]) => c.length)) + 2;
  return `\nExit codes:\n${EXIT_CODES.map(([c, rows]) => `  ${c.padEnd(pad)}${wrapped(rowsText(rows), 80, pad + 2)}`).join('\n')}\n`;
}

/** A command's --help's last section: its exit codes (run's with and without --every). */
export function commandExitCodesHelp(command: string): string {
  const own = EXIT_CODES.filter(([c]) => c === command || c.startsWith(`${command} `));
  return `\nExit codes:\n${own.map(([c, rows]) => `  ${wrapped(`${c === command ? '' : `${c.slice(command.length + 1)}: `}${rowsText(rows)}`, 80, 2)}`).join('\n')}\n`;
}
