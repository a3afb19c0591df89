import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { stockLevels } from '../../db/schema.js'
import { describeEachDb } from '../support/db.js'
import { coreDeps, twoShopSetup } from './support.js'

describeEachDb('/stock in a chat that follows several shops', (get) => {
  it('the shop by its ID or name before the SKU, or none when only one shop stocks it; otherwise one message naming the shops', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, other: uk, run, admin } = await twoShopSetup(database, deps, { name: 'US store' }, { name: 'UK: store' })
    const onHand = async (shopId: string, sku: string) =>
      (await database.db.select({ n: stockLevels.onHand }).from(stockLevels).where(and(eq(stockLevels.shopId, shopId), eq(stockLevels.sellerSku, sku))))[0]?.n

    // a SKU no shop stocks yet: the shop must be named, by its ID or its name (a colon in the name is fine)
    const unnamed = await run(admin, { name: 'stock', sku: 'TOTE-BLU', quantity: 5 })
    expect(unnamed.ok).toBe(false)
    expect(unnamed.message.title).toBe(`This chat follows several shops, and none has stock of TOTE-BLU recorded: write it as SHOP:SKU, SHOP being the shop’s ID or name (shops: ${uk.id} (UK: store), ${us.id} (US store)).`)
    expect((await run(admin, { name: 'stock', sku: `${us.id}:TOTE-BLU`, quantity: 5 })).ok).toBe(true)
    expect((await run(admin, { name: 'stock', sku: 'uk: STORE:TOTE-BLU', quantity: 7 })).ok).toBe(true)
    expect([await onHand(us.id, 'TOTE-BLU'), await onHand(uk.id, 'TOTE-BLU')]).toEqual([5, 7])

    // both shops stock it now: the SKU alone is refused, and nothing changes
    const both = await run(admin, { name: 'stock', sku: 'TOTE-BLU', adjust: 1 })
    expect(both.message.title).toMatch(/^Several of this chat’s shops have stock of TOTE-BLU: write it as SHOP:SKU/)
    expect([await onHand(us.id, 'TOTE-BLU'), await onHand(uk.id, 'TOTE-BLU')]).toEqual([5, 7])

    // a SKU only one of them stocks: the SKU alone is enough
    await run(admin, { name: 'stock', sku: 'US store:MUG-350', quantity: 2 })
    const mug = await run(admin, { name: 'stock', sku: 'MUG-350', adjust: 3 })
    expect(mug.message.title).toBe('MUG-350: on hand 2 +3 = 5.')
    expect(await onHand(us.id, 'MUG-350')).toBe(5)
    expect(await onHand(uk.id, 'MUG-350')).toBeUndefined()

    // the list: each shop's SKUs under its name
    const list = await run(admin, { name: 'stock' })
    expect(list.message.lines).toContainEqual([{ bold: `US store (${us.id})` }])
    expect(list.message.lines).toContainEqual([{ bold: `UK: store (${uk.id})` }])
  })
})
