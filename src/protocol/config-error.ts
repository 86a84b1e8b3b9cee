/** The typed error of every value a user gives (a flag, a URI, a file, a query parameter). Pure. */
import { TypedError } from './typed-error.js';

/** Why a value was refused. */
export type ConfigErrorReason = 'bad-value' | 'bad-port' | 'bad-port-range' | 'bad-turn-uri' | 'missing-option' | 'bad-file' | 'cannot-listen' | 'bad-db';

/** A flag, URI or file the user gave cannot be used: a usage error (exit 3), one line. */
export class ConfigError extends TypedError<ConfigErrorReason> {
  override readonly name = 'ConfigError';
}
