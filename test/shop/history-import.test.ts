/**
 * A shop's history (orders paid before its first pull sync began) against the simulator over HTTP:
 * imported without a "new order" message each, summed up once per following chat when the first
 * sync completes; orders paid since are posted one by one; an update of an order reaches only the
 * chats that were sent the order.
 */
import { and, eq, like, sql } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { orders, outbox, shops } from '../../db/schema.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import type { ShopPort } from '../../src/shop/port.js'
import { syncShop } from '../../src/shop/sync.js'
import { followingChannel } from '../reliability/support.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

describeEachDb('a shop’s history', (get) => {
  let h: ShopHarness
  let en: number
  let zh: number
  beforeEach(async () => {
    // each test on its own shop and orders (the seeds decide the ids; tests share the database)
    h = await shopHarness(get(), { sim: { seed: Math.floor(Math.random() * 1e9) } })
    en = await followingChannel(get().db, { platform: 'console', externalId: `en-${h.shopId}`, shopId: h.shopId })
    zh = await followingChannel(get().db, { platform: 'console', externalId: `zh-${h.shopId}`, shopId: h.shopId, locale: 'zh-CN' })
  })
  afterEach(() => h?.close())

  const keys = async (pattern: string) =>
    (await get().db.select({ k: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, pattern))).map((r) => r.k).sort()
  const summaries = async () =>
    (await get().db.select().from(outbox).where(like(outbox.dedupeKey, `import:${h.shopId}@%`))).map((m) => ({ channelId: m.channelId, msg: m.payload as NeutralMessage }))
  /** "new order" posts to this test's two chats */
  const newOrderPosts = async () => keys(`order:%:new@%`).then((ks) => ks.filter((k) => k.endsWith(`:new@${en}`) || k.endsWith(`:new@${zh}`)))
  const wire = (id: string) => h.sim.state.wire(h.sim.state.order(id)) as unknown as PlatformOrder

  it('the first sync imports it quietly: one summary per chat with what is still to ship; its buyer requests are posted', async () => {
    h.sim.generateOrders({ count: 150, days: 5, seed: Math.floor(Math.random() * 1e9) })
    const pending = [...h.sim.state.cancellations.values()].filter((c) => c.cancel_status === 'CANCELLATION_REQUEST_PENDING')
    expect(pending.length).toBeGreaterThan(0)
    const r = await syncShop(h.syncDeps(), h.shopId)
    expect(r.ok).toBe(true)
    expect(await newOrderPosts()).toEqual([])
    // what a seller must still answer is posted as usual
    for (const c of pending) expect(await keys(`cancel:${c.cancel_id}:%`)).toHaveLength(2)

    // the figures, from the rows as stored
    const now = h.clock.now().getTime()
    const held = await get().db.select().from(orders).where(eq(orders.shopId, h.shopId))
    const open = held.filter((o) => o.status === 'awaiting_shipment' || o.status === 'cancelling')
    const late = open.filter((o) => (o.packByAt && o.packByAt.getTime() < now && !o.packedAt) || (o.handoverByAt && o.handoverByAt.getTime() < now && !o.handedOverAt))
    const short = open.filter((o) => (o.stockCheck as { ok?: boolean } | null)?.ok === false)
    expect(held).toHaveLength(150)
    expect(open.length).toBeGreaterThan(0)
    const sums = await summaries()
    expect(sums.map((s) => s.channelId).sort()).toEqual([en, zh].sort())
    const text = (m: NeutralMessage) => JSON.stringify([m.title, m.lines])
    const mine = sums.find((s) => s.channelId === en)!.msg
    expect(mine.kind).toBe('import_summary')
    expect(text(mine)).toContain('150 orders are now here')
    expect(text(mine)).toContain(`${open.length} of them are still to ship: ${late.length} past a deadline, ${short.length} short of stock`)
    expect(text(sums.find((s) => s.channelId === zh)!.msg)).toContain(`已导入 150 个订单`)

    // told once: later syncs change nothing
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await summaries()).toHaveLength(2)
  }, 120_000)

  it('orders paid since are posted one by one; an update reaches only the chats that were sent the order', async () => {
    h.sim.generateOrders({ count: 60, days: 3, seed: Math.floor(Math.random() * 1e9) })
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    const historyOrder = [...h.sim.state.orders.values()].find((r) => r.o.status === 'AWAITING_SHIPMENT' && !r.pendingCancelId && r.o.packages?.length)!
    expect(historyOrder).toBeDefined()

    h.clock.advanceMinutes(5)
    const fresh = h.sim.state.createOrder({ shippingType: 'TIKTOK' })
    const asked = h.sim.state.createOrder({})
    for (const rec of [fresh, asked]) if (rec.o.status === 'ON_HOLD') h.sim.state.releaseHold(rec.o.id)
    const request = h.sim.state.buyerRequestCancel(asked.o.id)
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await newOrderPosts()).toEqual([fresh, asked].flatMap((r) => [`order:${r.o.id}:new@${en}`, `order:${r.o.id}:new@${zh}`]).sort())
    expect(await keys(`cancel:${request.cancel_id}:%`)).toHaveLength(2)

    // a chat that follows the shop from now on; then the request is accepted and both orders ship
    const late = await followingChannel(get().db, { platform: 'console', externalId: `late-${h.shopId}`, shopId: h.shopId })
    h.clock.advanceMinutes(5)
    h.sim.state.approveCancellation(request.cancel_id)
    for (const rec of [fresh, historyOrder]) {
      h.sim.state.ship(h.sim.state.order(rec.o.id).o.packages![0].id)
      h.sim.state.collect(rec.o.id) // handed over: in transit
    }
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await keys(`order:${fresh.o.id}:status:%`)).toEqual([`order:${fresh.o.id}:status:shipped@${en}`, `order:${fresh.o.id}:status:shipped@${zh}`].sort())
    expect((await keys(`cancel:${request.cancel_id}:closed:%`)).map((k) => k.split('@')[1]).sort()).toEqual([String(en), String(zh)].sort())
    expect(await keys(`%@${late}`)).toEqual([])
    // the history order was never posted: its update is not either
    expect(await keys(`order:${historyOrder.o.id}:%`)).toEqual([])
  }, 120_000)

  it('an old order first seen through a webhook is history too; a new one is posted', async () => {
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true) // the first sync: nothing yet
    expect(await summaries()).toEqual([]) // it brought nothing: nothing to tell
    // orders paid before that sync, which it did not see (the platform listed them late)
    const old = h.sim.generateOrders({ count: 40, days: 2, seed: Math.floor(Math.random() * 1e9) }).find((r) => r.o.status === 'AWAITING_SHIPMENT')!
    const fresh = h.sim.state.createOrder({})
    if (fresh.o.status === 'ON_HOLD') h.sim.state.releaseHold(fresh.o.id)
    const sink = h.syncDeps().sink
    await sink.order(h.shopId, wire(old.o.id))
    await sink.order(h.shopId, wire(fresh.o.id))
    expect(await get().db.$count(orders, eq(orders.id, old.o.id))).toBe(1)
    const [stored] = await get().db.select({ check: orders.stockCheck }).from(orders).where(eq(orders.id, old.o.id))
    expect(stored.check).not.toBeNull() // stock checked all the same
    expect(await newOrderPosts()).toEqual([`order:${fresh.o.id}:new@${en}`, `order:${fresh.o.id}:new@${zh}`].sort())
    // the import was done (empty): no summary comes later either
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await summaries()).toEqual([])
  }, 120_000)

  it('a first sync cut short by an outage tells nothing yet; the run that completes it tells once', async () => {
    h.sim.generateOrders({ count: 300, days: 5, seed: Math.floor(Math.random() * 1e9) })
    const deps = h.syncDeps({ options: { pageSize: 50, readAheadPages: 1 } })
    let pages = 0
    const shop = Object.create(deps.shop) as ShopPort
    shop.searchOrders = async (shopId, q) => {
      const p = await deps.shop.searchOrders(shopId, q)
      if (++pages === 2) h.sim.setOutage(true)
      return p
    }
    const r1 = await syncShop({ ...deps, shop }, h.shopId)
    h.sim.setOutage(false)
    expect(r1.ok).toBe(false)
    const [{ n }] = await rows<{ n: string }>(get().db, sql`select count(*) as n from orders where shop_id = ${h.shopId}`)
    expect(Number(n)).toBeGreaterThan(0)
    expect(Number(n)).toBeLessThan(300)
    expect(await summaries()).toEqual([])
    const [shopRow] = await get().db.select().from(shops).where(eq(shops.id, h.shopId))
    expect(shopRow.historyBefore).not.toBeNull()
    expect(shopRow.importedAt).toBeNull()

    h.clock.advanceMinutes(3)
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await get().db.$count(orders, and(eq(orders.shopId, h.shopId)))).toBe(300)
    expect(await newOrderPosts()).toEqual([]) // the second run went on with the same history
    expect(await summaries()).toHaveLength(2)
  }, 120_000)
})
