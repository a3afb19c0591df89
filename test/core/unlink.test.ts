import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, channelShops, outbox } from '../../db/schema.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { buyerRequest, platformOrder, uniqueId } from '../support/fixtures.js'
import { actor, chan, coreDeps, linkedSetup } from './support.js'

describeEachDb('/unlink: a chat stops following a shop', (get) => {
  it('only an admin, naming a shop the chat follows; anything else changes nothing and says what to give', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps, { name: 'Kitchen Store' })
    const links = () => database.db.$count(channelShops, eq(channelShops.channelId, channelId))

    const operator = actor(uniqueId('op'))
    await run(admin, { name: 'grant', target: { userId: operator.userId, displayName: 'Op' }, role: 'operator' })
    const refused = await run(operator, { name: 'unlink', shop: shop.id })
    expect(refused.ok).toBe(false)
    expect(refused.message.title).toMatch(/Only a channel admin can do this; your role here is operator/)

    // even the chat's only shop must be named: a stray /unlink does not silence it
    const which = await run(admin, { name: 'unlink' })
    expect(which.ok).toBe(false)
    expect(which.message.title).toBe(`Say which shop this chat should stop following: /unlink SHOP (its ID or name). This chat follows: ${shop.id} (Kitchen Store).`)

    const unknown = await run(admin, { name: 'unlink', shop: 'Garden Store' })
    expect(unknown.ok).toBe(false)
    expect(unknown.message.title).toMatch(/“Garden Store” is not a shop this chat follows. Give the ID or name of one of: \d+ \(Kitchen Store\)/)

    expect(await links()).toBe(1)
    expect(await database.db.$count(auditLog, and(eq(auditLog.channelId, channelId), eq(auditLog.action, 'unlink')))).toBe(0)
  })

  it('by name, in any letter case: the link goes (audited), the chat hears no more of the shop, and the reply says who still does and what waits', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId, assistant } = await linkedSetup(database, deps, { name: 'Kitchen Store' })
    // a second chat follows the same shop
    const other = chan()
    const otherAdmin = actor(uniqueId('u'))
    expect((await assistant.handle(other, otherAdmin, { name: 'link', code: await createLinkCode(database.db, shop.id, deps.clock) })).ok).toBe(true)
    // a buyer's request waits for an answer
    const o = platformOrder()
    await processPlatformOrder(deps, shop.id, o)
    await processPlatformCancellation(deps, shop.id, buyerRequest(o.id, deps.clock.now()))

    const r = await run(admin, { name: 'unlink', shop: '  kitchen store ' })
    expect(r.ok).toBe(true)
    expect(r.message.title).toBe('This chat no longer follows Kitchen Store')
    const text = messageText(r.message, (iso) => iso)
    expect(text).toMatch(/no longer posted here/)
    expect(text).toMatch(/Other chats that still follow it: 1\./)
    expect(text).toMatch(/still waiting for an answer: 1\. .*the first is due 2026-11-22T08:00:00.000Z/)
    expect(text).toContain(`npm run cli -- link-code --shop ${shop.id}, then /link CODE here.`)
    expect(await database.db.$count(channelShops, eq(channelShops.channelId, channelId))).toBe(0)
    const [log] = await database.db.select().from(auditLog).where(and(eq(auditLog.channelId, channelId), eq(auditLog.action, 'unlink')))
    expect(log).toMatchObject({ actor: `telegram:${admin.userId}`, subject: `shop:${shop.id}` })

    // a new paid order is posted to the chat that still follows the shop, not to this one
    const before = await database.db.$count(outbox, eq(outbox.channelId, channelId))
    await processPlatformOrder(deps, shop.id, platformOrder())
    expect(await database.db.$count(outbox, eq(outbox.channelId, channelId))).toBe(before)
    const otherId = (await assistant.handle(other, otherAdmin, { name: 'status' })).channel!.id
    expect(await database.db.$count(outbox, and(eq(outbox.channelId, otherId), eq(outbox.kind, 'post')))).toBeGreaterThan(0)
    // and the chat's commands no longer reach the shop
    const orders = await run(admin, { name: 'orders' })
    expect(orders.ok).toBe(false)
    expect(orders.message.title).toMatch(/does not follow any shop yet/)

    // the last chat to go is told nobody hears of the shop now
    const last = await assistant.handle(other, otherAdmin, { name: 'unlink', shop: shop.id })
    expect(last.message.lines).toContainEqual([{ bold: 'No chat follows it now: the assistant still reads the shop, but tells no one.' }])
  })

  it('two admins unlinking at once: one unlink, one audit row; in Chinese for a Chinese chat', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps, { name: '厨房店' })
    const second = actor(uniqueId('a2'))
    await run(admin, { name: 'grant', target: { userId: second.userId, displayName: 'A2' }, role: 'admin' })
    await run(admin, { name: 'settings', language: 'zh-CN' })
    const replies = await Promise.all([run(admin, { name: 'unlink', shop: '厨房店' }), run(second, { name: 'unlink', shop: shop.id })])
    expect(replies.filter((r) => r.message.title === '本群已不再关注 厨房店')).toHaveLength(1)
    // the other was told it was done already (or, had it come after, that the chat follows no shop)
    expect(replies.map((r) => r.message.title).join('\n')).toMatch(/本群此前已停止关注 厨房店|本群还没有关联店铺/)
    expect(await database.db.$count(auditLog, and(eq(auditLog.channelId, channelId), eq(auditLog.action, 'unlink')))).toBe(1)
    expect(await database.db.$count(channelShops, eq(channelShops.channelId, channelId))).toBe(0)
  })
})
