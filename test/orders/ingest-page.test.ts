/**
 * Page ingest: repeats are judged without locks, and a new order that another writer inserts
 * between planning and writing is handed back (`lost`), not overwritten.
 */
import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orders } from '../../db/schema.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { planPage, writePage } from '../../src/orders/ingest-page.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop } from '../support/fixtures.js'

const NOW = new Date('2026-11-20T10:00:00Z')

describeEachDb('page ingest', (get, kind) => {
  it('counts orders held at that update time or newer as unchanged, and plans the rest', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const held = platformOrder()
    await db.transaction((tx) => ingestOrder(tx, shop.id, held, NOW))
    const newer = { ...held, update_time: held.update_time + 60, status: 'AWAITING_COLLECTION' }
    const older = platformOrder({ id: held.id, at: '2026-11-19T08:00:00Z' })
    const fresh = platformOrder()
    const plan = await db.transaction((tx) => planPage(tx, shop.id, [held, fresh, { id: 'x' }], NOW))
    expect(plan!.unchanged).toBe(1)
    expect(plan!.rejected).toHaveLength(1)
    expect(plan!.planned.map((p) => [p.order.id, p.result.outcome])).toEqual([[fresh.id, 'inserted']])
    expect((await db.transaction((tx) => planPage(tx, shop.id, [older], NOW)))!.unchanged).toBe(1)
    const next = await db.transaction((tx) => planPage(tx, shop.id, [newer], NOW))
    expect(next!.planned.map((p) => p.result.outcome)).toEqual(['updated'])
    // an order another shop holds is refused, not taken over
    const other = await seedShop(db)
    const theirs = await db.transaction((tx) => planPage(tx, other.id, [newer], NOW))
    expect(theirs!.planned).toHaveLength(0)
    expect(String((theirs!.rejected[0].error as Error).message)).toMatch(/belongs to another shop/)
    // an id twice in one page: no plan (the caller stores that page one order at a time)
    expect(await db.transaction((tx) => planPage(tx, shop.id, [fresh, fresh], NOW))).toBeNull()
  })

  // PGlite is one connection: a second writer cannot run while this transaction is open.
  it.skipIf(kind === 'pglite')('a new order inserted by another writer after planning comes back as lost, untouched', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const mine = platformOrder({ buyer_message: 'from the page' })
    const theirs = { ...mine, update_time: mine.update_time + 5, buyer_message: 'from the webhook' }
    const lost = await db.transaction(async (tx) => {
      const plan = await planPage(tx, shop.id, [mine], NOW)
      expect(plan!.planned.map((p) => p.result.outcome)).toEqual(['inserted'])
      await db.transaction((other) => ingestOrder(other, shop.id, theirs, NOW)) // another connection, committed
      return (await writePage(tx, plan!.planned, NOW)).lost
    })
    expect(lost.map((p) => p.order.id)).toEqual([mine.id])
    const [row] = await db.select({ m: orders.buyerMessage }).from(orders).where(eq(orders.id, mine.id))
    expect(row.m).toBe('from the webhook')
  })
})
