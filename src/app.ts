/**
 * Composition root: builds the database, the shop connection, the core services, the chat
 * adapters and the jobs, and stops them in reverse order.
 */
import { openDatabase, type Database } from '../db/database.js'
import { applyMigrations } from '../db/migrate.js'
import type { Config } from './config.js'
import { systemClock, type Clock } from './shared/clock.js'
import { createLogger, registerSecret, type Logger } from './shared/logger.js'

export interface AppContext {
  config: Config
  database: Database
  clock: Clock
  logger: Logger
}

/** Something the app started and must stop on shutdown. */
export interface Running {
  name: string
  stop(): Promise<void>
}

export interface App {
  ctx: AppContext
  stop(): Promise<void>
}

export async function startApp(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<App> {
  for (const s of [config.tiktok?.appSecret, config.discord?.token, config.telegram?.token, config.secretKey, config.telegram?.webhookSecret])
    registerSecret(s)
  const logger = opts.logger ?? createLogger({ level: config.logLevel })
  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir })
  await applyMigrations(database)
  logger.info('database ready', { kind: database.kind, where: database.kind === 'pglite' ? config.database.dataDir : 'DATABASE_URL' })
  const ctx: AppContext = { config, database, clock: opts.clock ?? systemClock, logger }
  const running: Running[] = []

  const shopConfigured = Boolean(config.tiktok) || config.simulator.enabled
  const chatConfigured = Boolean(config.discord || config.telegram || config.consoleChat)
  if (!shopConfigured || !chatConfigured) {
    logger.warn(
      [
        !shopConfigured ? 'no shop is configured (set TIKTOK_APP_KEY and TIKTOK_APP_SECRET, or SIMULATOR=on)' : '',
        !chatConfigured ? 'no chat is configured (set DISCORD_TOKEN or TELEGRAM_BOT_TOKEN, or CONSOLE_CHAT=on)' : '',
      ]
        .filter(Boolean)
        .join('; ') + ' — the assistant keeps running and waits',
    )
  }

  return {
    ctx,
    async stop() {
      for (const r of running.reverse()) {
        await r.stop().catch((err) => logger.error('stop failed', { service: r.name, err }))
      }
      await database.close()
    },
  }
}
