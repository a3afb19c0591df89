import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, stockLevels } from '../../db/schema.js'
import { importStockCsv } from '../../src/inventory/stock.js'
import { runMinuteJobs } from '../../src/jobs/index.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'
import { coreDeps } from './support.js'

describeEachDb('stock import and minute jobs', (get) => {
  it('imports seller_sku,quantity all or nothing, naming the bad line', async () => {
    const database = get()
    const deps = coreDeps(database)
    const shop = await seedShop(database.db)
    await expect(importStockCsv(database.db, { shopId: shop.id, csv: 'seller_sku,quantity\nA,1\nB,-2\n', actor: 'cli', now: deps.clock.now() })).rejects.toThrow(/line 3: quantity “-2”/)
    expect(await database.db.$count(stockLevels, eq(stockLevels.shopId, shop.id))).toBe(0)
    await expect(importStockCsv(database.db, { shopId: shop.id, csv: 'sku,qty\nA,1\n', actor: 'cli', now: deps.clock.now() })).rejects.toThrow(/seller_sku and quantity/)
    const r = await importStockCsv(database.db, { shopId: shop.id, csv: '\uFEFFseller_sku,quantity,note\nSKU-A,12,x\n手机壳-黑,3,\n', actor: 'cli', now: deps.clock.now() })
    expect(r.count).toBe(2)
    const rows = await database.db.select().from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)
    expect(rows.map((x) => [x.sellerSku, x.onHand])).toEqual([['SKU-A', 12], ['手机壳-黑', 3]])
    expect(await database.db.$count(auditLog, and(eq(auditLog.action, 'stock.import'), eq(auditLog.subject, `stock:${shop.id}`)))).toBe(1)
  })

  it('runMinuteJobs runs expiry and the scan and kicks the dispatcher when it wrote messages', async () => {
    const database = get()
    const deps = coreDeps(database)
    let kicks = 0
    const r = await runMinuteJobs({ deps, dispatcher: { kick: () => kicks++ } })
    expect(r).toMatchObject({ expired: 0 })
    expect(kicks).toBe(r.messages || r.expired ? 1 : 0)
  })
})
