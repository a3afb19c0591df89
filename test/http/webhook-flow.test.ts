/**
 * Webhooks end to end: the simulator sends signed webhooks over HTTP to our edge; the worker re-reads
 * the platform and hands the records to the workflow core. The same webhook 10× is one event and one
 * chat message; a buyer cancellation request arrives with its answer-by time; a deauthorization marks
 * the shop and tells the channel.
 */
import { and, eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cancellations, channelShops, channels, orders, outbox, shops, webhookEvents } from '../../db/schema.js'
import { tiktokWebhookRoute } from '../../src/http/routes.js'
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js'
import { silentLogger } from '../../src/shared/logger.js'
import { workflowSink } from '../../src/shop/sync-sink.js'
import { webhookSignature } from '../../src/shop/tiktok/sign.js'
import { drainWebhookEvents, type WebhookProcessDeps } from '../../src/shop/webhooks.js'
import { describeEachDb } from '../support/db.js'
import { APP_KEY, APP_SECRET, shopHarness, type ShopHarness } from '../shop/harness.js'

describeEachDb('webhooks from the simulator to the core', (get) => {
  let h: ShopHarness
  let server: RunningHttpServer
  let channelId: number
  let deps: WebhookProcessDeps
  beforeAll(async () => {
    const { db } = get()
    h = await shopHarness(get(), { sim: { webhookRetryDelaysMs: [50] } })
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [tiktokWebhookRoute({ db, clock: h.clock, logger: silentLogger, appKey: APP_KEY, appSecret: APP_SECRET })],
    })
    h.sim.setWebhookUrl(`${server.url}/webhooks/tiktok`)
    const [ch] = await db.insert(channels).values({ platform: 'console', externalId: 'webhook-flow', title: 'test' }).returning()
    channelId = ch.id
    await db.insert(channelShops).values({ channelId, shopId: h.shopId, linkedBy: 'test' })
    deps = { db, shop: h.conn.client, clock: h.clock, logger: silentLogger, sink: workflowSink({ db, clock: h.clock, logger: silentLogger }) }
  })
  afterAll(async () => {
    await server?.close()
    await h?.close()
  })

  const messagesFor = (prefix: string) =>
    get().db.select().from(outbox).where(and(eq(outbox.channelId, channelId), like(outbox.dedupeKey, `${prefix}%`)))

  it('a new paid order: one event, the order re-read and stored, one message; the same webhook 10× changes nothing', async () => {
    const { db } = get()
    const created = h.sim.state.createOrder({ hold: false })
    await h.sim.webhooks.settle()
    const delivery = h.sim.webhooks.log.find((d) => d.type === 1 && d.body.includes(created.o.id))
    expect(delivery?.state).toBe('delivered')
    const r = await drainWebhookEvents(deps)
    expect(r.failed).toBe(0)
    const [row] = await db.select().from(orders).where(eq(orders.id, created.o.id))
    expect(row).toBeTruthy()
    const before = await messagesFor(`order:${created.o.id}:`)
    expect(before.length).toBe(1)
    // TikTok retries: the very same delivery 10 more times
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.url}/webhooks/tiktok`, { method: 'POST', headers: { authorization: delivery!.signature, 'content-type': 'application/json' }, body: delivery!.body })
      expect(res.status).toBe(200)
    }
    await drainWebhookEvents(deps)
    const id = JSON.parse(delivery!.body).tts_notification_id
    expect(await db.$count(webhookEvents, eq(webhookEvents.eventKey, `tts:${id}`))).toBe(1)
    expect(await messagesFor(`order:${created.o.id}:`)).toHaveLength(1)
    const [ev] = await db.select().from(webhookEvents).where(eq(webhookEvents.eventKey, `tts:${id}`))
    expect(ev.processedAt).not.toBeNull()
    expect(ev.lastError).toBeNull()
  }, 120_000)

  it('a buyer cancellation request (type 11) is stored with the platform’s answer-by time', async () => {
    const { db } = get()
    const created = h.sim.state.createOrder({ hold: false })
    h.clock.advanceMinutes(5)
    const c = h.sim.state.buyerRequestCancel(created.o.id)
    await h.sim.webhooks.settle()
    await drainWebhookEvents(deps)
    const [row] = await db.select().from(cancellations).where(eq(cancellations.id, c.cancel_id))
    expect(row).toMatchObject({ orderId: created.o.id, state: 'pending' })
    const deadline = c.seller_next_action_response?.find((a) => a.action === 'SELLER_RESPOND_CANCEL')?.deadline
    expect(row.respondBy?.getTime()).toBe(deadline! * 1000)
    expect(await messagesFor(`cancel:${c.cancel_id}`)).not.toHaveLength(0)
  }, 120_000)

  it('a deauthorization (type 6) marks the shop and tells the channel once', async () => {
    const { db } = get()
    const body = JSON.stringify({ type: 6, tts_notification_id: '7380066284010099999', shop_id: h.shopId, timestamp: Math.floor(h.clock.now().getTime() / 1000), data: { message: 'seller deauthorized the app' } })
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/webhooks/tiktok`, { method: 'POST', headers: { authorization: webhookSignature(APP_KEY, APP_SECRET, body) }, body })
      expect(res.status).toBe(200)
    }
    await drainWebhookEvents(deps)
    const [shop] = await db.select().from(shops).where(eq(shops.id, h.shopId))
    expect(shop.authorized).toBe(false)
    expect(shop.deauthorizedAt).not.toBeNull()
    const msgs = await messagesFor('shop-deauthorized:')
    expect(msgs).toHaveLength(1)
    expect((msgs[0].payload as { kind: string }).kind).toBe('shop_deauthorized')
    // the shop is no longer called: a sync of it reports why instead of calling the platform
    await expect(h.conn.client.searchOrders(h.shopId, { pageSize: 1 })).rejects.toMatchObject({ code: 'shop_error', params: { notConnected: true } })
  }, 120_000)
})
