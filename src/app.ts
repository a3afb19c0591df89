/**
 * Composition root: builds the database, the shop connection (the real TikTok Shop API, or the
 * built-in simulator when no TikTok app is configured), the core (assistant, outbox dispatcher,
 * minute jobs), the inbound HTTP edge (webhooks, OAuth callback, health), the pull sync and the
 * chat adapters, and stops them in reverse order.
 *
 * Chat adapters are loaded with dynamic import() only when configured, so the core never loads
 * discord.js or telegraf unless a token asks for it.
 *
 * With the simulator (no accounts): on start the simulated shop is connected through the same
 * OAuth code exchange as a real one, the terminal channel is linked to it with a link code (the
 * same /link path a chat uses, which makes the terminal user its admin), stock levels are seeded,
 * a few days of history are generated the first time, and demo traffic starts.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { and, eq } from 'drizzle-orm'
import { openDatabase, type Database } from '../db/database.js'
import { applyMigrations } from '../db/migrate.js'
import { channelShops, channels, stockLevels } from '../db/schema.js'
import { createAssistant } from './assistant/index.js'
import type { Actor, Assistant, ChannelRef } from './assistant/types.js'
import { createLinkCode } from './channels/link-codes.js'
import type { Config } from './config.js'
import { exportCommand } from './exports/command.js'
import { fulfilmentHandlers } from './fulfilment/commands.js'
import { oauthCallbackRoute, healthRoute, tiktokWebhookRoute } from './http/routes.js'
import { startHttpServer, type RunningHttpServer } from './http/server.js'
import { setStock } from './inventory/stock.js'
import { startJobs } from './jobs/index.js'
import type { ChatPort } from './notifications/chat-port.js'
import { createDispatcher, type Dispatcher } from './notifications/dispatcher.js'
import { systemClock, type Clock } from './shared/clock.js'
import { createLogger, registerSecret, type Logger } from './shared/logger.js'
import { installationSecret, tokenCipherFor } from './shop/crypto.js'
import { startDemoTraffic, startSimulator, type Simulator, type SimulatorOptions } from './shop/simulator/index.js'
import { startSyncSchedule, type SyncSchedule } from './shop/sync-schedule.js'
import { workflowSink } from './shop/sync-sink.js'
import { createTikTokConnection, tiktokSettingsFrom, type TikTokConnection, type TikTokSettings } from './shop/tiktok/connection.js'
import { processWebhookEvents } from './shop/webhooks.js'

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

/** The terminal chat as the app sees it (bots/console implements it). */
export interface ConsoleChatHandle {
  port: ChatPort
  channel: ChannelRef
  actor: Actor
  handleLine(line: string): Promise<void>
  idle(): Promise<void>
  stop(): Promise<void>
}

export interface StartOptions {
  clock?: Clock
  logger?: Logger
  /** an open database to use instead of opening one from config (tests); the caller closes it */
  database?: Database
  /** the terminal chat: bound to these streams, off (false), or by config (CONSOLE_CHAT, else on for a TTY with no chat token) */
  console?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; outDir?: string; color?: boolean } | false
  /** simulator overrides (tests): server options, demo traffic and first-start history */
  simulator?: Partial<SimulatorOptions> & {
    demo?: boolean
    history?: { count: number; days: number } | false
    /** save the simulated shop in DATA_DIR/simulator.json (default: when DATA_DIR is a folder) */
    persist?: boolean
  }
  /** run the initial pull sync at start (default true) */
  initialSync?: boolean
}

export interface App {
  ctx: AppContext
  assistant?: Assistant
  shop?: TikTokConnection
  simulator?: Simulator
  http?: RunningHttpServer
  dispatcher?: Dispatcher
  console?: ConsoleChatHandle
  sync?: SyncSchedule
  /** resolves when start-up work in the background (initial sync) is done */
  ready: Promise<void>
  stop(): Promise<void>
}

const isMemory = (dir: string) => dir.startsWith('memory://')

export async function startApp(config: Config, opts: StartOptions = {}): Promise<App> {
  for (const s of [config.tiktok?.appSecret, config.discord?.token, config.telegram?.token, config.secretKey, config.telegram?.webhookSecret])
    registerSecret(s)
  const consoleOn =
    opts.console !== undefined ? opts.console !== false : (config.consoleChat ?? (Boolean(process.stdin.isTTY) && !config.discord && !config.telegram))
  let logFile: WriteStream | undefined
  let logger = opts.logger
  if (!logger) {
    if (consoleOn && opts.console === undefined && !isMemory(config.database.dataDir)) {
      // the terminal is the chat: logs go to a file, only warnings and errors as one short line
      mkdirSync(resolve(config.database.dataDir), { recursive: true })
      const path = join(resolve(config.database.dataDir), 'assistant.log')
      logFile = createWriteStream(path, { flags: 'a' })
      const file = logFile
      logger = createLogger({
        level: config.logLevel,
        sink: (line) => {
          file.write(line + '\n')
          const rec = JSON.parse(line) as { level: string; msg: string }
          if (rec.level === 'warn' || rec.level === 'error') process.stderr.write(`[${rec.level}] ${rec.msg} (details in ${path})\n`)
        },
      })
    } else logger = createLogger({ level: config.logLevel })
  }
  const clock = opts.clock ?? systemClock
  const database = opts.database ?? (await openDatabase({ url: config.database.url, dataDir: config.database.dataDir }))
  const running: Running[] = opts.database ? [] : [{ name: 'database', stop: () => database.close() }]
  const stopAll = async () => {
    for (const r of running.splice(0).reverse()) await r.stop().catch((err) => logger!.error('stop failed', { service: r.name, err }))
    logFile?.end()
  }
  try {
    return await build()
  } catch (err) {
    await stopAll()
    throw err
  }

  async function build(): Promise<App> {
    await applyMigrations(database)
    const log = logger!
    log.info('database ready', { kind: database.kind, where: database.kind === 'pglite' ? config.database.dataDir : 'DATABASE_URL' })
    const ctx: AppContext = { config, database, clock, logger: log }
    const { db } = database
    const app: App = { ctx, ready: Promise.resolve(), stop: stopAll }

    // ---- the shop: the real API, or the simulator standing in for it over HTTP
    let settings: TikTokSettings | undefined = tiktokSettingsFrom(config)
    let sim: Simulator | undefined
    const useSimulator = !settings && config.simulator.enabled
    if (useSimulator) {
      const persist = opts.simulator?.persist ?? !isMemory(config.database.dataDir)
      if (persist) mkdirSync(resolve(config.database.dataDir), { recursive: true })
      const appKey = 'demo-app-key'
      const appSecret = `sim-${installationSecret(config).slice(0, 24)}`
      registerSecret(appSecret)
      sim = await startSimulator({
        appKey,
        appSecret,
        port: config.simulator.port,
        clock,
        seed: 2026,
        statePath: persist ? join(resolve(config.database.dataDir), 'simulator.json') : undefined,
        ...opts.simulator,
      })
      running.push({ name: 'simulator', stop: () => sim!.close() })
      settings = { appKey, appSecret, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl }
      app.simulator = sim
      log.info('shop simulator running', { api: sim.baseUrl, auth: sim.authBaseUrl })
    }
    const shopConfigured = Boolean(settings)
    const chatConfigured = Boolean(config.discord || config.telegram || consoleOn)
    if (!shopConfigured || !chatConfigured) {
      log.warn(
        [
          !shopConfigured ? 'no shop is configured (set TIKTOK_APP_KEY and TIKTOK_APP_SECRET, or SIMULATOR=on)' : '',
          !chatConfigured ? 'no chat is configured (set DISCORD_TOKEN or TELEGRAM_BOT_TOKEN, or CONSOLE_CHAT=on)' : '',
        ]
          .filter(Boolean)
          .join('; ') + ' — the assistant keeps running and waits',
      )
    }
    if (!settings) return app

    const connection = createTikTokConnection({
      settings,
      db,
      cipher: tokenCipherFor(config),
      clock,
      logger: log,
      source: useSimulator ? 'simulator' : 'tiktok',
    })
    app.shop = connection

    // ---- the core
    let dispatcher: Dispatcher | undefined
    const kick = () => dispatcher?.kick()
    const assistant = createAssistant({
      db,
      clock,
      logger: log,
      shop: connection.client,
      defaults: config.defaults,
      handlers: { export: exportCommand, ...fulfilmentHandlers },
      kick,
    })
    app.assistant = assistant
    const sink = workflowSink({ db, clock, logger: log, kick })

    // ---- webhook processing: kicked when one is stored, and every few seconds for retries
    let processing: Promise<unknown> | null = null
    let again = false
    const processWebhooks = () => {
      if (processing) {
        again = true
        return
      }
      processing = (async () => {
        do {
          again = false
          const r = await processWebhookEvents({ db, shop: connection.client, clock, logger: log, sink, kick })
          if (r.processed + r.failed >= 20) again = true
        } while (again)
      })()
        .catch((err) => log.error('webhook processing failed', { err }))
        .finally(() => {
          processing = null
        })
    }
    const webhookTimer = setInterval(processWebhooks, 5_000)
    webhookTimer.unref()
    running.push({
      name: 'webhook worker',
      stop: async () => {
        clearInterval(webhookTimer)
        await processing
      },
    })

    // ---- inbound HTTP: webhooks, OAuth callback, health
    let http: RunningHttpServer
    try {
      http = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        logger: log,
        routes: [
          tiktokWebhookRoute({ db, clock, logger: log, appKey: settings.appKey, appSecret: settings.appSecret, onStored: processWebhooks }),
          oauthCallbackRoute({ clock, logger: log, stateSecret: installationSecret(config), connectShop: (code, actor) => connection.connectShop(code, actor) }),
          healthRoute({ db }),
        ],
      })
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code === 'EADDRINUSE')
        throw new Error(`HTTP_PORT ${config.http.port} on ${config.http.host} is already in use: set HTTP_PORT to a free port (0 picks one)`)
      throw err
    }
    running.push({ name: 'http', stop: () => http.close() })
    app.http = http
    log.info('http listening', { url: http.url })
    sim?.setWebhookUrl(`${http.url}/webhooks/tiktok`)

    // ---- chats
    const ports: ChatPort[] = []
    if (consoleOn) {
      const { startConsoleChat } = await import('../bots/console/index.js')
      const c = opts.console || undefined
      const chat = startConsoleChat({
        assistant,
        input: c?.input,
        output: c?.output,
        outDir: c?.outDir ?? (isMemory(config.database.dataDir) ? join(tmpdir(), 'tiktok-shop-assistant-files') : join(resolve(config.database.dataDir), 'files')),
        color: c?.color,
        clock,
        logger: log,
        defaults: config.defaults,
      })
      running.push({ name: 'console chat', stop: () => chat.stop() })
      ports.push(chat.port)
      app.console = chat
    }
    if (config.discord) {
      const { startDiscordBot } = await import('../bots/discord/index.js')
      const bot = await startDiscordBot({ config, assistant, logger: log })
      running.push({ name: 'discord', stop: () => bot.stop() })
      ports.push(bot.port)
    }
    if (config.telegram) {
      const { startTelegramBot } = await import('../bots/telegram/index.js')
      const bot = await startTelegramBot({ config, assistant, logger: log })
      running.push({ name: 'telegram', stop: () => bot.stop() })
      ports.push(bot.port)
    }

    dispatcher = createDispatcher({ db, ports, clock, logger: log })
    dispatcher.start()
    running.push({ name: 'dispatcher', stop: () => dispatcher!.stop() })
    app.dispatcher = dispatcher

    // ---- the simulated shop: connect, link the terminal, stock, history, traffic
    if (sim) {
      const freshShop = sim.state.orders.size === 0
      const connected = await connection.connectShop(sim.createAuthCode(), 'demo')
      const shopId = connected.shops[0]!.id
      if (app.console) await linkTerminal(app.console, shopId)
      await seedStock(sim, shopId)
      const history = opts.simulator?.history ?? { count: 24, days: 7 }
      if (freshShop && history) sim.generateOrders({ ...history, seed: 2026 })
      if (opts.simulator?.demo ?? true) {
        const demo = startDemoTraffic(sim.state, { ordersPerMinute: config.simulator.ordersPerMinute, logger: log })
        running.push({ name: 'demo traffic', stop: async () => demo.stop() })
      }
    }

    // ---- pull sync (scheduled and now) and the minute jobs
    const sync = startSyncSchedule(
      { db, shop: connection.client, clock, logger: log, sink, refreshExpiringTokens: () => connection.tokens.refreshExpiring() },
      config.syncCron,
    )
    running.push({ name: 'sync', stop: () => sync.stop() })
    app.sync = sync
    const jobs = startJobs({ deps: { db, clock, logger: log }, dispatcher })
    running.push({ name: 'jobs', stop: () => jobs.stop() })
    if (opts.initialSync ?? true)
      app.ready = sync
        .runNow()
        .then(() => undefined)
        .catch((err) => log.warn('initial sync failed; the schedule retries', { err }))
    return app
  }

  /** Links the terminal to the shop through a link code, as a chat would with /link (once). */
  async function linkTerminal(chat: ConsoleChatHandle, shopId: string): Promise<void> {
    const { db } = database
    const [linked] = await db
      .select({ id: channels.id })
      .from(channels)
      .innerJoin(channelShops, eq(channelShops.channelId, channels.id))
      .where(and(eq(channels.platform, chat.channel.platform), eq(channels.externalId, chat.channel.externalId), eq(channelShops.shopId, shopId)))
    if (linked) return
    const code = await createLinkCode(db, shopId, clock)
    await chat.handleLine(`/link ${code}`)
  }

  /** Stock levels for the simulated shop's SKUs, the first time (some are short on purpose). */
  async function seedStock(sim: Simulator, shopId: string): Promise<void> {
    const { db } = database
    const [any] = await db.select({ sku: stockLevels.sellerSku }).from(stockLevels).where(eq(stockLevels.shopId, shopId)).limit(1)
    if (any) return
    const now = clock.now()
    await db.transaction(async (tx) => {
      for (const sku of sim.state.allSkus())
        await setStock(tx, { shopId, sellerSku: sku.sellerSku, quantity: Math.max(0, sku.stock), actor: 'demo', actorName: 'demo set-up', now })
    })
  }
}
