/**
 * The pull sync's listing of every pending buyer request, whatever its age (Search Cancellations,
 * status PENDING, no time window): read ahead and stored page run by page run, against the simulator
 * over HTTP. The requests here are older than the sync window, so only this listing can bring them.
 */
import { and, eq, sql } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { syncState } from '../../db/schema.js'
import type { ShopPort } from '../../src/shop/port.js'
import { syncShop } from '../../src/shop/sync.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

const REQUESTS = 120 // with the generated ones, at least three pages of 50

describeEachDb('sync: pending buyer requests of any age', (get) => {
  let h: ShopHarness
  beforeEach(async () => {
    // each test on its own shop and orders (the seeds decide the ids; tests share the database)
    h = await shopHarness(get(), { sim: { seed: Math.floor(Math.random() * 1e9) } })
    h.sim.generateOrders({ count: 1500, days: 3, seed: Math.floor(Math.random() * 1e9) })
    // the orders first, as a running shop would have them
    expect((await syncShop(h.syncDeps(), h.shopId)).ok).toBe(true)
    const open = [...h.sim.state.orders.values()].filter((r) => r.o.status === 'AWAITING_SHIPMENT' && !r.pendingCancelId)
    expect(open.length).toBeGreaterThanOrEqual(REQUESTS)
    for (const r of open.slice(0, REQUESTS)) h.sim.state.buyerRequestCancel(r.o.id)
    // an hour later: the requests are older than the next sync's window (cursor − 10 min overlap)
    h.clock.advanceMinutes(60)
    await get()
      .db.update(syncState)
      .set({ cursorTime: h.clock.now() })
      .where(and(eq(syncState.shopId, h.shopId), eq(syncState.kind, 'cancellations')))
  })
  afterEach(() => h?.close())

  const simPending = () => [...h.sim.state.cancellations.values()].filter((c) => c.cancel_status === 'CANCELLATION_REQUEST_PENDING').map((c) => c.cancel_id)
  const storedPending = async () =>
    (await rows<{ id: string }>(get().db, sql`select id from cancellations where shop_id = ${h.shopId} and state = 'pending'`)).map((r) => r.id).sort()
  /**
   * The real client; `after(n, ids)` runs once the n-th page of pending requests has been read, and
   * `windowed` receives what the time-window listing returned.
   */
  const afterPendingPage = (shop: ShopPort, after: (page: number, ids: string[]) => void, windowed: string[] = []): ShopPort => {
    let n = 0
    const wrapped = Object.create(shop) as ShopPort
    wrapped.searchCancellations = async (shopId, q) => {
      const p = await shop.searchCancellations(shopId, q)
      const ids = p.items.map((c) => c.cancel_id)
      if (q.cancelStatus?.includes('CANCELLATION_REQUEST_PENDING')) after(++n, ids)
      else windowed.push(...ids)
      return p
    }
    return wrapped
  }

  it('every pending request is stored, over several pages, each with its answer-by time', async () => {
    const pending = simPending()
    let pages = 0
    const windowed: string[] = []
    const report = await syncShop({ ...h.syncDeps(), shop: afterPendingPage(h.conn.client, (n) => (pages = n), windowed) }, h.shopId)
    expect(report.ok).toBe(true)
    expect(pages).toBe(Math.ceil(pending.length / 50))
    expect(pages).toBeGreaterThanOrEqual(3)
    // The window listing found none of the pending requests. It may find others: a generated
    // cancellation whose refund completed in the hour the clock moved is updated at that moment.
    expect(windowed.filter((id) => pending.includes(id))).toEqual([])
    expect(report.cancellations.seen).toBe(pending.length + windowed.length)
    expect(await storedPending()).toEqual([...pending].sort())
    const [{ missing }] = await rows<{ missing: string }>(
      get().db,
      sql`select count(*) as missing from cancellations where shop_id = ${h.shopId} and state = 'pending' and respond_by is null`,
    )
    expect(Number(missing)).toBe(0)
  }, 300_000)

  it('an outage in the middle of the listing keeps the pages stored before it; the next run stores the rest', async () => {
    const pending = simPending()
    const before = await storedPending()
    let first: string[] = []
    const deps = {
      ...h.syncDeps(),
      shop: afterPendingPage(h.conn.client, (n, ids) => {
        if (n === 1) {
          first = ids
          h.sim.setOutage(true)
        }
      }),
    }
    const r1 = await syncShop(deps, h.shopId)
    h.sim.setOutage(false)
    expect(r1.ok).toBe(false)
    expect(r1.error).toMatch(/cancellations/)
    expect(first).toHaveLength(50)
    // the first page, read before the outage, is stored; nothing after it
    expect(await storedPending()).toEqual([...new Set([...before, ...first])].sort())
    expect(before.length + 50).toBeLessThan(pending.length)
    const r2 = await syncShop(h.syncDeps(), h.shopId)
    expect(r2.ok).toBe(true)
    expect(await storedPending()).toEqual([...pending].sort())
  }, 300_000)
})
