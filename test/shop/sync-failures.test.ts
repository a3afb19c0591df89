/**
 * The pull sync when things go wrong, against the simulator over HTTP: a token expiring mid-sync,
 * throttling, an outage before and in the middle of a sync, two syncs of one shop at once.
 */
import { and, eq, sql } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { syncState } from '../../db/schema.js'
import type { ShopPort } from '../../src/shop/port.js'
import { syncAll, syncShop } from '../../src/shop/sync.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

describeEachDb('sync failure handling', (get) => {
  let h: ShopHarness
  beforeEach(async () => {
    // each test on its own shop (the simulator's seed decides the shop id: vary it)
    h = await shopHarness(get(), { sim: { seed: Math.floor(Math.random() * 1e9) } })
  })
  afterEach(() => h?.close())

  const countOrders = async () => {
    const [{ n }] = await rows<{ n: string }>(get().db, sql`select count(*) as n from orders where shop_id = ${h.shopId}`)
    return Number(n)
  }
  const state = async (kind = 'orders') => {
    const [s] = await get().db.select().from(syncState).where(and(eq(syncState.shopId, h.shopId), eq(syncState.kind, kind)))
    return s
  }
  /** the real client, with a hook after the n-th order page it fetched */
  const afterPage = (shop: ShopPort, after: (page: number) => void): ShopPort => {
    let n = 0
    const wrapped = Object.create(shop) as ShopPort
    wrapped.searchOrders = async (shopId, q) => {
      const p = await shop.searchOrders(shopId, q)
      after(++n)
      return p
    }
    return wrapped
  }

  it('an access token expiring mid-sync is refreshed once and the sync goes on', async () => {
    h.sim.generateOrders({ count: 450, days: 10, seed: 3 })
    const deps = h.syncDeps()
    const refreshes = () => h.sim.requests.filter((r) => r.path === '/api/v2/token/refresh').length
    const before = refreshes()
    let expired = false
    deps.shop = afterPage(deps.shop, (n) => {
      if (n === 2) {
        expired = true
        h.sim.expireAccessToken()
      }
    })
    const report = await syncShop(deps, h.shopId)
    expect(expired).toBe(true)
    expect(report.ok).toBe(true)
    expect(report.orders.seen).toBe(450)
    expect(await countOrders()).toBe(450)
    expect(refreshes() - before).toBe(1)
    expect(h.sim.requests.filter((r) => r.code === 105002)).toHaveLength(1)
  }, 300_000)

  it('throttling (HTTP 429) is waited out', async () => {
    h.sim.generateOrders({ count: 300, days: 10, seed: 4 })
    const deps = h.syncDeps()
    h.sim.throttleNext(4) // the first calls are refused with 429 …
    deps.shop = afterPage(deps.shop, (n) => {
      if (n === 2) h.sim.throttleNext(5) // … and again in the middle
    })
    const report = await syncShop(deps, h.shopId)
    expect(report.ok).toBe(true)
    expect(await countOrders()).toBe(300)
    expect(h.sim.requests.filter((r) => r.httpStatus === 429 && r.code === 36009002)).toHaveLength(9)
  }, 300_000)

  it('an outage is reported and recorded, not thrown; the next run catches up', async () => {
    h.sim.generateOrders({ count: 120, days: 5, seed: 5 })
    h.sim.setOutage(true)
    const down = await syncShop(h.syncDeps(), h.shopId)
    expect(down.ok).toBe(false)
    expect(down.error).toMatch(/not answering/)
    const s = await state()
    expect(s.lastError).toMatch(/not answering/)
    expect(s.cursorTime).toBeNull()
    expect(s.leaseOwner).toBeNull() // released: the next run is not blocked
    // syncAll reports it too and does not throw
    const all = await syncAll(h.syncDeps())
    expect(all.find((r) => r.shopId === h.shopId)?.ok).toBe(false)
    h.sim.setOutage(false)
    const up = await syncShop(h.syncDeps(), h.shopId)
    expect(up.ok).toBe(true)
    expect(await countOrders()).toBe(120)
    expect((await state()).lastError).toBeNull()
  }, 300_000)

  it('an outage in the middle keeps what was stored; the cursor moved only past stored pages', async () => {
    h.sim.generateOrders({ count: 500, days: 10, seed: 6 })
    const deps = h.syncDeps()
    deps.shop = afterPage(deps.shop, (n) => {
      if (n === 3) h.sim.setOutage(true)
    })
    const r1 = await syncShop(deps, h.shopId)
    h.sim.setOutage(false)
    expect(r1.ok).toBe(false)
    const stored = await countOrders()
    expect(stored).toBeGreaterThanOrEqual(200)
    expect(stored).toBeLessThan(500)
    const s = await state()
    expect(s.cursorTime).not.toBeNull()
    const [{ newest }] = await rows<{ newest: Date }>(get().db, sql`select max(update_time) as newest from orders where shop_id = ${h.shopId}`)
    expect(new Date(s.cursorTime!).getTime()).toBeLessThanOrEqual(new Date(newest).getTime())
    const r2 = await syncShop(h.syncDeps(), h.shopId)
    expect(r2.ok).toBe(true)
    expect(await countOrders()).toBe(500)
    expect(r2.orders.seen).toBeLessThan(500) // resumed from the cursor, not from the start
  }, 300_000)

  it('two syncs of the same shop at once: one runs, the other is told it is busy', async () => {
    h.sim.generateOrders({ count: 200, days: 5, seed: 7 })
    const [a, b] = await Promise.all([syncShop(h.syncDeps({ instanceId: 'A' }), h.shopId), syncShop(h.syncDeps({ instanceId: 'B' }), h.shopId)])
    expect([a.busy, b.busy].filter(Boolean)).toHaveLength(1)
    expect(a.ok && b.ok).toBe(true)
    expect(await countOrders()).toBe(200)
    // a lease left by a crashed instance expires
    await get().db.update(syncState).set({ leaseOwner: 'dead', leaseUntil: new Date(h.clock.now().getTime() + 60_000) }).where(eq(syncState.shopId, h.shopId))
    expect((await syncShop(h.syncDeps(), h.shopId)).busy).toBe(true)
    h.clock.advanceMinutes(2)
    const later = await syncShop(h.syncDeps(), h.shopId)
    expect(later.busy).toBeUndefined()
    expect(later.ok).toBe(true)
  }, 300_000)
})
