/**
 * Issue 4's check: a sync of 10,000 orders (100 a page) against the simulator over HTTP completes,
 * and a re-run — even one that re-reads every order — changes nothing.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { syncShop } from '../../src/shop/sync.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

const N = 10_000

describeEachDb('sync of 10,000 orders', (get) => {
  let h: ShopHarness
  beforeAll(async () => {
    h = await shopHarness(get())
    h.sim.generateOrders({ count: N, days: 60, seed: 42 })
  })
  afterAll(() => h?.close())

  const fingerprint = async () => {
    const [r] = await rows<Record<string, string>>(
      get().db,
      sql`select (select count(*) from orders) as orders,
                 (select count(*) from order_line_items) as items,
                 (select max(updated_at) from orders) as orders_updated,
                 (select md5(string_agg(id || ':' || status || ':' || extract(epoch from update_time)::text, ',' order by id)) from orders) as orders_hash,
                 (select count(*) from cancellations) as cancellations,
                 (select md5(string_agg(id || ':' || state || ':' || platform_status, ',' order by id)) from cancellations) as cancellations_hash,
                 (select count(*) from outbox) as outbox,
                 (select count(*) from audit_log) as audit`,
    )
    return r
  }

  it('completes: every order stored, page by page, the cursor at the end of the window', async () => {
    const report = await syncShop(h.syncDeps(), h.shopId)
    expect(report).toMatchObject({ ok: true })
    expect(report.error).toBeUndefined()
    expect(report.orders.seen).toBe(N)
    expect(report.orders.pages).toBe(N / 100)
    expect(report.orders.rejected).toBe(0)
    const [{ n }] = await rows<{ n: string }>(get().db, sql`select count(*) as n from orders where shop_id = ${h.shopId}`)
    expect(Number(n)).toBe(N)
    const searches = h.sim.requests.filter((r) => r.path === '/order/202309/orders/search')
    expect(searches.every((r) => r.query.page_size === '100' && r.query.sort_field === 'update_time')).toBe(true)
    const [state] = await rows<{ cursor_time: Date; last_error: string | null; lease_owner: string | null }>(
      get().db,
      sql`select cursor_time, last_error, lease_owner from sync_state where shop_id = ${h.shopId} and kind = 'orders'`,
    )
    expect(state.last_error).toBeNull()
    expect(state.lease_owner).toBeNull()
    expect(new Date(state.cursor_time).getTime()).toBeGreaterThanOrEqual(Math.floor(h.clock.now().getTime() / 1000) * 1000)
    // pending buyer requests came in with their answer-by time from the platform
    const pending = [...h.sim.state.cancellations.values()].filter((c) => c.cancel_status === 'CANCELLATION_REQUEST_PENDING')
    expect(pending.length).toBeGreaterThan(0)
    const stored = await rows<{ id: string; respond_by: Date }>(get().db, sql`select id, respond_by from cancellations where state = 'pending'`)
    expect(stored.map((c) => c.id).sort()).toEqual(pending.map((c) => c.cancel_id).sort())
  }, 900_000)

  it('a re-run changes nothing, even when it re-reads every order', async () => {
    const before = await fingerprint()
    const again = await syncShop(h.syncDeps(), h.shopId)
    expect(again.ok).toBe(true)
    const full = await syncShop(h.syncDeps({ options: { overlapMs: 365 * 24 * 3_600_000 } }), h.shopId)
    expect(full.ok).toBe(true)
    expect(full.orders.seen).toBe(N)
    expect(full.orders.unchanged).toBe(N)
    expect(await fingerprint()).toEqual(before)
  }, 300_000)
})
