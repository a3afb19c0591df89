/**
 * `npm run cli -- <command> …`: shop connect|list|auth-url, sync, link-code, stock set|import,
 * demo-data, migrate, doctor, export. Config comes only from src/config.ts. Bad usage: one line, exit 2.
 */
import 'dotenv/config'
import { pathToFileURL } from 'node:url'
import { openDatabase } from '../../db/database.js'
import { applyMigrations } from '../../db/migrate.js'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { systemClock, type Clock } from '../shared/clock.js'
import { AppError } from '../shared/errors.js'
import { createLogger, registerSecret, type Logger } from '../shared/logger.js'
import { UsageError, type CliCommand, type CliContext } from './context.js'
import { doctorCommand } from './doctor.js'
import { demoDataCommand, linkCodeCommand, shopCommand, stockCommand, syncCommand } from './shop-commands.js'

export const USAGE = `usage: npm run cli -- <command>
  shop connect --code AUTH_CODE     connect the shops of a seller authorization
  shop list                         shops, orders, last sync
  shop auth-url [--us]              a seller authorization link (needs TIKTOK_SERVICE_ID)
  sync [--shop SHOP_ID]             pull orders and cancellation requests now
  link-code --shop SHOP_ID          a one-time code to type as /link CODE in a chat
  stock set --shop ID --sku SKU --qty N
  stock import --shop ID --file STOCK.csv
  stock export --shop ID --out FILE.xlsx|FILE.csv   the stock sheet (import reads it back)
  demo-data [--orders N] [--days D] [--seed S]   fill the database through the simulator
  migrate                           apply database migrations
  doctor                            check config, database, shop and chat tokens
  export --out FILE [filters…]      export orders (run "export --help")`

const migrateCommand: CliCommand = async (argv, ctx) => {
  if (argv.length) throw new UsageError('usage: migrate (no flags)')
  await applyMigrations(ctx.database)
  ctx.out(`migrations applied (${ctx.database.kind})`)
  return 0
}

const exportCommand: CliCommand = async (argv, ctx) => {
  const mod = (await import('./export.js')) as { runExportCli: CliCommand }
  return mod.runExportCli(argv, ctx)
}

const COMMANDS: Record<string, CliCommand> = {
  shop: shopCommand,
  sync: syncCommand,
  'link-code': linkCodeCommand,
  stock: stockCommand,
  'demo-data': demoDataCommand,
  migrate: migrateCommand,
  doctor: doctorCommand,
  export: exportCommand,
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  clock?: Clock
  logger?: Logger
  out?: (line: string) => void
  err?: (line: string) => void
}

/** Runs one CLI command; returns the exit code (0 ok, 1 failed — it said why —, 2 bad usage or config). */
export async function runCli(argv: string[], opts: RunOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'))
  const err = opts.err ?? ((l: string) => process.stderr.write(l + '\n'))
  const [name, ...rest] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    ;(name ? out : err)(USAGE)
    return name ? 0 : 2
  }
  const command = COMMANDS[name]
  if (!command) {
    err(`unknown command "${name}" — run npm run cli -- help for the list`)
    return 2
  }
  let config: Config
  try {
    config = loadConfig(opts.env ?? process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) err(`config error: ${p}`)
      return 2
    }
    throw e
  }
  for (const s of [config.tiktok?.appSecret, config.discord?.token, config.telegram?.token, config.secretKey]) registerSecret(s)
  // logs go to stderr at warn and above unless LOG_LEVEL asks for more; command output goes to stdout
  const logger = opts.logger ?? createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel })
  let database
  try {
    database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir })
  } catch (e) {
    err(`cannot open the database: ${(e as Error).message} — check DATABASE_URL / DATA_DIR`)
    return 1
  }
  try {
    if (name !== 'migrate' && name !== 'doctor') await applyMigrations(database)
    const ctx: CliContext = { config, database, clock: opts.clock ?? systemClock, logger, out, err }
    return await command(rest, ctx)
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message)
      return 2
    }
    if (e instanceof AppError) {
      err(`${e.code === 'bad_input' ? 'bad input' : e.code.replace(/_/g, ' ')}: ${e.message}`)
      return 1
    }
    err(`failed: ${(e as Error).message}`)
    return 1
  } finally {
    await database.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`failed: ${(e as Error).message}`)
      process.exit(1)
    },
  )
}
