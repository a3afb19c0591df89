/**
 * Shared set-up for the reliability suites: the real chat ports (telegraf's Telegram client, the
 * discord.js REST client) pointed at the local stand-ins without a gateway or polling, the real
 * TikTok Shop client pointed at the simulator, and channels that follow a shop.
 */
import { REST } from 'discord.js'
import { Telegram } from 'telegraf'
import { restRoot } from '../../bots/discord/bot.js'
import { createDiscordChatPort } from '../../bots/discord/port.js'
import { TelegramChatPort } from '../../bots/telegram/chat-port.js'
import { SendLimiter, type RateLimits } from '../../bots/telegram/rate-limit.js'
import type { Db, Executor } from '../../db/database.js'
import { channelMembers, channelShops, channels } from '../../db/schema.js'
import type { ChatPort } from '../../src/notifications/chat-port.js'
import { silentLogger, type Logger } from '../../src/shared/logger.js'
import type { Clock } from '../../src/shared/clock.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/shop/simulator/index.js'
import { createTikTokConnection, type TikTokConnection } from '../../src/shop/tiktok/connection.js'

/** Limits roomy enough that a test's burst is not held back by Telegram's 20-a-minute per group. */
export const ROOMY_TELEGRAM: RateLimits = { perChat: 100_000, perChatWindowMs: 60_000, global: 100_000, globalWindowMs: 1000 }

/** The Telegram ChatPort of the adapter (bots/telegram) over telegraf's client, against a Bot API root. */
export function telegramPort(o: { token: string; apiRoot: string; limits?: RateLimits; logger?: Logger; maxWaitMs?: number }): TelegramChatPort {
  return new TelegramChatPort({
    telegram: new Telegram(o.token, { apiRoot: o.apiRoot, webhookReply: false }),
    limiter: new SendLimiter(o.limits ?? ROOMY_TELEGRAM),
    logger: o.logger ?? silentLogger,
    maxWaitMs: o.maxWaitMs,
  })
}

/**
 * The Discord ChatPort of the adapter (bots/discord) over discord.js REST, against a REST root.
 * Like the bot, a long 429 on a channel route is handed to the outbox as ChatRetryAfter.
 */
export function discordPort(o: { token: string; apiUrl: string; retries?: number; timeoutMs?: number; maxRateLimitWaitMs?: number }): ChatPort {
  const maxWait = o.maxRateLimitWaitMs ?? 1500
  const rest = new REST({
    api: restRoot(o.apiUrl)!,
    retries: o.retries ?? 0,
    timeout: o.timeoutMs ?? 5000,
    rejectOnRateLimit: (d) => d.route.startsWith('/channels/') && Math.max(d.retryAfter, d.timeToReset) > maxWait,
  }).setToken(o.token)
  return createDiscordChatPort(rest)
}

/** A channel of `platform` following `shopId`, with an operator; returns its id. */
export async function followingChannel(
  db: Executor,
  o: { platform: 'telegram' | 'discord' | 'console'; externalId: string; shopId: string; locale?: string; timeZone?: string; operators?: string[]; thresholds?: number[] },
): Promise<number> {
  const [c] = await db
    .insert(channels)
    .values({
      platform: o.platform,
      externalId: o.externalId,
      title: 'team',
      locale: o.locale ?? 'en',
      timeZone: o.timeZone ?? 'UTC',
      ...(o.thresholds ? { warnThresholdsMinutes: o.thresholds } : {}),
    })
    .returning()
  await db.insert(channelShops).values({ channelId: c.id, shopId: o.shopId, linkedBy: 'test' })
  for (const u of o.operators ?? []) await db.insert(channelMembers).values({ channelId: c.id, userKey: u, role: 'operator', grantedBy: 'test' })
  return c.id
}

export const APP_KEY = 'reliability-app-key'
export const APP_SECRET = 'reliability-app-secret-4f1c9a'
export const CIPHER_KEY = 'reliability-token-cipher-key-0001'

export interface ShopSetup {
  sim: Simulator
  conn: TikTokConnection
  shopId: string
}

/** The simulator and the real TikTok Shop client, with the simulator's shop connected (tokens stored encrypted). */
export async function connectSimulatedShop(
  db: Db,
  o: { clock?: Clock; logger?: Logger; sim?: Partial<SimulatorOptions>; timeoutMs?: number; appSecret?: string } = {},
): Promise<ShopSetup> {
  const appSecret = o.appSecret ?? APP_SECRET
  const sim = await startSimulator({ appKey: APP_KEY, appSecret, tickMs: false, seed: 11, ...(o.clock ? { clock: o.clock } : {}), ...o.sim })
  const conn = createTikTokConnection({
    settings: { appKey: APP_KEY, appSecret, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
    db,
    cipher: tokenCipher(CIPHER_KEY),
    clock: o.clock,
    logger: o.logger,
    source: 'simulator',
    timeoutMs: o.timeoutMs,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
  })
  const shopId = (await conn.connectShop(sim.createAuthCode())).shops[0].id
  return { sim, conn, shopId }
}

/** Polls until `check` returns something truthy. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 25): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
