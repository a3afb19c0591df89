/**
 * The bulk path for never-seen finished orders writes what the workflow core writes for them:
 * the same orders fetched from the simulator are stored once through processPlatformOrder and once in
 * bulk (under other ids), and the rows are compared field by field.
 */
import { eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orderLineItems, orderPackages, orders, packages } from '../../db/schema.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import { silentLogger } from '../../src/shared/logger.js'
import { bulkInsertQuietOrders } from '../../src/shop/sync-bulk.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

/** every long numeric id string gets a leading 9: the same orders under other ids */
const remap = <T>(x: T): T => JSON.parse(JSON.stringify(x).replace(/"(\d{12,})"/g, '"9$1"'))

describeEachDb('bulk insert of finished orders', (get) => {
  let h: ShopHarness
  beforeAll(async () => {
    h = await shopHarness(get())
    h.sim.generateOrders({ count: 300, days: 20, seed: 11 })
  })
  afterAll(() => h?.close())

  it('writes the same rows as the workflow core', async () => {
    const { db } = get()
    const all: PlatformOrder[] = []
    let token = ''
    do {
      const p = await h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 100, pageToken: token })
      all.push(...p.items)
      token = p.nextPageToken
    } while (token)
    const now = h.clock.now()
    const viaCore: string[] = []
    for (const o of all) {
      await processPlatformOrder({ db, clock: h.clock, logger: silentLogger }, h.shopId, o)
      viaCore.push(o.id)
    }
    const copies = all.map(remap)
    const done = await db.transaction((tx) => bulkInsertQuietOrders(tx, h.shopId, copies, now))
    // open orders (awaiting shipment, cancelling) are left to the core
    const [openCount] = [all.filter((o) => ['ON_HOLD', 'AWAITING_SHIPMENT', 'PARTIALLY_SHIPPING', 'AWAITING_COLLECTION'].includes(o.status) || o.is_buyer_request_cancel).length]
    expect(done.size).toBeGreaterThan(100)
    expect(done.size).toBeLessThanOrEqual(all.length - openCount)
    // a second bulk write of the same orders writes nothing
    expect((await db.transaction((tx) => bulkInsertQuietOrders(tx, h.shopId, copies, now))).size).toBe(0)

    const skip = new Set(['id', 'shopId', 'raw', 'createdAt', 'updatedAt', 'buyerUserId', 'stockCheck', 'stockCheckedAt', 'warehouseId'])
    const strip = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => !skip.has(k)))
    const bulkIds = [...done]
    const a = await db.select().from(orders).where(inArray(orders.id, bulkIds))
    const b = await db.select().from(orders).where(inArray(orders.id, bulkIds.map((id) => id.slice(1))))
    const byId = new Map(b.map((r) => [r.id, r]))
    for (const row of a) {
      const core = byId.get(row.id.slice(1))!
      expect(strip(row), row.platformStatus).toEqual(strip(core))
      const li = (id: string) => db.select().from(orderLineItems).where(eq(orderLineItems.orderId, id)).orderBy(orderLineItems.id)
      const [la, lb] = await Promise.all([li(row.id), li(core.id)])
      expect(la.map((x) => ({ ...x, id: '', orderId: '', skuId: '', productId: '', packageId: x.packageId ? 'p' : null }))).toEqual(
        lb.map((x) => ({ ...x, id: '', orderId: '', skuId: '', productId: '', packageId: x.packageId ? 'p' : null })),
      )
      const pk = (id: string) => db.select({ status: packages.status, tracking: packages.trackingNumber }).from(orderPackages).innerJoin(packages, eq(packages.id, orderPackages.packageId)).where(eq(orderPackages.orderId, id))
      expect(await pk(row.id)).toEqual(await pk(core.id))
    }
  }, 300_000)
})
