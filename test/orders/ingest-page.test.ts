/**
 * Page ingest: repeats are judged without locks, and a new order that another writer inserts
 * between planning and writing is handed back (`lost`), not overwritten.
 */
import { eq, inArray, sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { rows, type Db } from '../../db/database.js'
import { orderLineItems, orderPackages, orders, packages } from '../../db/schema.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { planPage, writePage } from '../../src/orders/ingest-page.js'
import { describeEachDb } from '../support/db.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import { platformOrder, seedShop, uniqueId } from '../support/fixtures.js'

const NOW = new Date('2026-11-20T10:00:00Z')

/** A shop and two new orders: `a` with its three items in one package `pkg`, `b` without. */
async function twoOrdersOnePackage(db: Db) {
  const shop = await seedShop(db)
  const pkg = uniqueId('PKG')
  const a = platformOrder({ line_items: platformOrder().line_items!.map((li, i) => ({ ...li, id: `${uniqueId('LI')}${i}`, package_id: pkg, package_status: 'PROCESSING' })) })
  return { shop, pkg, a, b: platformOrder() }
}

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
    const pkg = uniqueId('PKG')
    const withPackage = (o: PlatformOrder, status: string, name: string): PlatformOrder => ({
      ...o,
      line_items: o.line_items!.map((li) => ({ ...li, package_id: pkg, package_status: status, sku_name: name })),
    })
    const mine = withPackage(platformOrder({ buyer_message: 'from the page' }), 'PROCESSING', 'page')
    const theirs = withPackage({ ...mine, update_time: mine.update_time + 5, buyer_message: 'from the webhook' }, 'FULFILLING', 'webhook')
    // stored with the page and sharing the lost order's package: the package is as the last order written has it
    const alongside = withPackage(platformOrder(), 'FULFILLING', 'alongside')
    const before = withPackage(platformOrder(), 'PROCESSING', 'before')
    const lost = await db.transaction(async (tx) => {
      const plan = await planPage(tx, shop.id, [before, alongside, mine], NOW)
      expect(plan!.planned.map((p) => p.result.outcome)).toEqual(['inserted', 'inserted', 'inserted'])
      await db.transaction((other) => ingestOrder(other, shop.id, theirs, NOW)) // another connection, committed
      return (await writePage(tx, plan!.planned, NOW)).lost
    })
    expect(lost.map((p) => p.order.id)).toEqual([mine.id])
    const [row] = await db.select({ m: orders.buyerMessage }).from(orders).where(eq(orders.id, mine.id))
    expect(row.m).toBe('from the webhook')
    // the lost order's children are the other writer's; the written orders' are the page's
    const items = await db.select({ orderId: orderLineItems.orderId, name: orderLineItems.skuName }).from(orderLineItems).where(inArray(orderLineItems.orderId, [mine.id, alongside.id, before.id]))
    expect(new Set(items.filter((i) => i.orderId === mine.id).map((i) => i.name))).toEqual(new Set(['webhook']))
    expect(new Set(items.filter((i) => i.orderId === alongside.id).map((i) => i.name))).toEqual(new Set(['alongside']))
    expect(new Set(items.filter((i) => i.orderId === before.id).map((i) => i.name))).toEqual(new Set(['before']))
    const [p] = await db.select().from(packages).where(eq(packages.id, pkg))
    expect(p.status).toBe('FULFILLING')
    const links = await db.select().from(orderPackages).where(eq(orderPackages.packageId, pkg))
    expect(new Set(links.map((l) => l.orderId))).toEqual(new Set([mine.id, alongside.id, before.id]))
  })

  it('writes a page of new orders with their items, packages and links, and a page of changed ones', async () => {
    const { db } = get()
    const { shop, pkg, a, b } = await twoOrdersOnePackage(db)
    const write = (list: PlatformOrder[]) => db.transaction(async (tx) => writePage(tx, (await planPage(tx, shop.id, list, NOW))!.planned, NOW))
    expect((await write([a, b])).written).toHaveLength(2)
    const count = async (id: string) => (await db.select().from(orderLineItems).where(eq(orderLineItems.orderId, id))).length
    expect([await count(a.id), await count(b.id)]).toEqual([3, 3])
    // a changed: one item fewer, package shipped; b unchanged
    const a2 = { ...a, update_time: a.update_time + 60, status: 'AWAITING_COLLECTION', line_items: a.line_items!.slice(1).map((li) => ({ ...li, package_status: 'FULFILLING' })) }
    const r = await write([a2, b])
    expect(r.written.map((p) => p.order.id)).toEqual([a.id])
    expect([await count(a.id), await count(b.id)]).toEqual([2, 3])
    const [p] = await db.select().from(packages).where(eq(packages.id, pkg))
    expect(p.status).toBe('FULFILLING')
    expect(await db.select().from(orderPackages).where(eq(orderPackages.packageId, pkg))).toEqual([{ orderId: a.id, packageId: pkg }])
  })

  it('alone (the embedded database), a page is written whole, and the foreign keys hold again for what follows in its transaction', async () => {
    const { db } = get()
    const { shop, pkg, a, b } = await twoOrdersOnePackage(db)
    const failed = await db
      .transaction(async (tx) => {
        const { written } = await writePage(tx, (await planPage(tx, shop.id, [a, b], NOW))!.planned, NOW, true)
        expect(written).toHaveLength(2)
        const [{ role }] = await rows<{ role: string }>(tx, sql`select current_setting('session_replication_role') as role`)
        expect(role).toBe('origin')
        // a line item naming no order is refused again, within the same transaction
        await tx.insert(orderLineItems).values({ id: uniqueId('LI'), orderId: 'no-such-order', skuId: '1' })
      })
      .then(() => null, (err: unknown) => err as { code?: string; cause?: { code?: string } })
    expect(failed?.code ?? failed?.cause?.code).toBe('23503')
    // the failed transaction took the page with it
    expect(await db.select().from(orders).where(inArray(orders.id, [a.id, b.id]))).toEqual([])
    // and on its own, the same write stores everything it names
    await db.transaction(async (tx) => writePage(tx, (await planPage(tx, shop.id, [a, b], NOW))!.planned, NOW, true))
    expect((await db.select().from(orderLineItems).where(inArray(orderLineItems.orderId, [a.id, b.id]))).length).toBe(6)
    expect(await db.select().from(orderPackages).where(eq(orderPackages.packageId, pkg))).toEqual([{ orderId: a.id, packageId: pkg }])
  })
})
