/**
 * The Discord adapter: a discord.js Client over the gateway (works behind NAT), slash commands
 * registered per guild when the bot joins, interactions handed to the core, and the ChatPort the
 * outbox dispatcher posts through.
 */
import { Client, Events, GatewayIntentBits, REST, Routes, type RateLimitData } from 'discord.js'
import type { Assistant } from '../../src/assistant/types.js'
import type { Config } from '../../src/config.js'
import type { ChatPort } from '../../src/notifications/chat-port.js'
import { AppError } from '../../src/shared/errors.js'
import type { Logger } from '../../src/shared/logger.js'
import { registerSecret } from '../../src/shared/logger.js'
import { commandDefinitions } from './commands.js'
import { handleInteraction } from './interactions.js'
import { createDiscordChatPort } from './port.js'

export interface DiscordBot {
  port: ChatPort
  client: Client
  stop(): Promise<void>
}

export interface DiscordBotOptions {
  config: Config
  assistant: Assistant
  logger: Logger
  /** A channel-message rate limit longer than this is not waited out inside discord.js: it surfaces
   * as ChatRetryAfter so the outbox schedules the retry (default 1500 ms). */
  maxRateLimitWaitMs?: number
  /** how long to wait for the gateway session and the guilds (default 30 s) */
  readyTimeoutMs?: number
  progressEveryMs?: number
}

/** DISCORD_API_URL → the REST root discord.js expects (…/api, without the version). */
export function restRoot(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined
  const u = new URL(apiUrl)
  let path = u.pathname.replace(/\/+$/, '').replace(/\/v\d+$/, '')
  if (!path) path = '/api'
  u.pathname = path
  return u.toString().replace(/\/+$/, '')
}

function discordConfig(config: Config) {
  if (!config.discord) throw new AppError('config', 'DISCORD_TOKEN is not set: the Discord bot cannot start')
  registerSecret(config.discord.token)
  return config.discord
}

export async function startDiscordBot(opts: DiscordBotOptions): Promise<DiscordBot> {
  const dc = discordConfig(opts.config)
  const logger = opts.logger.child({ chat: 'discord' })
  const maxWait = opts.maxRateLimitWaitMs ?? 1500
  const api = restRoot(dc.apiUrl)
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    rest: {
      ...(api ? { api } : {}),
      // Outbox posts must not block on a long rate limit; interaction replies may wait (15 min token).
      rejectOnRateLimit: (d: RateLimitData) => d.route.startsWith('/channels/') && Math.max(d.retryAfter, d.timeToReset) > maxWait,
    },
  })

  const inFlight = new Set<Promise<void>>()
  const registered = new Set<string>()

  async function registerGuild(guildId: string): Promise<void> {
    if (registered.has(guildId)) return
    registered.add(guildId)
    const appId = client.application?.id ?? client.user?.id
    if (!appId) return
    try {
      const defs = commandDefinitions()
      // When the commands are registered globally (the CLI), a guild copy would show each one twice.
      const global = await (client.rest.get(Routes.applicationCommands(appId)) as Promise<{ name: string }[]>).catch((err) => {
        logger.debug('could not list global commands; registering per server', { err })
        return [] as { name: string }[]
      })
      const globalNames = new Set(global.map((c) => c.name))
      const covered = defs.every((d) => globalNames.has(d.name))
      await client.rest.put(Routes.applicationGuildCommands(appId, guildId), { body: covered ? [] : defs })
      logger.info('slash commands registered', { guildId, count: covered ? 0 : defs.length, global: covered })
    } catch (err) {
      registered.delete(guildId)
      logger.error('could not register slash commands', { guildId, err })
    }
  }

  client.on(Events.Error, (err) => logger.error('discord client error', { err }))
  client.on(Events.Warn, (message) => logger.warn('discord warning', { message }))
  client.on(Events.ShardDisconnect, (ev, shard) => logger.warn('discord gateway disconnected', { shard, code: ev.code }))
  client.on(Events.ShardReconnecting, (shard) => logger.info('discord gateway reconnecting', { shard }))
  client.on(Events.ShardResume, (shard, replayed) => logger.info('discord gateway resumed', { shard, replayed }))
  client.on(Events.ShardError, (err, shard) => logger.warn('discord gateway error', { shard, err }))
  client.on(Events.GuildCreate, (g) => void registerGuild(g.id))
  client.on(Events.InteractionCreate, (i) => {
    const p = handleInteraction(i, { assistant: opts.assistant, logger, operatorRole: dc.operatorRole, progressEveryMs: opts.progressEveryMs })
      .catch((err) => logger.error('discord interaction handler crashed', { err }))
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  })

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AppError('config', 'Discord did not finish connecting in time: check DISCORD_TOKEN and DISCORD_API_URL')),
      opts.readyTimeoutMs ?? 30_000,
    )
    client.once(Events.ClientReady, async (c) => {
      clearTimeout(timer)
      await Promise.all(c.guilds.cache.map((g) => registerGuild(g.id)))
      resolve()
    })
  })
  try {
    await client.login(dc.token)
    await ready
  } catch (err) {
    await client.destroy().catch(() => {})
    const msg = (err as Error).message ?? String(err)
    throw /token/i.test(msg) ? new AppError('config', `DISCORD_TOKEN was refused by Discord: ${msg}`) : err
  }
  logger.info('discord bot ready', { user: client.user?.tag, guilds: client.guilds.cache.size })

  return {
    port: createDiscordChatPort(client.rest),
    client,
    async stop() {
      const pending = [...inFlight]
      await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 5000).unref())])
      await client.destroy()
    },
  }
}

/** Registers the slash commands globally (all guilds; Discord may take up to an hour to show them). */
export async function registerGlobalCommands(config: Config, logger?: Logger): Promise<{ applicationId: string; count: number }> {
  const dc = discordConfig(config)
  const api = restRoot(dc.apiUrl)
  const rest = new REST(api ? { api } : {}).setToken(dc.token)
  const app = (await rest.get(Routes.currentApplication())) as { id: string }
  const defs = commandDefinitions()
  await rest.put(Routes.applicationCommands(app.id), { body: defs })
  logger?.info('global slash commands registered', { applicationId: app.id, count: defs.length })
  return { applicationId: app.id, count: defs.length }
}
