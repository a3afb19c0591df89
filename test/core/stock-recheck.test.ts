import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orders, outbox } from '../../db/schema.js'
import type { StockCheck } from '../../src/inventory/stock-check.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { recheckStockChanges } from '../../src/workflow/stock-recheck.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder } from '../support/fixtures.js'
import { coreDeps, importStockCsv, linkedSetup } from './support.js'

describeEachDb('a stock change edits the posts of the orders whose cover it changed', (get) => {
  /** A linked shop with `skuA` units of SKU-A and 10 of SKU-B, and these orders (paid at these times) of 2 × SKU-A and 1 × SKU-B each. */
  async function shopWithOrders(skuA: number, paidAt: string[]) {
    const database = get()
    const deps = coreDeps(database)
    const setup = await linkedSetup(database, deps)
    await setup.run(setup.admin, { name: 'stock', sku: 'SKU-A', quantity: skuA })
    await setup.run(setup.admin, { name: 'stock', sku: 'SKU-B', quantity: 10 })
    const list = paidAt.map((at) => platformOrder({ at }))
    for (const o of list) await processPlatformOrder(deps, setup.shop.id, o)
    return { ...setup, database, list }
  }

  it('units in: the short order’s post shows its items in stock; a count set lower: SHORT again; orders it does not move are left alone', async () => {
    // the first paid is covered, the second and third are short
    const { database, run, admin, channelId, list } = await shopWithOrders(2, ['2026-11-20T07:00:00Z', '2026-11-20T07:30:00Z', '2026-11-20T07:45:00Z'])
    const [first, second, third] = list
    const check = async (id: string) => (await database.db.select({ c: orders.stockCheck }).from(orders).where(eq(orders.id, id)))[0].c as StockCheck
    const edits = async (id: string) =>
      (await database.db.select().from(outbox).where(and(eq(outbox.channelId, channelId), eq(outbox.refKey, `order:${id}`), eq(outbox.kind, 'edit'))).orderBy(outbox.id)).map(
        (r) => r.payload as NeutralMessage,
      )
    expect((await check(second.id)).ok).toBe(false)

    // two units come in: the second is covered now (stock goes to the first paid: the third, paid
    // later, does not take its units); its check and its post say so
    await run(admin, { name: 'stock', sku: 'SKU-A', adjust: 2 })
    expect(await check(second.id)).toMatchObject({ ok: true, lines: [{ sellerSku: 'SKU-A', result: 'in_stock', available: 2 }, { sellerSku: 'SKU-B', result: 'in_stock' }] })
    const [edit] = await edits(second.id)
    expect(edit).toMatchObject({ kind: 'order_update', tone: 'success', title: `New order ${second.id}` })
    expect(messageText(edit)).toContain('All items in stock.')
    expect(await edits(first.id)).toEqual([])
    expect(await edits(third.id)).toEqual([])
    expect((await check(third.id)).ok).toBe(false)

    // counted again, two are left: the second is short again (the first paid keeps its units), and its post says so
    await run(admin, { name: 'stock', sku: 'SKU-A', quantity: 2 })
    expect(await check(second.id)).toMatchObject({ ok: false, lines: [{ sellerSku: 'SKU-A', result: 'short', shortBy: 2 }, { sellerSku: 'SKU-B' }] })
    const later = await edits(second.id)
    expect(later).toHaveLength(2)
    expect(later.map((m) => m.tone)).toEqual(['success', 'warning'])
    expect(messageText(later[1])).toContain('SKU-A: SHORT by 2')
    // the first paid was never short: its check and post were not touched
    expect((await check(first.id)).ok).toBe(true)
    expect(await edits(first.id)).toEqual([])
  })

  it('a post that cannot be updated does not undo the change: the units count, the reply tells it', async () => {
    const { database, run, admin, channelId, list } = await shopWithOrders(0, ['2026-11-20T07:00:00Z'])
    const [o] = list
    // the database refuses to store this order's check again
    await database.sql.unsafe(`create or replace function test_refuse_check() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`)
    await database.sql.unsafe(`create trigger test_refuse_check before update of stock_check on orders for each row when (new.id = '${o.id}') execute function test_refuse_check()`)
    try {
      const r = await run(admin, { name: 'stock', sku: 'SKU-A', adjust: 2 })
      expect(r.ok).toBe(true)
      expect(messageText(r.message)).toContain(`Now covered by the stock on hand (1): they can be packed.\n✓ ${o.id}`)
      expect(messageText((await run(admin, { name: 'stock', sku: 'SKU-A' })).message)).toContain('SKU-A: 2 on hand, 2 reserved, 0 available')
      expect(await database.db.select().from(outbox).where(and(eq(outbox.channelId, channelId), eq(outbox.kind, 'edit')))).toEqual([])
    } finally {
      await database.sql.unsafe('drop trigger test_refuse_check on orders')
      await database.sql.unsafe('drop function test_refuse_check()')
    }
  })

  it('a stock file (CLI) edits the posts of the orders whose cover any of its SKUs moved, each order once', async () => {
    // none of SKU-A: all three are short
    const { database, channelId, shop, list } = await shopWithOrders(0, ['2026-11-20T07:00:00Z', '2026-11-20T07:30:00Z', '2026-11-20T07:45:00Z'])
    const [first, second, third] = list
    const deps = coreDeps(database)
    const ok = async (id: string) => ((await database.db.select({ c: orders.stockCheck }).from(orders).where(eq(orders.id, id)))[0].c as StockCheck).ok
    const tones = async (id: string) =>
      (await database.db.select().from(outbox).where(and(eq(outbox.channelId, channelId), eq(outbox.refKey, `order:${id}`), eq(outbox.kind, 'edit'))).orderBy(outbox.id)).map(
        (r) => (r.payload as NeutralMessage).tone,
      )
    const importFile = async (body: string) => {
      const now = deps.clock.now()
      const r = await importStockCsv(database.db, { shopId: shop.id, csv: `seller_sku,quantity\n${body}`, actor: 'cli', now })
      return recheckStockChanges(deps, shop.id, r.changes, now)
    }
    // 4 of SKU-A: the first two paid are covered now (SKU-B, 10 as before, moves nobody)
    expect(await importFile('SKU-A,4\nSKU-B,10\n')).toEqual({ orders: 2, recheck: { inStock: 2, short: 0, edited: 2 } })
    expect([await ok(first.id), await ok(second.id), await ok(third.id)]).toEqual([true, true, false])
    expect(await tones(third.id)).toEqual([])
    // SKU-B down to 1: only the first paid keeps its unit; the second is short again, the third was already
    expect(await importFile('SKU-A,4\nSKU-B,1\n')).toEqual({ orders: 2, recheck: { inStock: 0, short: 2, edited: 2 } })
    expect([await ok(first.id), await ok(second.id), await ok(third.id)]).toEqual([true, false, false])
    // both SKUs up: the third moves on both, counted once; all three are covered
    expect(await importFile('SKU-A,6\nSKU-B,3\n')).toEqual({ orders: 2, recheck: { inStock: 2, short: 0, edited: 2 } })
    expect([await ok(first.id), await ok(second.id), await ok(third.id)]).toEqual([true, true, true])
    expect(await tones(first.id)).toEqual(['success'])
    expect(await tones(second.id)).toEqual(['success', 'warning', 'success'])
    expect(await tones(third.id)).toEqual(['warning', 'success'])
    // the same file again moves nothing
    expect(await importFile('SKU-A,6\nSKU-B,3\n')).toEqual({ orders: 0, recheck: { inStock: 0, short: 0, edited: 0 } })
  })
})
