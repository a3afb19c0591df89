/**
 * insertJsonRows (db/json-rows.ts) must store exactly what drizzle's own insert stores, for every
 * column type the page writes use: text (quotes, backslashes, unicode, emoji, empty), null,
 * booleans, exact decimals, times to the millisecond (sent as epoch milliseconds), JSON (arrays, a JSON null), and integers.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { insertJsonRows } from '../../db/json-rows.js'
import { orderLineItems, orders, stockLevels } from '../../db/schema.js'
import { describeEachDb } from '../support/db.js'
import { seedShop, uniqueId } from '../support/fixtures.js'

const TEXTS = ['plain', '', ' edge spaces ', 'quote " and \\ backslash', "it's", '快充数据线 1m', '🎁 gift', 'line\nbreak\ttab', '{"looks":"like json"}', 'null']

describeEachDb('insertJsonRows', (get) => {
  it('stores what drizzle stores, value for value', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const row = (id: string, i: number): typeof orders.$inferInsert => ({
      id,
      shopId: shop.id,
      platformStatus: 'AWAITING_SHIPMENT',
      status: 'awaiting_shipment',
      isOnHold: i % 2 === 0,
      buyerMessage: TEXTS[i % TEXTS.length],
      sellerNote: TEXTS[(i + 3) % TEXTS.length],
      subTotal: i % 3 === 0 ? null : `${i}.0${i % 10}`,
      totalAmount: '1234567.89',
      createTime: new Date(Date.UTC(2026, 10, 1, 12, 0, i, [123, 999, 1, 0, 500][i % 5])),
      packByAt: [new Date('1999-12-31T23:59:59.999Z'), new Date('2100-01-01T00:00:00.001Z'), new Date(0), null][i % 4],
      paidTime: i % 4 === 0 ? null : new Date(Date.UTC(2026, 10, 2, 0, i)),
      updateTime: new Date(Date.UTC(2026, 10, 3)),
      recipientLevels: i % 5 === 0 ? [] : ['United Kingdom', TEXTS[i % TEXTS.length], '"quoted"'],
      stockCheck: i % 3 === 0 ? null : { ok: i % 2 === 0, lines: [{ sku: TEXTS[i % TEXTS.length], n: i }] },
    })
    const ids = TEXTS.map(() => [uniqueId('J'), uniqueId('D')])
    await db.insert(orders).values(ids.map(([, d], i) => row(d, i)))
    await db.execute(insertJsonRows(orders, ids.map(([j], i) => row(j, i))))
    const stored = new Map((await db.select().from(orders).where(eq(orders.shopId, shop.id))).map((o) => [o.id, o]))
    expect(stored.size).toBe(ids.length * 2)
    for (const [j, d] of ids) {
      const { id: _j, createdAt: _cj, updatedAt: _uj, ...viaJson } = stored.get(j)!
      const { id: _d, createdAt: _cd, updatedAt: _ud, ...viaDrizzle } = stored.get(d)!
      expect(viaJson).toEqual(viaDrizzle)
    }
    // a JSON null in a JSON column is SQL NULL (not the JSON value null), as drizzle stores it
    const sqlNulls = async (list: string[]) =>
      (await db.select({ id: orders.id }).from(orders).where(and(inArray(orders.id, list), isNull(orders.stockCheck)))).length
    expect(await sqlNulls(ids.map(([j]) => j))).toBe(await sqlNulls(ids.map(([, d]) => d)))
    expect(await sqlNulls(ids.map(([j]) => j))).toBeGreaterThan(0)
  })

  it('casts integers and defaults the columns the rows leave out', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    await db.execute(insertJsonRows(stockLevels, [{ shopId: shop.id, sellerSku: 'SKU-"1"', onHand: 7 }, { shopId: shop.id, sellerSku: '库存', onHand: 0 }]))
    const got = await db.select().from(stockLevels).where(eq(stockLevels.shopId, shop.id))
    expect(new Map(got.map((s) => [s.sellerSku, s.onHand]))).toEqual(new Map([['SKU-"1"', 7], ['库存', 0]]))
    expect(got.every((s) => s.updatedAt instanceof Date)).toBe(true)
  })

  it('refuses a key that is not a column of the table, and a time that is not one', () => {
    expect(() => insertJsonRows(orderLineItems, [{ id: 'x', nope: 1 } as never])).toThrow(/has no column nope/)
    expect(() => insertJsonRows(orderLineItems, [{ id: 'x', rtsTime: 'soon' as never }])).toThrow(/soon is not a time/)
  })
})
