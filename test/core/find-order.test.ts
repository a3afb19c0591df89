import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orders } from '../../db/schema.js'
import { fulfilmentHandlers } from '../../src/fulfilment/commands.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, uniqueId } from '../support/fixtures.js'
import { coreDeps, linkedSetup, twoShopSetup } from './support.js'

/** an 18-digit-or-so order number of this run, ending in `tail` */
const endingIn = (tail: string) => `${uniqueId('57')}${tail}`

describeEachDb('finding an order by the end of its number, a tracking number or a package ID', (get) => {
  it('the last digits name the one order that ends in them, or list those that do; a tracking number or package ID names its order', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const a = platformOrder({ id: endingIn('901667'), at: '2026-11-20T08:00:00Z' })
    const b = platformOrder({ id: endingIn('551667'), at: '2026-11-20T09:00:00Z' })
    const tracking = `GB${uniqueId()}YP`
    const packageId = uniqueId('1152')
    const c = platformOrder({
      id: endingIn('123456'),
      tracking_number: tracking,
      line_items: [{ id: uniqueId('li'), sku_id: '1', seller_sku: 'SKU-A', product_name: 'Case', package_id: packageId, tracking_number: tracking }],
    })
    for (const o of [a, b, c]) await processPlatformOrder(deps, shop.id, o)

    // six last digits: the one order
    const one = await run(admin, { name: 'order', orderId: '123456' })
    expect(one.ok).toBe(true)
    expect(one.message.title).toBe(`Order ${c.id}`)
    // four that two orders end in: both listed, newest first, each with its button
    const two = await run(admin, { name: 'order', orderId: '1667' })
    expect(two.ok).toBe(true)
    expect(two.message.title).toBe('Orders matching “1667” (2)')
    expect(messageText(two.message).indexOf(b.id)).toBeLessThan(messageText(two.message).indexOf(a.id))
    expect(two.message.buttons.flat().map((x) => x.action)).toEqual([
      { type: 'order.show', orderId: b.id },
      { type: 'order.show', orderId: a.id },
    ])
    // a chat of one shop: the lines do not name it
    expect(messageText(two.message)).not.toContain(shop.name)
    // the tracking number (in any case) and the package ID
    expect((await run(admin, { name: 'order', orderId: tracking.toLowerCase() })).message.title).toBe(`Order ${c.id}`)
    expect((await run(admin, { name: 'order', orderId: packageId })).message.title).toBe(`Order ${c.id}`)
    // the whole number as before
    expect((await run(admin, { name: 'order', orderId: a.id })).message.title).toBe(`Order ${a.id}`)

    // too few digits, a number nothing ends in, a word that names nothing: each says what to give
    const short = await run(admin, { name: 'order', orderId: '667' })
    expect(short.ok).toBe(false)
    expect(short.message.title).toBe('“667” is too short to find an order by: give its last 4 digits or more, the whole number, or a tracking number.')
    const none = await run(admin, { name: 'order', orderId: '7777' })
    expect(none.message.title).toBe('No order of this chat’s shops has “7777” as its number, the end of its number, its tracking number or its package ID. Check it (/orders lists recent ones).')
    const whole = await run(admin, { name: 'order', orderId: '576600000000000001' })
    expect(whole.message.title).toBe('Order 576600000000000001 is not one of this chat’s shops’ orders. Check the number (/orders lists recent ones).')
  })

  it('only the chat’s own shops are searched; more than ten matches are cut at ten with a hint', async () => {
    const database = get()
    const deps = coreDeps(database)
    const mine = await linkedSetup(database, deps)
    const theirs = await linkedSetup(database, deps)
    const tail = String(Date.now()).slice(-6)
    const other = platformOrder({ id: endingIn(`9${tail}`) })
    await processPlatformOrder(deps, theirs.shop.id, other)
    const refused = await mine.run(mine.admin, { name: 'order', orderId: `9${tail}` })
    expect(refused.ok).toBe(false)
    expect(messageText(refused.message)).not.toContain(other.id)
    expect((await theirs.run(theirs.admin, { name: 'order', orderId: `9${tail}` })).message.title).toBe(`Order ${other.id}`)

    for (let i = 0; i < 11; i++) await processPlatformOrder(deps, mine.shop.id, platformOrder({ id: endingIn(`${i}4242`) }))
    const many = await mine.run(mine.admin, { name: 'order', orderId: '4242' })
    expect(many.message.title).toBe('Orders matching “4242” (10+)')
    const text = messageText(many.message)
    expect(text.match(/4242\b/g)).toHaveLength(10 + 1) // ten orders and the title
    expect(text).toContain('More orders match: give more digits, or the whole number.')
  })

  it('in a chat that follows two shops, each line of a list names its order’s shop', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, other: uk, run, admin } = await twoShopSetup(database, deps, { name: 'US store' }, { name: 'UK store <b>' })
    const a = platformOrder({ id: endingIn('771234'), at: '2026-11-20T08:00:00Z' })
    const b = platformOrder({ id: endingIn('881234'), at: '2026-11-20T09:00:00Z' })
    await processPlatformOrder(deps, us.id, a)
    await processPlatformOrder(deps, uk.id, b)
    const lineOf = (m: { lines: unknown[][] }, id: string) => m.lines.find((l) => JSON.stringify(l).includes(id))!
    for (const r of [await run(admin, { name: 'orders' }), await run(admin, { name: 'order', orderId: '1234' })]) {
      expect(r.ok).toBe(true)
      expect(lineOf(r.message, a.id).at(-1)).toBe(' · US store')
      expect(lineOf(r.message, b.id).at(-1)).toBe(' · UK store <b>')
    }
  })

  it('/mark, /label and /cancel take the same: the one order named, or the list to choose from', async () => {
    const database = get()
    const deps = coreDeps(database, { handlers: fulfilmentHandlers })
    const { shop, run, admin } = await linkedSetup(database, deps)
    const a = platformOrder({ id: endingIn('803131'), shipping_type: 'SELLER' })
    const b = platformOrder({ id: endingIn('703131') })
    for (const o of [a, b]) await processPlatformOrder(deps, shop.id, o)

    const marked = await run(admin, { name: 'mark', orderId: '803131', step: 'packed' })
    expect(marked.ok).toBe(true)
    const [row] = await database.db.select({ packedAt: orders.packedAt }).from(orders).where(eq(orders.id, a.id))
    expect(row.packedAt).not.toBeNull()
    const choose = await run(admin, { name: 'mark', orderId: '3131', step: 'packed' })
    expect(choose.message.title).toBe('Orders matching “3131” (2)')
    const [untouched] = await database.db.select({ packedAt: orders.packedAt }).from(orders).where(eq(orders.id, b.id))
    expect(untouched.packedAt).toBeNull()

    // /cancel too: the reason picker of the order named
    const cancel = await run(admin, { name: 'cancel_order', orderId: '703131' })
    expect(cancel.ok).toBe(true)
    expect(messageText(cancel.message)).toContain(b.id)
    expect(cancel.message.buttons.flat().every((x) => x.action.type === 'order.cancel' && x.action.orderId === b.id)).toBe(true)

    const label = await run(admin, { name: 'label', orderId: '803131' })
    try {
      expect(label.message.title).toContain(a.id)
      expect(label.ok).toBe(true)
      expect(label.files?.[0].mime).toBe('application/pdf')
    } finally {
      for (const f of label.files ?? []) await rm(dirname(f.path), { recursive: true, force: true })
    }
  })
})
