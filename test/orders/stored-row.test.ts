/**
 * storedRow (db/stored-row.ts) must give what the database holds after the insert: the columns the
 * insert left out at their defaults ('' , false, [] and null), the given ones as given. The page use
 * case builds its "new order" messages from it instead of reading the orders back.
 */
import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orders, outbox } from '../../db/schema.js'
import { storedRow } from '../../db/stored-row.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop } from '../support/fixtures.js'
import { toOrderRow } from '../../src/orders/ingest.js'

describeEachDb('storedRow', (get) => {
  it('is the row as read back after the insert, defaults included', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const now = new Date('2026-11-20T08:00:00.123Z')
    const rows = [
      toOrderRow(shop.id, platformOrder({ status: 'AWAITING_SHIPMENT', buyer_message: 'please gift-wrap 🎁' })),
      { id: `${shop.id}-min`, shopId: shop.id, platformStatus: 'UNPAID', status: 'unpaid', createTime: now, updateTime: now },
      { ...toOrderRow(shop.id, platformOrder({ status: 'CANCELLED' })), stockCheck: { ok: false, lines: [] }, stockCheckedAt: now },
    ]
    await db.insert(orders).values(rows)
    for (const row of rows) {
      const [back] = await db.select().from(orders).where(eq(orders.id, row.id))
      const { createdAt: _c, updatedAt: _u, ...held } = back
      const { createdAt, updatedAt, ...built } = storedRow(orders, row, now)
      expect(built).toEqual(held)
      expect([createdAt, updatedAt]).toEqual([now, now])
    }
  })

  it('refuses a column whose default it cannot know (a sequence)', () => {
    const now = new Date()
    expect(() => storedRow(outbox, { channelId: 1, dedupeKey: 'k', kind: 'post', payload: {} }, now)).toThrow(/default of id is not known/)
    expect(storedRow(outbox, { id: 7, channelId: 1, dedupeKey: 'k', kind: 'post', payload: {} }, now).nextAttemptAt).toEqual(now)
  })
})
