/**
 * A shop's history (orders paid before its first pull sync began) against the simulator over HTTP:
 * imported without a "new order" message each, summed up once per following chat when the first
 * sync completes; orders paid since are posted one by one; an update of an order reaches only the
 * chats that were sent the order.
 */
import { and, eq, like, sql } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { orders, outbox, shops, stockLevels } from '../../db/schema.js'
import { loadLateGroups } from '../../src/fulfilment/late.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import type { ShopPort } from '../../src/shop/port.js'
import { syncShop } from '../../src/shop/sync.js'
import { followingChannel } from '../reliability/support.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, twoFollowingChats, type ShopHarness } from './harness.js'

describeEachDb('a shop’s history', (get) => {
  let h: ShopHarness
  let en: number
  let zh: number
  beforeEach(async () => {
    // each test on its own shop and orders (the seeds decide the ids; tests share the database)
    h = await shopHarness(get(), { sim: { seed: Math.floor(Math.random() * 1e9) } })
    const chats = await twoFollowingChats(get().db, h.shopId)
    en = chats.en
    zh = chats.zh
  })
  afterEach(() => h?.close())

  const keys = async (pattern: string) =>
    (await get().db.select({ k: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, pattern))).map((r) => r.k).sort()
  const summaries = async () =>
    (await get().db.select().from(outbox).where(like(outbox.dedupeKey, `import:${h.shopId}@%`))).map((m) => ({ channelId: m.channelId, msg: m.payload as NeutralMessage }))
  /** "new order" posts to this test's two chats */
  const newOrderPosts = async () => keys(`order:%:new@%`).then((ks) => ks.filter((k) => k.endsWith(`:new@${en}`) || k.endsWith(`:new@${zh}`)))
  const wire = (id: string) => h.sim.state.wire(h.sim.state.order(id)) as unknown as PlatformOrder
  /**
   * Orders paid before the next sync: the generator may pay one in the very second it runs (an order
   * put on hold just then, about one seed in 150), and an order paid in the second a shop's first sync
   * begins is news, not history; so the clock moves on a second.
   */
  const generateHistory = (count: number, days: number) => {
    const made = h.sim.generateOrders({ count, days, seed: Math.floor(Math.random() * 1e9) })
    h.clock.advance(1000)
    return made
  }

  it('the first sync imports it quietly: one summary per chat with what is still to ship; its buyer requests are posted', async () => {
    generateHistory(148, 5)
    // stock: none of the first SKU, plenty of the others but the last, which has none recorded
    const skus = h.sim.state.allSkus().map((k) => k.sellerSku)
    expect(skus.length).toBeGreaterThanOrEqual(3)
    // paid 50 h ago, so past its pack-by time; its buyer asks to cancel now. /late does not count
    // packing an order that waits for an answer; its hand-over time is a day away: not late.
    const at = Math.floor(h.clock.now().getTime() / 1000)
    const asked = h.sim.state.createOrder({ createTime: at - 50 * 3600, items: [{ sellerSku: skus[0] }], notify: false })
    h.sim.state.buyerRequestCancel(asked.o.id)
    h.sim.state.createOrder({ createTime: at - 3600, items: [{ sellerSku: skus[1] }, { sellerSku: skus.at(-1) }], notify: false })
    const pending = [...h.sim.state.cancellations.values()].filter((c) => c.cancel_status === 'CANCELLATION_REQUEST_PENDING')
    expect(pending.length).toBeGreaterThan(0)
    await get().db.insert(stockLevels).values(skus.slice(0, -1).map((sellerSku, i) => ({ shopId: h.shopId, sellerSku, onHand: i === 0 ? 0 : 100_000 })))
    const r = await syncShop(h.syncDeps(), h.shopId)
    expect(r.ok).toBe(true)
    expect(await newOrderPosts()).toEqual([])
    // what a seller must still answer is posted as usual
    for (const c of pending) expect(await keys(`cancel:${c.cancel_id}:%`)).toHaveLength(2)

    // the figures, from the rows as stored
    const now = h.clock.now().getTime()
    const held = await get().db.select().from(orders).where(eq(orders.shopId, h.shopId))
    const open = held.filter((o) => o.status === 'awaiting_shipment' || o.status === 'cancelling')
    const past = (d: Date | null) => !!d && d.getTime() < now
    const late = open.filter(
      (o) => !o.isOnHold && ((o.status === 'awaiting_shipment' && past(o.packByAt) && !o.packedAt) || (past(o.handoverByAt) && !o.handedOverAt)),
    )
    // the same orders /late lists as overdue
    const overdue = (await loadLateGroups(get().db, [h.shopId], h.clock.now(), 1)).filter((g) => g.step !== 'answer_by').flatMap((g) => g.overdue.map((i) => i.orderId))
    expect([...new Set(overdue)].sort()).toEqual(late.map((o) => o.id).sort())
    const results = (o: (typeof held)[number]) => ((o.stockCheck as { lines: { result: string }[] }).lines ?? []).map((l) => l.result)
    const short = open.filter((o) => results(o).includes('short'))
    const unknown = open.filter((o) => !results(o).includes('short') && results(o).includes('unknown'))
    expect(short.length).toBeGreaterThan(0)
    expect(unknown.length).toBeGreaterThan(0)
    expect(held).toHaveLength(150)
    expect(open.length).toBeGreaterThan(0)
    const sums = await summaries()
    expect(sums.map((s) => s.channelId).sort()).toEqual([en, zh].sort())
    const text = (m: NeutralMessage) => JSON.stringify([m.title, m.lines])
    const mine = sums.find((s) => s.channelId === en)!.msg
    expect(mine.kind).toBe('import_summary')
    expect(text(mine)).toContain('150 orders are now here')
    expect(text(mine)).toContain(`${open.length} of them are still to ship: ${late.length} past a deadline, ${short.length} short of stock`)
    expect(text(mine)).toContain(`${unknown.length} of them have a SKU with no stock recorded`)
    const theirs = sums.find((s) => s.channelId === zh)!.msg
    expect(text(theirs)).toContain(`已导入 150 个订单`)
    expect(text(theirs)).toContain(`其中 ${open.length} 个仍待发货:${late.length} 个已超过截止时间,${short.length} 个库存不足`)
    expect(text(theirs)).toContain(`其中 ${unknown.length} 个含有没有库存记录的 SKU`)

    // told once: later syncs change nothing
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    expect(await summaries()).toHaveLength(2)
  }, 120_000)

  it('orders paid since are posted one by one; an update reaches only the chats that were sent the order', async () => {
    generateHistory(60, 3)
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
    generateHistory(300, 5)
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
