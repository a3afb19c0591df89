import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orderLineItems, orders } from '../../db/schema.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { PLATFORM_STATUSES, sellerStatusOf } from '../../src/orders/status.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, unix } from '../support/fixtures.js'

describeEachDb('order ingest', (get) => {
  it('stores an order once: the same order twice is one row, reported unchanged', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const o = platformOrder()
    const first = await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const second = await db.transaction((tx) => ingestOrder(tx, shop.id, structuredClone(o)))
    expect(first.outcome).toBe('inserted')
    expect(first.becamePaid).toBe(true)
    expect(second.outcome).toBe('unchanged')
    expect(second.becamePaid).toBe(false)
    expect(await db.$count(orders, eq(orders.id, o.id))).toBe(1)
    expect(await db.$count(orderLineItems, eq(orderLineItems.orderId, o.id))).toBe(3)
  })

  it('a newer update wins and an older one is ignored', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const o = platformOrder({ status: 'UNPAID', paid_time: undefined, update_time: unix('2026-11-20T08:00:00Z') })
    await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const paid = { ...o, status: 'AWAITING_SHIPMENT', paid_time: unix('2026-11-20T09:00:00Z'), update_time: unix('2026-11-20T09:00:00Z') }
    const r1 = await db.transaction((tx) => ingestOrder(tx, shop.id, paid))
    expect(r1).toMatchObject({ outcome: 'updated', becamePaid: true, statusChanged: true })
    expect(r1.previous?.status).toBe('unpaid')
    expect(r1.current.status).toBe('awaiting_shipment')
    const old = { ...o, status: 'CANCELLED', update_time: unix('2026-11-20T08:30:00Z') }
    const r2 = await db.transaction((tx) => ingestOrder(tx, shop.id, old))
    expect(r2.outcome).toBe('stale')
    const [row] = await db.select().from(orders).where(eq(orders.id, o.id))
    expect(row.status).toBe('awaiting_shipment')
    expect(row.packByAt?.toISOString()).toBe('2026-11-22T09:00:00.000Z') // 48 h after payment
    expect(row.handoverByAt?.toISOString()).toBe('2026-11-23T09:00:00.000Z') // 72 h
  })

  it('keeps money exact and IDs as strings, and prefers the platform’s due times', async () => {
    const { db } = get()
    const shop = await seedShop(db, { packByHours: 24 })
    const id = '576653688135258178' // beyond 2^53
    const o = platformOrder({
      id,
      rts_sla_time: unix('2026-11-21T10:00:00Z'),
      payment: { currency: 'USD', total_amount: '12345678901234.57', sub_total: '0.10', shipping_fee: '0.20' },
    })
    await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const [row] = await db.select().from(orders).where(eq(orders.id, id))
    expect(row.id).toBe(id)
    expect(row.totalAmount).toBe('12345678901234.57')
    expect(row.subTotal).toBe('0.10')
    expect(row.packByAt?.toISOString()).toBe('2026-11-21T10:00:00.000Z') // platform's rts_sla_time
    expect(row.handoverByAt?.toISOString()).toBe('2026-11-23T08:00:00.000Z') // shop default 72 h
  })

  it('uses the shop’s own deadline settings', async () => {
    const { db } = get()
    const shop = await seedShop(db, { packByHours: 24, handoverByHours: 36 })
    const o = platformOrder({ at: '2026-11-20T00:00:00Z' })
    await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const [row] = await db.select().from(orders).where(eq(orders.id, o.id))
    expect(row.packByAt?.toISOString()).toBe('2026-11-21T00:00:00.000Z')
    expect(row.handoverByAt?.toISOString()).toBe('2026-11-21T12:00:00.000Z')
  })

  it('rejects a malformed order with a clear message and writes nothing', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    await expect(db.transaction((tx) => ingestOrder(tx, shop.id, { id: '1', status: 'UNPAID' }))).rejects.toThrow(/create_time/)
    expect(await db.$count(orders, eq(orders.id, '1'))).toBe(0)
  })

  it('two concurrent ingests of one new order store it once', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const o = platformOrder()
    const results = await Promise.all(Array.from({ length: 8 }, () => db.transaction((tx) => ingestOrder(tx, shop.id, structuredClone(o)))))
    expect(results.filter((r) => r.outcome === 'inserted')).toHaveLength(1)
    expect(await db.$count(orders, eq(orders.id, o.id))).toBe(1)
  })
})

it('maps every platform status, the webhook spelling CANCEL and unknown words', () => {
  const expected: Record<string, string> = {
    UNPAID: 'unpaid',
    ON_HOLD: 'awaiting_shipment',
    AWAITING_SHIPMENT: 'awaiting_shipment',
    PARTIALLY_SHIPPING: 'awaiting_shipment',
    AWAITING_COLLECTION: 'awaiting_shipment',
    IN_TRANSIT: 'shipped',
    DELIVERED: 'shipped',
    COMPLETED: 'completed',
    CANCELLED: 'cancelled',
  }
  expect(Object.keys(expected).sort()).toEqual([...PLATFORM_STATUSES].sort())
  for (const [p, s] of Object.entries(expected)) expect(sellerStatusOf(p)).toBe(s)
  expect(sellerStatusOf('CANCEL')).toBe('cancelled')
  expect(sellerStatusOf('cancelled')).toBe('cancelled')
  expect(sellerStatusOf('AWAITING_SHIPMENT', { isBuyerRequestCancel: true })).toBe('cancelling')
  expect(sellerStatusOf('IN_TRANSIT', { isBuyerRequestCancel: true })).toBe('shipped')
  // unknown words are placed by the order's own times
  expect(sellerStatusOf('SOMETHING_NEW')).toBe('unpaid')
  expect(sellerStatusOf('SOMETHING_NEW', { paidTime: new Date() })).toBe('awaiting_shipment')
  expect(sellerStatusOf('SOMETHING_NEW', { paidTime: new Date(), collectionTime: new Date() })).toBe('shipped')
  expect(sellerStatusOf('SOMETHING_NEW', { paidTime: new Date(), cancelTime: new Date() })).toBe('cancelled')
})
