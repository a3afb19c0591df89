/**
 * Guarantee 1, nothing twice: the same TikTok webhook delivered 10 times (one after another and at
 * once), and the pull sync re-run over the same orders, give one order row, one outbox row per
 * channel and one chat message. Real path: simulator → signed webhook → HTTP edge → webhook worker
 * → real TikTok client re-read → workflow core → outbox → dispatcher → Telegram port → Bot API stand-in.
 */
import { eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orders, outbox, webhookEvents } from '../../db/schema.js'
import { tiktokWebhookRoute } from '../../src/http/routes.js'
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js'
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { syncShop } from '../../src/shop/sync.js'
import { workflowSink } from '../../src/shop/sync-sink.js'
import { drainWebhookEvents } from '../../src/shop/webhooks.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { APP_KEY, APP_SECRET, connectSimulatedShop, followingChannel, telegramPort, type ShopSetup } from './support.js'

const GROUP = -1007000000001
const OTHER = -1007000000002

describeEachDb('reliability: duplicates', (get) => {
  let shop: ShopSetup
  let tg: FakeTelegram
  let server: RunningHttpServer
  let dispatcher: Dispatcher
  const deps = () => ({ db: get().db, clock: systemClock, logger: silentLogger })
  const sink = () => workflowSink(deps())
  const processEvents = () => drainWebhookEvents({ ...deps(), shop: shop.conn.client, sink: sink() })
  const sync = () => syncShop({ ...deps(), shop: shop.conn.client, sink: sink() }, shop.shopId)

  beforeAll(async () => {
    const { db } = get()
    shop = await connectSimulatedShop(db)
    tg = await FakeTelegram.start()
    tg.addChat({ id: GROUP })
    tg.addChat({ id: OTHER })
    await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId: shop.shopId })
    await followingChannel(db, { platform: 'telegram', externalId: String(OTHER), shopId: shop.shopId })
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [tiktokWebhookRoute({ db, clock: systemClock, logger: silentLogger, appKey: APP_KEY, appSecret: APP_SECRET })],
    })
    shop.sim.setWebhookUrl(`${server.url}/webhooks/tiktok`)
    dispatcher = createDispatcher({ db, ports: [telegramPort({ token: tg.token, apiRoot: tg.apiRoot })], clock: systemClock, logger: silentLogger })
  }, 60_000)
  afterAll(async () => {
    await dispatcher?.stop()
    await server?.close()
    await shop?.sim.close()
    await tg?.stop()
  })

  const repost = (body: string, signature: string) =>
    fetch(`${server.url}/webhooks/tiktok`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: signature }, body })
  const messagesAbout = (chat: number, orderId: string) => tg.sent(chat).filter((m) => m.text?.includes(orderId))

  it('the same webhook 10× and a re-run sync → one order row, one outbox row and one message per channel', async () => {
    const { db } = get()
    const so = shop.sim.state.createOrder({ buyerNote: 'duplicate me' })
    const orderId = so.o.id
    expect(await shop.sim.webhooks.settle()).toBe(true)
    const deliveries = shop.sim.webhooks.log.filter((d) => d.body.includes(orderId))
    expect(deliveries.length).toBeGreaterThan(0)
    expect(deliveries.every((d) => d.state === 'delivered')).toBe(true)
    // TikTok retries with the same notification id and body: 9 more, the last 5 at the same moment
    for (const d of deliveries) {
      for (let i = 0; i < 4; i++) expect((await repost(d.body, d.signature)).status).toBe(200)
      const burst = await Promise.all(Array.from({ length: 5 }, () => repost(d.body, d.signature)))
      expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
      const key = `tts:${d.notificationId}`
      expect(await db.$count(webhookEvents, eq(webhookEvents.eventKey, key)), key).toBe(1)
    }
    await processEvents()
    await dispatcher.drainOnce()
    // the pull sync runs over the same order, twice, and the webhooks are processed again
    expect((await sync()).ok).toBe(true)
    expect((await sync()).ok).toBe(true)
    for (const d of deliveries) await repost(d.body, d.signature)
    await processEvents()
    await dispatcher.drainOnce()

    expect(await db.$count(orders, eq(orders.id, orderId))).toBe(1)
    expect(await db.$count(outbox, like(outbox.dedupeKey, `order:${orderId}:new@%`))).toBe(2)
    expect(messagesAbout(GROUP, orderId)).toHaveLength(1)
    expect(messagesAbout(OTHER, orderId)).toHaveLength(1)
    expect(messagesAbout(GROUP, orderId)[0].text).toContain('duplicate me')
  })

  it('a burst of 12 orders, each webhook delivered 3× concurrently while a sync runs → each order posted once', async () => {
    const { db } = get()
    const made = Array.from({ length: 12 }, (_, i) => shop.sim.state.createOrder({ buyerNote: `burst ${i}` }).o.id)
    expect(await shop.sim.webhooks.settle()).toBe(true)
    const deliveries = shop.sim.webhooks.log.filter((d) => made.some((id) => d.body.includes(id)))
    await Promise.all([
      ...deliveries.flatMap((d) => [repost(d.body, d.signature), repost(d.body, d.signature), repost(d.body, d.signature)]),
      sync(),
      processEvents(),
    ])
    await processEvents()
    await sync()
    await dispatcher.drainOnce()
    for (const id of made) {
      expect(await db.$count(orders, eq(orders.id, id))).toBe(1)
      expect(messagesAbout(GROUP, id), id).toHaveLength(1)
      expect(messagesAbout(OTHER, id), id).toHaveLength(1)
    }
  })
})
