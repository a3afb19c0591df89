import { readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { and, eq, inArray } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, orders } from '../../db/schema.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { buildPickList, loadPickList, printPickList } from '../../src/fulfilment/picklist.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, uniqueId } from '../support/fixtures.js'
import { pdfText } from './pdf-text.js'

const line = (orderId: string, n: number, sku: string, name: string, variation: string, skuId: string) => ({
  id: `${orderId}${String(n).padStart(2, '0')}`,
  sku_id: skuId,
  seller_sku: sku,
  product_name: name,
  sku_name: variation,
  sale_price: '9.90',
  original_price: '9.90',
  currency: 'USD',
})

it('counts units per order and per SKU from line items (one unit each)', () => {
  const heads = ['o1', 'o2'].map((id) => ({ id, shopId: 's', shopName: 'S', paidTime: null, packByAt: null, buyerMessage: '', sellerNote: '' }))
  const l = (orderId: string, skuId: string, sellerSku: string, isGift = false) => ({ orderId, skuId, sellerSku, productName: sellerSku, skuName: '', isGift })
  const list = buildPickList(heads, [l('o1', '1', 'B'), l('o1', '1', 'B'), l('o1', '2', 'A'), l('o2', '1', 'B'), l('o2', '3', ''), l('o2', '1', 'B', true)])
  expect(list.skus.map((s) => [s.sellerSku, s.quantity, s.orders])).toEqual([
    ['A', 1, 1],
    ['B', 4, 2],
    ['', 1, 1],
  ])
  expect(list.totalUnits).toBe(6)
  expect(list.orders[1].items.map((i) => [i.sellerSku, i.quantity, i.isGift])).toEqual([
    ['B', 1, false],
    ['B', 1, true],
    ['', 1, false],
  ])
  expect(list.orders.map((o) => o.units)).toEqual([3, 3])
})

describeEachDb('pick list', (get) => {
  it('prints one PDF for the unpicked paid orders, readable with Chinese names and quantities, and marks them printed', async () => {
    const { db } = get()
    const shop = await seedShop(db, { name: '深圳优品 Shop', timeZone: 'Asia/Shanghai' })
    const other = await seedShop(db)
    const at = '2026-11-20T08:00:00Z'
    const mk = (items: (id: string) => ReturnType<typeof line>[], over: Parameters<typeof platformOrder>[0] = {}) => {
      const id = uniqueId('5766')
      return platformOrder({ id, at, line_items: items(id), ...over })
    }
    const a = mk((id) => [line(id, 1, 'MUG-RED', '陶瓷马克杯', '红色 350ml', '901'), line(id, 2, 'MUG-RED', '陶瓷马克杯', '红色 350ml', '901'), line(id, 3, 'TEA-01', '西湖龙井茶叶', '250克', '902')], { buyer_message: '请用纸箱包装，谢谢' })
    const b = mk((id) => [line(id, 1, 'MUG-RED', '陶瓷马克杯', '红色 350ml', '901'), line(id, 2, 'TEA-01', '西湖龙井茶叶', '250克', '902'), line(id, 3, 'TEA-01', '西湖龙井茶叶', '250克', '902'), line(id, 4, 'TEA-01', '西湖龙井茶叶', '250克', '902')])
    const onHold = mk((id) => [line(id, 1, 'HOLD-SKU', '保温杯', '白', '903')], { status: 'ON_HOLD' })
    const cancelling = mk((id) => [line(id, 1, 'CANCEL-SKU', '雨伞', '黑', '904')], { is_buyer_request_cancel: true })
    const shipped = mk((id) => [line(id, 1, 'SHIPPED-SKU', '雨伞', '黑', '905')], { status: 'IN_TRANSIT' })
    const otherShop = mk((id) => [line(id, 1, 'OTHER-SKU', '别的店', '-', '906')])
    for (const o of [a, b, onHold, cancelling, shipped]) await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    await db.transaction((tx) => ingestOrder(tx, other.id, otherShop))

    const now = new Date('2026-11-20T10:00:00Z')
    const res = await printPickList(db, { shopIds: [shop.id], actor: 'telegram:42', actorName: 'Li', channelId: null, locale: 'zh-CN', timeZone: 'Asia/Shanghai', now })
    expect(res.file).not.toBeNull()
    const file = res.file!
    try {
      expect(file.mime).toBe('application/pdf')
      expect(file.sizeBytes).toBe((await readFile(file.path)).length)
      expect(res.list.orders.map((o) => o.id).sort()).toEqual([a.id, b.id].sort())
      expect(res.list.cancelRequested).toBe(1)

      const { text } = await pdfText(file.path)
      expect(text).toContain('拣货单')
      // summary rows: seller SKU, product, variation, total quantity, orders
      expect(text).toMatch(/MUG-RED 陶瓷马克杯 红色 350ml 3 2/)
      expect(text).toMatch(/TEA-01 西湖龙井茶叶 250克 4 2/)
      // per-order sections with paid and pack-by times in the shop's zone (UTC+8), and the buyer note
      expect(text).toContain(a.id)
      expect(text).toContain(b.id)
      expect(text).toContain('2026-11-20 16:00') // paid 08:00Z
      expect(text).toContain('2026-11-22 16:00') // pack by 48 h later
      expect(text).toContain('请用纸箱包装，谢谢')
      for (const absent of ['HOLD-SKU', 'CANCEL-SKU', 'SHIPPED-SKU', 'OTHER-SKU']) expect(text).not.toContain(absent)
    } finally {
      await rm(dirname(file.path), { recursive: true, force: true })
    }

    const rows = await db.select({ id: orders.id, printed: orders.pickListPrintedAt, packed: orders.packedAt }).from(orders).where(inArray(orders.id, [a.id, b.id, onHold.id, cancelling.id]))
    const printed = Object.fromEntries(rows.map((r) => [r.id, r.printed?.toISOString() ?? null]))
    expect(printed).toEqual({ [a.id]: now.toISOString(), [b.id]: now.toISOString(), [onHold.id]: null, [cancelling.id]: null })
    expect(rows.every((r) => r.packed === null)).toBe(true) // printing is not packing
    const marks = await db.select().from(auditLog).where(and(eq(auditLog.action, 'order.mark'), eq(auditLog.actor, 'telegram:42')))
    expect(marks.map((r) => [r.subject, (r.details as { step: string }).step]).sort()).toEqual([[`order:${a.id}`, 'pick_list'], [`order:${b.id}`, 'pick_list']].sort())
    const [print] = await db.select().from(auditLog).where(and(eq(auditLog.action, 'print.pick_list'), eq(auditLog.actor, 'telegram:42')))
    expect((print.details as { orderIds: string[] }).orderIds).toEqual([a.id, b.id].sort())

    // printed orders are not on the next default pick list
    const again = await printPickList(db, { shopIds: [shop.id], actor: 'telegram:42', locale: 'en', timeZone: 'UTC', now: new Date('2026-11-20T11:00:00Z') })
    expect(again.file).toBeNull()
    expect(again.list.orders).toEqual([])
  }, 90_000) // first use loads the 10 MB fonts

  it('reprinting chosen orders keeps the first print time and audits the reprint', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const o = platformOrder({ at: '2026-11-20T08:00:00Z' })
    await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const first = new Date('2026-11-20T09:00:00Z')
    const r1 = await printPickList(db, { shopIds: [shop.id], actor: 'discord:1', locale: 'en', timeZone: 'UTC', now: first })
    const r2 = await printPickList(db, { shopIds: [shop.id], orderIds: [o.id], actor: 'discord:2', locale: 'en', timeZone: 'UTC', now: new Date('2026-11-20T10:00:00Z') })
    for (const r of [r1, r2]) if (r.file) await rm(dirname(r.file.path), { recursive: true, force: true })
    expect(r1.marked).toEqual([o.id])
    expect(r2.marked).toEqual([])
    expect(r2.file).not.toBeNull()
    const [row] = await db.select().from(orders).where(eq(orders.id, o.id))
    expect(row.pickListPrintedAt?.toISOString()).toBe(first.toISOString())
    const audit = await db.select().from(auditLog).where(eq(auditLog.subject, `order:${o.id}`))
    expect(audit.map((r) => [r.actor, r.action, (r.details as { newlyMarked?: number }).newlyMarked ?? null]).sort()).toEqual([
      ['discord:1', 'order.mark', null],
      ['discord:1', 'print.pick_list', 1],
      ['discord:2', 'print.pick_list', 0],
    ])
  })

  it('refuses orders of other shops and unpaid ones by name, and needs a linked shop', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const other = await seedShop(db)
    const mine = platformOrder({ status: 'UNPAID', paid_time: undefined })
    const theirs = platformOrder()
    await db.transaction((tx) => ingestOrder(tx, shop.id, mine))
    await db.transaction((tx) => ingestOrder(tx, other.id, theirs))
    await expect(loadPickList(db, { shopIds: [shop.id], orderIds: [theirs.id] })).rejects.toMatchObject({ code: 'not_found' })
    await expect(loadPickList(db, { shopIds: [shop.id], orderIds: [mine.id] })).rejects.toMatchObject({ code: 'bad_input' })
    await expect(loadPickList(db, { shopIds: [] })).rejects.toMatchObject({ code: 'bad_input' })
  })
})
