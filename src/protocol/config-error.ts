/** The typed error of every value a user gives (a flag, a URI, a file, a query parameter). Pure. */

/** Why a value was refused. */
export type ConfigErrorReason = 'bad-value' | 'bad-port' | 'bad-port-range' | 'bad-turn-uri' | 'missing-option' | 'bad-file' | 'cannot-listen' | 'bad-db';

/** A flag, URI or file the user gave cannot be used: a usage error (exit 3), one line. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly reason: ConfigErrorReason = 'bad-value',
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
