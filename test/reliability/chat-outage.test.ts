/**
 * Guarantee 2, a chat outage loses nothing and reorders nothing: while the chat APIs answer 500 for
 * 30 s and then 429 (retry after 5 s) for 30 more, the outbox keeps every message; afterwards each
 * message is delivered once, and in each channel in the order it was written (an edit after its post).
 *
 * The dispatcher runs with its production back-off (2 s doubling, 10 attempts) on a ManualClock that
 * the test moves 1 s per pass, so "60 s" takes a few real seconds. Real ports: telegraf's client
 * through an outage switch to the Bot API stand-in (two groups), discord.js REST to the Discord stand-in.
 */
import { asc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { outbox } from '../../db/schema.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { startDiscordStandIn, type DiscordStandIn } from '../fakes/discord-api.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, unix, uniqueId } from '../support/fixtures.js'
import { startOutageProxy, type OutageProxy } from './outage-proxy.js'
import { discordPort, followingChannel, telegramPort } from './support.js'

const A = -1007200000001
const B = -1007200000002

describeEachDb('reliability: chat outage', (get) => {
  let tg: FakeTelegram
  let proxy: OutageProxy
  let dc: DiscordStandIn

  beforeAll(async () => {
    tg = await FakeTelegram.start()
    tg.addChat({ id: A })
    tg.addChat({ id: B })
    proxy = await startOutageProxy(tg.apiRoot)
    dc = await startDiscordStandIn()
  }, 60_000)
  afterAll(async () => {
    await proxy?.close()
    await tg?.stop()
    await dc?.close()
  })

  it('500 for 30 s, then 429 for 30 s, on Telegram and Discord → afterwards every message once, in order per channel', async () => {
    const { db } = get()
    const clock = new ManualClock('2026-11-20T08:00:00Z')
    const shopId = (await seedShop(db)).id
    const channelIds = {
      a: await followingChannel(db, { platform: 'telegram', externalId: String(A), shopId }),
      b: await followingChannel(db, { platform: 'telegram', externalId: String(B), shopId }),
      d: await followingChannel(db, { platform: 'discord', externalId: dc.channelId, shopId }),
    }
    const deps = { db, clock, logger: silentLogger }
    // a burst: 6 paid orders, then orders #1 and #4 cancelled (an edit of their message)
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const o = platformOrder({ at: clock.now(), buyer_message: `outage order ${i}` })
      ids.push(o.id)
      await processPlatformOrder(deps, shopId, o)
    }
    for (const i of [1, 4])
      await processPlatformOrder(deps, shopId, platformOrder({ id: ids[i], at: clock.now(), status: 'CANCELLED', update_time: unix(clock.now()) + 60, cancel_reason: 'Buyer changed mind' }))
    const rows = await db.select().from(outbox).orderBy(asc(outbox.id))
    expect(rows).toHaveLength(3 * 6 + 3 * 2)

    const dispatcher = createDispatcher({
      db,
      ports: [telegramPort({ token: tg.token, apiRoot: proxy.url }), discordPort({ token: dc.token, apiUrl: dc.apiUrl })],
      clock,
      logger: silentLogger,
    })
    const start = clock.now().getTime()
    const elapsed = () => (clock.now().getTime() - start) / 1000

    // the outage: 500 for 30 s, then 429 (retry after 5 s) for 30 s
    proxy.mode = '500'
    dc.fail({ status: 500, forMs: 10 * 60_000 })
    while (elapsed() < 60) {
      if (elapsed() >= 30 && proxy.mode === '500') {
        proxy.mode = '429'
        proxy.retryAfter = 5
        dc.clearFailures()
        dc.fail({ status: 429, times: 3, retryAfter: 1 }) // discord.js waits these out itself
        dc.fail({ status: 503, forMs: 10 * 60_000 })
      }
      await dispatcher.drainOnce()
      clock.advance(1000)
    }
    expect(tg.sent(A)).toHaveLength(0)
    expect(tg.sent(B)).toHaveLength(0)
    expect(dc.channelMessages()).toHaveLength(0)
    expect(proxy.refused).toBeGreaterThan(5)
    const during = await db.select().from(outbox)
    expect(during.filter((r) => r.status === 'failed')).toEqual([])
    expect(during.filter((r) => r.status === 'sent')).toEqual([])

    // the APIs are back
    proxy.mode = 'up'
    dc.clearFailures()
    for (let i = 0; i < 600; i++) {
      await dispatcher.drainOnce()
      const left = await db.$count(outbox, eq(outbox.status, 'pending'))
      if (left === 0) break
      clock.advance(1000)
    }
    await dispatcher.stop()

    const after = await db.select().from(outbox).orderBy(asc(outbox.id))
    expect(after.map((r) => r.status)).toEqual(after.map(() => 'sent'))
    expect(elapsed()).toBeLessThan(60 + 130) // the longest back-off after 60 s of failures is 64 s

    // each channel: one post per order, in burst order; the two cancelled ones edited once, after their post
    const orderIn = (text: string) => ids.findIndex((id) => text.includes(id))
    for (const chat of [A, B]) {
      const posts = tg.sent(chat)
      expect(posts.map((m) => orderIn(m.text ?? ''))).toEqual([0, 1, 2, 3, 4, 5])
      expect(posts.map((m) => m.edits)).toEqual([0, 1, 0, 0, 1, 0])
      expect(posts[1].text).toMatch(/cancel/i)
      expect(posts[1].reply_markup?.inline_keyboard ?? []).toEqual([])
    }
    const discordPosts = dc.channelMessages().filter((m) => !m.deleted)
    expect(discordPosts.map((m) => orderIn(JSON.stringify(m.api.embeds)))).toEqual([0, 1, 2, 3, 4, 5])
    expect(discordPosts.map((m) => m.history.length)).toEqual([0, 1, 0, 0, 1, 0])
    // per channel, rows were sent in id order (sent_at never goes backwards)
    for (const ch of Object.values(channelIds)) {
      const sentAt = after.filter((r) => r.channelId === ch).map((r) => r.sentAt!.getTime())
      expect(sentAt).toEqual([...sentAt].sort((x, y) => x - y))
    }
    void uniqueId
  }, 120_000)
})
