/** anyOf (db/any-of.ts): a list as one array parameter matches exactly the values given, whatever they hold. */
import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { anyOf } from '../../db/any-of.js'
import { stockLevels } from '../../db/schema.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'

const SKUS = ['plain', 'a"b', "c'd", 'e\\f', 'g,h', '{i}', 'NULL', '', ' ', '库存', '🎁']

describeEachDb('anyOf', (get) => {
  it('matches each value exactly, none other, for any length', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    await db.insert(stockLevels).values([...SKUS, 'other'].map((sellerSku) => ({ shopId: shop.id, sellerSku, onHand: 1 })))
    const found = async (list: string[]) =>
      (await db.select({ s: stockLevels.sellerSku }).from(stockLevels).where(and(eq(stockLevels.shopId, shop.id), anyOf(stockLevels.sellerSku, list)))).map((r) => r.s).sort()
    expect(await found(SKUS)).toEqual([...SKUS].sort())
    expect(await found(['NULL'])).toEqual(['NULL'])
    expect(await found([])).toEqual([])
    expect(await found(Array.from({ length: 600 }, (_, i) => `x${i}`).concat(['other']))).toEqual(['other'])
  })
})
