import { expect, it } from 'vitest'
import { stockLevels } from '../../db/schema.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, uniqueId } from '../support/fixtures.js'
import { actor, coreDeps, linkedSetup } from './support.js'

describeEachDb('/stock SKU: the open orders holding it, first paid first', (get) => {
  it('marks which orders the stock on hand covers and which not, with buttons to the uncovered ones; shipped and unpaid orders hold nothing', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const operator = actor(uniqueId('op'), { platformOperator: true })
    expect((await run(operator, { name: 'stock', sku: 'SKU-A', quantity: 3 })).ok).toBe(true)
    // each holds 2 × SKU-A (and 1 × SKU-B); paid in the order second, first, third
    const first = platformOrder({ at: '2026-11-20T08:00:00Z' })
    const second = platformOrder({ at: '2026-11-20T07:00:00Z' })
    const third = platformOrder({ at: '2026-11-20T09:00:00Z', is_buyer_request_cancel: true })
    for (const o of [first, second, third]) await processPlatformOrder(deps, shop.id, o)
    await processPlatformOrder(deps, shop.id, platformOrder({ status: 'UNPAID' }))
    await processPlatformOrder(deps, shop.id, platformOrder({ status: 'IN_TRANSIT' }))

    const r = await run(admin, { name: 'stock', sku: 'SKU-A' })
    expect(r.ok).toBe(true)
    const lines = messageText(r.message).split('\n')
    expect(lines.slice(1)).toEqual([
      'SKU-A: 3 on hand, 6 reserved: SHORT by 3',
      'Open orders holding it, first paid first (3):',
      `✓ ${second.id} · 2 unit(s) · covered by stock on hand · pack by 2026-11-22T07:00:00.000Z`,
      `✗ ${first.id} · 2 unit(s) · NOT covered · pack by 2026-11-22T08:00:00.000Z`,
      `✗ ${third.id} · 2 unit(s) · NOT covered · the buyer asked to cancel · pack by 2026-11-22T09:00:00.000Z`,
    ])
    expect(r.message.buttons.flat().map((b) => b.action)).toEqual([
      { type: 'order.show', orderId: first.id },
      { type: 'order.show', orderId: third.id },
    ])
    // units coming in: the reply names the orders they cover now, to pack, with buttons to open them
    const received = await run(operator, { name: 'stock', sku: 'SKU-A', adjust: 2 })
    expect(messageText(received.message).split('\n').slice(1)).toEqual([
      'Open orders hold 6: still 1 short for them.',
      'Now covered by the stock on hand (1): they can be packed.',
      `✓ ${first.id} · 2 unit(s) · covered by stock on hand · pack by 2026-11-22T08:00:00.000Z`,
    ])
    expect(received.message.buttons.flat().map((b) => b.action)).toEqual([{ type: 'order.show', orderId: first.id }])
    // a count set lower: the orders it no longer covers
    const counted = await run(operator, { name: 'stock', sku: 'SKU-A', quantity: 1 })
    expect(messageText(counted.message).split('\n').slice(1)).toEqual([
      'Open orders hold 6: still 5 short for them.',
      'No longer covered by the stock on hand (2):',
      `✗ ${second.id} · 2 unit(s) · NOT covered · pack by 2026-11-22T07:00:00.000Z`,
      `✗ ${first.id} · 2 unit(s) · NOT covered · pack by 2026-11-22T08:00:00.000Z`,
    ])
    // one unit: the first paid is covered again; one more moves no order across, and nothing more is said
    expect(messageText((await run(operator, { name: 'stock', sku: 'SKU-A', adjust: 1 })).message)).toContain(`Now covered by the stock on hand (1): they can be packed.\n✓ ${second.id}`)
    const small = await run(operator, { name: 'stock', sku: 'SKU-A', adjust: 1 })
    expect(messageText(small.message).split('\n').slice(1)).toEqual(['Open orders hold 6: still 3 short for them.'])
    expect(small.message.buttons).toEqual([])
    // a SKU nothing holds: its line alone
    await run(operator, { name: 'stock', sku: 'SKU-Z', quantity: 1 })
    expect((await run(admin, { name: 'stock', sku: 'SKU-Z' })).message.lines).toEqual([['SKU-Z: 1 on hand, 0 reserved, 1 available']])
  })

  it('the list shows every short SKU first, however far down the catalogue, then as many others as a message holds', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const now = deps.clock.now()
    // 230 SKUs with stock, and ZZ-LAST (last by name) that an order holds more of than is on hand
    await database.db.insert(stockLevels).values([
      ...Array.from({ length: 230 }, (_, i) => ({ shopId: shop.id, sellerSku: `A-${String(i).padStart(3, '0')}`, onHand: 5, updatedAt: now, updatedBy: 'test' })),
      { shopId: shop.id, sellerSku: 'ZZ-LAST', onHand: 1, updatedAt: now, updatedBy: 'test' },
    ])
    const line = { id: uniqueId('li'), sku_id: '1', seller_sku: 'ZZ-LAST', product_name: 'P', sku_name: 'S', sale_price: '1.00', original_price: '1.00', currency: 'USD' }
    await processPlatformOrder(deps, shop.id, platformOrder({ line_items: [line, { ...line, id: uniqueId('li') }] }))
    const lines = messageText((await run(admin, { name: 'stock' })).message).split('\n').slice(1)
    expect(lines[0]).toBe('ZZ-LAST: 1 on hand, 2 reserved: SHORT by 1')
    expect(lines.slice(1, 40)).toEqual(Array.from({ length: 39 }, (_, i) => `A-${String(i).padStart(3, '0')}: 5 on hand, 0 reserved, 5 available`))
    expect(lines.slice(40)).toEqual(['… and 191 more SKUs with enough stock. /stock SKU shows one (on Discord the SKUs are suggested as you type).'])
  })
})
