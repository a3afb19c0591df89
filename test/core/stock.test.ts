import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, stockLevels } from '../../db/schema.js'
import { adjustStock, setStock } from '../../src/inventory/stock.js'
import { runMinuteJobs } from '../../src/jobs/index.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'
import { coreDeps, importStockCsv } from './support.js'

describeEachDb('stock import and minute jobs', (get) => {
  it('imports seller_sku,quantity all or nothing, naming the bad line', async () => {
    const database = get()
    const deps = coreDeps(database)
    const shop = await seedShop(database.db)
    await expect(importStockCsv(database.db, { shopId: shop.id, csv: 'seller_sku,quantity\nA,1\nB,-2\n', actor: 'cli', now: deps.clock.now() })).rejects.toThrow(/line 3: quantity “-2”/)
    expect(await database.db.$count(stockLevels, eq(stockLevels.shopId, shop.id))).toBe(0)
    await expect(importStockCsv(database.db, { shopId: shop.id, csv: 'name,count\nA,1\n', actor: 'cli', now: deps.clock.now() })).rejects.toThrow(/seller_sku and quantity .*Its first line has: name, count/)
    const r = await importStockCsv(database.db, { shopId: shop.id, csv: '\uFEFFseller_sku,quantity,note\nSKU-A,12,x\n手机壳-黑,3,\n', actor: 'cli', now: deps.clock.now() })
    expect(r.count).toBe(2)
    const rows = await database.db.select().from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)
    expect(rows.map((x) => [x.sellerSku, x.onHand])).toEqual([['SKU-A', 12], ['手机壳-黑', 3]])
    expect(await database.db.$count(auditLog, and(eq(auditLog.action, 'stock.import'), eq(auditLog.subject, `stock:${shop.id}`)))).toBe(1)
  })

  it('a change (+N / -N) adds to what is on hand; never below zero; two changes at once both count', async () => {
    const database = get()
    const now = coreDeps(database).clock.now()
    const shop = await seedShop(database.db)
    const onHand = async (sku: string) => (await database.db.select().from(stockLevels).where(and(eq(stockLevels.shopId, shop.id), eq(stockLevels.sellerSku, sku))))[0]?.onHand
    const adjust = (sellerSku: string, delta: number) => database.db.transaction((tx) => adjustStock(tx, { shopId: shop.id, sellerSku, delta, actor: 'telegram:1', now }))
    await database.db.transaction((tx) => setStock(tx, { shopId: shop.id, sellerSku: 'SKU-A', quantity: 10, actor: 'cli', now }))
    expect(await adjust('SKU-A', 20)).toEqual({ before: 10, after: 30 })
    expect(await adjust('SKU-A', -3)).toEqual({ before: 30, after: 27 })
    // refused, nothing written: below zero, a SKU with no stock taken from, a zero change
    await expect(adjust('SKU-A', -28)).rejects.toMatchObject({ code: 'bad_input', params: { i18nKey: 'stock.adjust_below_zero', onHand: 27, delta: 28 } })
    await expect(adjust('SKU-NEW', -1)).rejects.toMatchObject({ params: { i18nKey: 'stock.adjust_unknown' } })
    await expect(adjust('SKU-A', 0)).rejects.toMatchObject({ params: { i18nKey: 'stock.bad_adjust' } })
    expect(await onHand('SKU-A')).toBe(27)
    expect(await onHand('SKU-NEW')).toBeUndefined()
    // a SKU with no stock yet receives units
    expect(await adjust('SKU-NEW', 5)).toEqual({ before: null, after: 5 })
    // eight changes at once (on PostgreSQL, eight connections): each counts once, none lost
    await Promise.all([...Array(8)].map((_, i) => adjust('SKU-A', i % 2 ? 2 : 1)))
    expect(await onHand('SKU-A')).toBe(27 + 12)
    await Promise.all([...Array(4)].map(() => adjust('SKU-FIRST', 1)))
    expect(await onHand('SKU-FIRST')).toBe(4)
    const logs = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'stock.adjust'), eq(auditLog.subject, `stock:${shop.id}/SKU-A`)))
    expect(logs).toHaveLength(10)
    expect(logs.map((l) => l.details).find((d) => d.delta === 20)).toEqual({ before: 10, delta: 20, after: 30 })
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
