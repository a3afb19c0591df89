import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { outbox } from '../../db/schema.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { buyerRequest, platformOrder, seedShop } from '../support/fixtures.js'
import { chan, coreDeps, linkedSetup, twoShopSetup } from './support.js'

describeEachDb('posts in a chat that follows several shops', (get) => {
  it('a new order, a buyer’s request and its outcome name the shop there; a one-shop chat’s posts do not', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, assistant, channel, admin, channelId } = await twoShopSetup(database, deps, { name: 'US store', region: 'GB' }, { name: 'UK store' })
    const single = (await assistant.handle(chan(), admin, { name: 'link', code: await createLinkCode(database.db, us.id, deps.clock) })).channel!.id

    const o = platformOrder()
    await processPlatformOrder(deps, us.id, o)
    const cancelId = buyerRequest(o.id, deps.clock.now()).cancel_id
    await processPlatformCancellation(deps, us.id, buyerRequest(o.id, deps.clock.now(), { cancel_id: cancelId }))
    expect((await assistant.handle(channel, admin, { name: 'action', action: { type: 'cancel.accept', cancelId } })).ok).toBe(true)

    const posts = async (chId: number) =>
      (await database.db.select().from(outbox).where(eq(outbox.channelId, chId))).map((r) => r.payload as NeutralMessage).filter((m) => ['new_order', 'cancel_request', 'cancel_outcome'].includes(m.kind))
    const shopField = (m: NeutralMessage) => m.fields.find((f) => f.label === 'Shop')?.value
    const several = await posts(channelId)
    expect(several.map((m) => m.kind).sort()).toEqual(['cancel_outcome', 'cancel_request', 'new_order'])
    for (const m of several) expect(shopField(m)).toEqual(['US store'])
    const one = await posts(single)
    expect(one.map((m) => m.kind).sort()).toEqual(['cancel_outcome', 'cancel_request', 'new_order'])
    for (const m of one) expect(shopField(m)).toBeUndefined()
  })

  it('an order’s suggestions (Discord autocomplete) name its shop there', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, assistant, channel, admin } = await linkedSetup(database, deps, { name: 'US store' })
    const o = platformOrder()
    await processPlatformOrder(deps, us.id, o)
    expect(await assistant.suggest!(channel, admin, 'order', o.id.slice(-6))).toEqual([{ name: `${o.id} · awaiting shipment · 50.00 USD`, value: o.id }])
    const uk = await seedShop(database.db, { name: 'UK store' })
    await assistant.handle(channel, admin, { name: 'link', code: await createLinkCode(database.db, uk.id, deps.clock) })
    expect(await assistant.suggest!(channel, admin, 'order', o.id.slice(-6))).toEqual([{ name: `${o.id} · awaiting shipment · 50.00 USD · US store`, value: o.id }])
  })
})
