import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { cancellations, orders, outbox } from '../../db/schema.js'
import { setStock } from '../../src/inventory/stock.js'
import type { StockCheck } from '../../src/inventory/stock-check.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, unix, uniqueId } from '../support/fixtures.js'
import { coreDeps, linkedSetup } from './support.js'

describeEachDb('order and cancellation flows', (get) => {
  it('a paid order gets a stock check (in stock / short by N / unknown) and one new-order message per channel', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, channelId } = await linkedSetup(database, deps)
    const now = deps.clock.now()
    await database.db.transaction(async (tx) => {
      await setStock(tx, { shopId: shop.id, sellerSku: 'SKU-A', quantity: 3, actor: 'cli', now })
      await setStock(tx, { shopId: shop.id, sellerSku: 'SKU-B', quantity: 1, actor: 'cli', now })
    })
    // first order takes 2 A + 1 B: all in stock
    const o1 = platformOrder({ buyer_message: 'Please <b>hurry</b> 请尽快' })
    const r1 = await processPlatformOrder(deps, shop.id, o1)
    expect(r1.becamePaid).toBe(true)
    const [row1] = await database.db.select().from(orders).where(eq(orders.id, o1.id))
    const c1 = row1.stockCheck as StockCheck
    expect(c1.ok).toBe(true)
    expect(c1.lines.map((l) => [l.sellerSku, l.quantity, l.result, l.available])).toEqual([
      ['SKU-A', 2, 'in_stock', 3],
      ['SKU-B', 1, 'in_stock', 1],
    ])
    // second order: A has 1 left (needs 2 → short by 1), B has 0 left (short by 1), C unknown
    const o2 = platformOrder({
      line_items: [
        { id: uniqueId('li'), sku_id: '1', seller_sku: 'SKU-A', product_name: 'Case' },
        { id: uniqueId('li'), sku_id: '1', seller_sku: 'SKU-A', product_name: 'Case' },
        { id: uniqueId('li'), sku_id: '2', seller_sku: 'SKU-B', product_name: 'Cable' },
        { id: uniqueId('li'), sku_id: '3', seller_sku: 'SKU-C', product_name: 'Mystery' },
      ],
    })
    await processPlatformOrder(deps, shop.id, o2)
    const [row2] = await database.db.select().from(orders).where(eq(orders.id, o2.id))
    const c2 = row2.stockCheck as StockCheck
    expect(c2.ok).toBe(false)
    expect(c2.lines.map((l) => [l.sellerSku, l.result, l.shortBy])).toEqual([
      ['SKU-A', 'short', 1],
      ['SKU-B', 'short', 1],
      ['SKU-C', 'unknown', 0],
    ])
    // a repeat of the same order posts nothing new
    await processPlatformOrder(deps, shop.id, structuredClone(o1))
    const posts = await database.db.select().from(outbox).where(eq(outbox.channelId, channelId))
    expect(posts.filter((p) => p.refKey === `order:${o1.id}`)).toHaveLength(1)
    const msg = posts.find((p) => p.refKey === `order:${o2.id}`)!.payload as NeutralMessage
    const text = messageText(msg)
    expect(msg.kind).toBe('new_order')
    expect(text).toContain('2 × Case (SKU-A)')
    expect(text).toContain('SKU-A: SHORT by 1')
    expect(text).toContain('SKU-C: unknown SKU')
    expect(text).toContain('50.00 USD')
    expect(msg.fields.map((f) => f.label)).toEqual(expect.arrayContaining(['Pack by', 'Hand over by', 'Stock']))
    const msg1 = posts.find((p) => p.refKey === `order:${o1.id}`)!.payload as NeutralMessage
    expect(messageText(msg1)).toContain('Please <b>hurry</b> 请尽快') // plain text: adapters escape
  })

  it('an on-hold order is shown on hold; cancelled later, its message is edited without buttons', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, channelId } = await linkedSetup(database, deps)
    const o = platformOrder({ status: 'ON_HOLD' })
    await processPlatformOrder(deps, shop.id, o)
    const [post] = await database.db.select().from(outbox).where(eq(outbox.refKey, `order:${o.id}`))
    expect(messageText(post.payload as NeutralMessage)).toContain('On hold')
    await processPlatformOrder(deps, shop.id, { ...o, status: 'CANCEL', cancel_time: o.update_time + 600, update_time: o.update_time + 600 })
    const edits = (await database.db.select().from(outbox).where(eq(outbox.channelId, channelId))).filter((r) => r.kind === 'edit')
    expect(edits).toHaveLength(1)
    expect((edits[0].payload as NeutralMessage).title).toBe(`Order ${o.id} was cancelled`)
    expect((edits[0].payload as NeutralMessage).buttons).toEqual([])
  })

  it('a buyer request: stored with the platform deadline, announced once; the closed spelling closes it', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop } = await linkedSetup(database, deps, { region: 'GB' })
    const o = platformOrder()
    await processPlatformOrder(deps, shop.id, o)
    const cancelId = uniqueId('4035')
    const req = {
      cancel_id: cancelId,
      order_id: o.id,
      cancel_type: 'BUYER_CANCEL',
      cancel_status: 'CANCELLATION_REQUEST_PENDING',
      role: 'BUYER',
      cancel_reason_text: 'No longer needed',
      create_time: unix('2026-11-20T09:00:00Z'),
      update_time: unix('2026-11-20T09:00:00Z'),
      seller_next_action_response: [{ action: 'SELLER_RESPOND_CANCEL', deadline: unix('2026-11-22T08:30:00Z') }],
    }
    const r1 = await processPlatformCancellation(deps, shop.id, req)
    const r2 = await processPlatformCancellation(deps, shop.id, structuredClone(req))
    expect(r1).toMatchObject({ outcome: 'inserted', state: 'pending', announced: true })
    expect(r2.outcome).toBe('unchanged')
    const [row] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    expect(row.respondBy?.toISOString()).toBe('2026-11-22T08:30:00.000Z')
    const posts = await database.db.select().from(outbox).where(eq(outbox.refKey, `cancel:${cancelId}`))
    expect(posts).toHaveLength(1)
    const msg = posts[0].payload as NeutralMessage
    expect(msg.buttons[0].map((b) => b.action)).toEqual([
      { type: 'cancel.accept', cancelId },
      { type: 'cancel.reject_start', cancelId },
    ])
    // without a platform deadline: request time + the shop's setting (48 h)
    const other = await processPlatformCancellation(deps, shop.id, { ...req, cancel_id: uniqueId('4035'), seller_next_action_response: undefined })
    const [row2] = await database.db.select().from(cancellations).where(eq(cancellations.id, other.cancelId))
    expect(row2.respondBy?.toISOString()).toBe('2026-11-22T09:00:00.000Z')
    // the buyer withdraws: the webhook spelling CANCELLATION_REQUEST_CANCEL closes it and edits the message
    const r3 = await processPlatformCancellation(deps, shop.id, { ...req, cancel_status: 'CANCELLATION_REQUEST_CANCEL', update_time: req.update_time + 60 })
    expect(r3.state).toBe('withdrawn')
    const rows = await database.db.select().from(outbox).where(eq(outbox.refKey, `cancel:${cancelId}`))
    const edit = rows.find((x) => x.kind === 'edit')!
    expect((edit.payload as NeutralMessage).buttons).toEqual([])
    expect((edit.payload as NeutralMessage).title).toContain('closed')
  })

  it('bad platform input is refused with a clear message and writes nothing', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop } = await linkedSetup(database, deps)
    await expect(processPlatformCancellation(deps, shop.id, { cancel_id: 'x y', order_id: '1', cancel_status: 'X', create_time: 1 })).rejects.toThrow(/cancel_id/)
    await expect(processPlatformOrder(deps, shop.id, { id: '1', status: 'UNPAID' })).rejects.toThrow(/create_time/)
  })
})
