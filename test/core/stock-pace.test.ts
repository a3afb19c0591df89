import { expect, it } from 'vitest'
import { daySummary } from '../../src/fulfilment/daily-summary.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder } from '../support/fixtures.js'
import { coreDeps, linkedSetup } from './support.js'

describeEachDb('/stock warns of SKUs running low at the pace they sell', (get) => {
  it('lists, after the short ones, the SKUs that sell out within 3 days at the last 14 days’ pace, soonest first', async () => {
    const database = get()
    const deps = coreDeps(database) // now: 2026-11-20 08:00 UTC
    const { shop, run, admin } = await linkedSetup(database, deps)
    for (const [sku, n] of [['SKU-A', 2], ['SKU-B', 10], ['LAMP-LED', 1], ['MUG-1', 3]] as const) await run(admin, { name: 'stock', sku, quantity: n })
    // each order: 2 × SKU-A, 1 × SKU-B. Seven completed in the 14 days: SKU-A sells 1 a day, SKU-B 0.5
    for (let d = 1; d <= 7; d++) await processPlatformOrder(deps, shop.id, platformOrder({ at: new Date(Date.UTC(2026, 10, 21 - 2 * d, 6)), status: 'COMPLETED' }))
    // not counted: a cancelled order, and one paid 20 days ago
    await processPlatformOrder(deps, shop.id, platformOrder({ at: '2026-11-18T06:00:00Z', status: 'CANCELLED' }))
    await processPlatformOrder(deps, shop.id, platformOrder({ at: '2026-10-31T06:00:00Z', status: 'COMPLETED' }))
    // MUG-1: 3 on hand, 2 units in the 14 days (about 0.1 a day): 21 days left, not low
    const mug = platformOrder({ at: '2026-11-15T06:00:00Z', status: 'COMPLETED' })
    mug.line_items = mug.line_items!.slice(0, 2).map((li) => ({ ...li, seller_sku: 'MUG-1' }))
    await processPlatformOrder(deps, shop.id, mug)
    const text = messageText((await run(admin, { name: 'stock' })).message)
    expect(text).toContain(
      [
        'Running low: under 3 days of sales left at the pace of the last 14 days (1):',
        'SKU-A: 2 on hand, 0 reserved, 2 available · about 2 days left at 1 a day',
        'LAMP-LED: 1 on hand, 0 reserved, 1 available',
        'MUG-1: 3 on hand, 0 reserved, 3 available',
        'SKU-B: 10 on hand, 0 reserved, 10 available',
      ].join('\n'),
    )
    // the daily summary counts it
    expect((await daySummary(database.db, [shop.id], deps.clock.now())).low).toBe(1)
    // a SKU open orders are short of comes first, and is not "running low" too
    await run(admin, { name: 'stock', sku: 'SKU-A', quantity: 0 })
    await processPlatformOrder(deps, shop.id, platformOrder({ at: '2026-11-20T07:00:00Z' }))
    const after = messageText((await run(admin, { name: 'stock' })).message)
    expect(after.split('\n')[1]).toBe('SKU-A: 0 on hand, 2 reserved: SHORT by 2')
    expect(after).not.toContain('Running low')
    expect((await daySummary(database.db, [shop.id], deps.clock.now())).low).toBe(0)
    expect(after).toContain('SKU-B: 10 on hand, 1 reserved, 9 available')
  })
})
