/**
 * The foreign keys a synced page writes through (migration 0004) are DEFERRABLE INITIALLY IMMEDIATE:
 * every write outside the page path is checked at once; the page path defers them during its write
 * and checks them right after it, where a broken key still refuses the whole page, nothing kept.
 */
import { eq, sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { orderLineItems, orders } from '../../db/schema.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { processPlatformOrderPage } from '../../src/workflow/process-order-page.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, uniqueId } from '../support/fixtures.js'

const KEYS = [
  'orders.orders_shop_id_shops_id_fk',
  'order_line_items.order_line_items_order_id_orders_id_fk',
  'order_packages.order_packages_order_id_orders_id_fk',
  'order_packages.order_packages_package_id_packages_id_fk',
  'packages.packages_shop_id_shops_id_fk',
]

const orphan = (id: string) => ({ id, orderId: `no-such-order-${id}`, skuId: 'SKU' })

/** the SQLSTATE of a failure (drizzle wraps the driver's error as its cause) */
const code = (p: Promise<unknown>) => p.then(() => 'no error', (e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code)
const FOREIGN_KEY_VIOLATION = '23503'

describeEachDb('foreign keys of a synced page', (get) => {
  it('are deferrable, and checked at once unless deferred', async () => {
    const { db } = get()
    const found = await rows<{ key: string; deferrable: boolean; deferred: boolean }>(
      db,
      sql`select conrelid::regclass::text || '.' || conname as key, condeferrable as deferrable, condeferred as deferred
          from pg_constraint where contype = 'f' and condeferrable order by 1`,
    )
    expect(found.map((k) => k.key)).toEqual([...KEYS].sort())
    expect(found.every((k) => k.deferrable && !k.deferred)).toBe(true)
    // outside the page path: refused at the statement
    const id = uniqueId('li-')
    expect(await code(db.insert(orderLineItems).values(orphan(id)).then())).toBe(FOREIGN_KEY_VIOLATION)
  })

  it('the page path checks them once it has written: a key broken meanwhile fails the page, nothing of it kept', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const o = platformOrder({ status: 'AWAITING_SHIPMENT' })
    const id = uniqueId('li-')
    let atOnce: Promise<string | undefined> | undefined
    let page: string | undefined
    await db.transaction(async (tx) => {
      const deps = { db: tx, clock: new ManualClock(new Date()), logger: silentLogger }
      // right after the page's write, on its connection: an orphan row, refused at once unless the keys are deferred
      const written = () => void (atOnce = code(tx.insert(orderLineItems).values(orphan(id)).then()))
      page = await code(processPlatformOrderPage(deps, shop.id, [o], { written }))
    })
    expect(await atOnce).toBe('no error') // deferred during the write…
    expect(page).toBe(FOREIGN_KEY_VIOLATION) // …and checked by the page itself, not left to the commit
    expect(await db.$count(orderLineItems, eq(orderLineItems.id, id))).toBe(0)
    expect(await db.$count(orders, eq(orders.id, o.id))).toBe(0)
  })

  it('a page stored alone commits with every key whole', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const page = [platformOrder({ status: 'AWAITING_SHIPMENT' }), platformOrder({ status: 'IN_TRANSIT' })]
    const r = await processPlatformOrderPage({ db, clock: new ManualClock(new Date()), logger: silentLogger }, shop.id, page)
    expect(r.stored).toBe(2)
    for (const o of page) expect(await db.$count(orderLineItems, eq(orderLineItems.orderId, o.id))).toBe(o.line_items!.length)
  })
})
