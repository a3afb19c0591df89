/**
 * What every CLI command receives. `npm run cli -- <command> …` builds one (config from
 * src/config.ts, the database opened and migrated) and hands the remaining arguments to the command.
 * A command returns its exit code: 0 done, 1 something is wrong (it said what), 2 bad usage.
 */
import type { Database } from '../../db/database.js'
import type { Config } from '../config.js'
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'

export interface CliContext {
  config: Config
  database: Database
  clock: Clock
  logger: Logger
  /** one line to stdout */
  out(line: string): void
  /** one line to stderr */
  err(line: string): void
}

/** A command: arguments after its name (e.g. for `export --status all`, `['--status', 'all']`). */
export type CliCommand = (argv: string[], ctx: CliContext) => Promise<number>

/** Bad usage: main prints the message as one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
