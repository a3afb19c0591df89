import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, channelMembers, channels, linkCodes } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { messageText } from '../../src/notifications/message.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, uniqueId } from '../support/fixtures.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { actor, chan, coreDeps, linkedSetup } from './support.js'

describeEachDb('assistant: channels, link codes, roles, settings', (get) => {
  it('a link code works once, makes the linker admin, and is stored hashed', async () => {
    const database = get()
    const deps = coreDeps(database)
    const shop = await seedShop(database.db)
    const a = createAssistant(deps)
    const code = await createLinkCode(database.db, shop.id, deps.clock)
    expect(code).toMatch(/^[A-Z2-9]{10}$/)
    expect(await database.db.$count(linkCodes, eq(linkCodes.codeHash, code))).toBe(0)
    const ch1 = chan()
    const u = actor('1')
    const r1 = await a.handle(ch1, u, { name: 'link', code: code.toLowerCase() })
    expect(r1.ok).toBe(true)
    expect(messageText(r1.message)).toContain(shop.name)
    const r2 = await a.handle(chan(), actor('2'), { name: 'link', code })
    expect(r2).toMatchObject({ ok: false, ephemeral: true })
    expect(r2.message.title).toMatch(/not valid or has expired/)
    const [m] = await database.db.select().from(channelMembers).where(eq(channelMembers.channelId, r1.channel!.id))
    expect(m).toMatchObject({ userKey: 'telegram:1', role: 'admin' })
    const [log] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'link'), eq(auditLog.subject, `shop:${shop.id}`)))
    expect(log).toMatchObject({ actor: 'telegram:1', actorName: 'User 1', channelId: r1.channel!.id })
  })

  it('a link code expires after 15 minutes', async () => {
    const database = get()
    const deps = coreDeps(database)
    const shop = await seedShop(database.db)
    const code = await createLinkCode(database.db, shop.id, deps.clock)
    deps.clock.advanceMinutes(15)
    const r = await createAssistant(deps).handle(chan(), actor('1'), { name: 'link', code })
    expect(r.ok).toBe(false)
    expect(r.message.title).toMatch(/expired/)
  })

  it('a new channel takes its language from the platform hint and answers in it', async () => {
    const database = get()
    const deps = coreDeps(database)
    const a = createAssistant(deps)
    const r = await a.handle(chan(uniqueId('-100'), { localeHint: 'zh-hans' }), actor('9'), { name: 'orders' })
    expect(r.ok).toBe(false)
    expect(r.channel?.locale).toBe('zh-CN')
    expect(r.message.title).toContain('本群还没有关联店铺')
  })

  it('roles: viewers cannot grant, admins can; the last admin cannot be removed; platform operators count as operators', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    const viewer = actor(uniqueId('v'))
    const refused = await run(viewer, { name: 'grant', target: { userId: viewer.userId, displayName: 'me' }, role: 'admin' })
    expect(refused.ok).toBe(false)
    expect(refused.message.title).toMatch(/Only a channel admin can do this; your role here is viewer/)
    expect(await database.db.$count(channelMembers, eq(channelMembers.channelId, channelId))).toBe(1)

    const bad = await run(admin, { name: 'grant', target: { userId: viewer.userId, displayName: 'V' }, role: 'boss' })
    expect(bad.message.title).toMatch(/Unknown role “boss”/)
    const ok = await run(admin, { name: 'grant', target: { userId: viewer.userId, displayName: 'V' }, role: 'operator' })
    expect(ok.ok).toBe(true)
    const last = await run(admin, { name: 'revoke', target: { userId: admin.userId, displayName: admin.displayName } })
    expect(last.ok).toBe(false)
    expect(last.message.title).toMatch(/at least one admin/)
    const demote = await run(admin, { name: 'grant', target: { userId: admin.userId, displayName: admin.displayName }, role: 'viewer' })
    expect(demote.ok).toBe(false)
    const rv = await run(admin, { name: 'revoke', target: { userId: viewer.userId, displayName: 'V' } })
    expect(rv.ok).toBe(true)
    const logs = await database.db.select().from(auditLog).where(eq(auditLog.channelId, channelId))
    expect(logs.map((l) => l.action).sort()).toEqual(['link', 'role.grant', 'role.revoke'])
    expect(logs.find((l) => l.action === 'role.grant')).toMatchObject({ actor: `telegram:${admin.userId}`, subject: `member:telegram:${viewer.userId}` })

    const platformOp = actor(uniqueId('p'), { platformOperator: true })
    const stockSet = await run(platformOp, { name: 'stock', sku: 'SKU-A', quantity: 5 })
    expect(stockSet.ok).toBe(true)
    const stockAsViewer = await run(actor(uniqueId('x')), { name: 'stock', sku: 'SKU-A', quantity: 7 })
    expect(stockAsViewer.ok).toBe(false)
    expect(stockAsViewer.message.title).toMatch(/operator/)
    const added = await run(platformOp, { name: 'stock', sku: 'SKU-A', adjust: 3 })
    expect(added.message.title).toBe('SKU-A: on hand 5 +3 = 8.')
    expect(added.message.lines).toEqual([['Open orders hold 0: 8 available for new orders.']])
    // a paid order to ship holds two units of SKU-A: the next change says what is left for new orders
    await processPlatformOrder(deps, shop.id, platformOrder())
    const more = await run(platformOp, { name: 'stock', sku: 'SKU-A', adjust: 1 })
    expect(more.message.lines).toEqual([['Open orders hold 2: 7 available for new orders.']])
    const tooMany = await run(platformOp, { name: 'stock', sku: 'SKU-A', adjust: -10 })
    expect(tooMany.ok).toBe(false)
    expect(tooMany.message.title).toMatch(/SKU-A has 9 on hand: taking 10 would leave less than nothing/)
    const both = await run(platformOp, { name: 'stock', sku: 'SKU-A', quantity: 1, adjust: 1 })
    expect(both.message.title).toMatch(/not both/)
    const adjustAsViewer = await run(actor(uniqueId('x')), { name: 'stock', sku: 'SKU-A', adjust: -8 })
    expect(adjustAsViewer.message.title).toMatch(/operator/)
    expect((await run(platformOp, { name: 'stock', sku: 'SKU-A' })).message.lines?.flat().join(' ')).toMatch(/SKU-A: 9 on hand, 2 reserved, 7 available/)
    // SKU-B is short for the order (1 held, none on hand): said as short, and listed before SKU-A
    await run(platformOp, { name: 'stock', sku: 'SKU-B', quantity: 0 })
    const list = await run(platformOp, { name: 'stock' })
    expect(list.message.lines).toEqual([[{ bold: 'SKU-B: 0 on hand, 1 reserved: SHORT by 1' }], ['SKU-A: 9 on hand, 2 reserved, 7 available']])
    const stillShort = await run(platformOp, { name: 'stock', sku: 'SKU-B', quantity: 0 })
    expect(stillShort.message.lines).toEqual([['Open orders hold 1: still 1 short for them.']])
  })

  it('settings: admins change language, zone and thresholds; bad values are refused with what to write', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { run, admin, channelId } = await linkedSetup(database, deps)
    const badTz = await run(admin, { name: 'settings', timeZone: 'Mars/Base' })
    expect(badTz.message.title).toMatch(/IANA name such as Asia\/Shanghai/)
    const badTh = await run(admin, { name: 'settings', thresholds: '12x' })
    expect(badTh.message.title).toMatch(/12h,2h,0/)
    const r = await run(admin, { name: 'settings', language: 'zh-CN', timeZone: 'Asia/Shanghai', thresholds: '24h, 1h, 0' })
    expect(r.ok).toBe(true)
    expect(r.message.title).toBe('设置已保存。')
    const [row] = await database.db.select().from(channels).where(eq(channels.id, channelId))
    expect(row).toMatchObject({ locale: 'zh-CN', timeZone: 'Asia/Shanghai', warnThresholdsMinutes: [1440, 60, 0] })
    const viewer = await run(actor(uniqueId('v')), { name: 'settings', language: 'en' })
    expect(viewer.ok).toBe(false)
    expect(viewer.message.title).toContain('管理员')
  })

  it('orders: an unknown status gets the list of valid ones; a longer list says how many it leaves out; missing handlers say not available', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const r = await run(admin, { name: 'orders', status: 'lost' })
    expect(r.ok).toBe(false)
    expect(r.message.title).toContain('all, unpaid, awaiting_shipment, shipped, completed, cancelling, cancelled')
    const ok = await run(admin, { name: 'orders', status: 'awaiting shipment' })
    expect(ok.ok).toBe(true)
    expect(ok.message.footer).toBeUndefined() // nothing left out
    // more orders than a list shows: the count, and the export that has them all
    for (let i = 0; i < 16; i++) await processPlatformOrder(deps, shop.id, platformOrder({ at: new Date(Date.parse('2026-11-20T08:00:00Z') + i * 60_000) }))
    await processPlatformOrder(deps, shop.id, platformOrder({ status: 'UNPAID' }))
    const many = await run(admin, { name: 'orders', status: '待发货' })
    expect(many.message.lines).toHaveLength(15)
    expect(many.message.footer).toEqual(['The newest 15 of 16. For a file of them: /export status=awaiting_shipment (from= reaches back up to 90 days)'])
    expect((await run(admin, { name: 'orders' })).message.footer).toEqual(['The newest 15 of 17. For a file of them: /export status=all (from= reaches back up to 90 days)'])
    const na = await run(admin, { name: 'picklist' })
    expect(na).toMatchObject({ ok: false, ephemeral: true })
    expect(na.message.title).toMatch(/picklist is not available yet/)
  })

  it('an unexpected failure is logged and answered with a generic message', async () => {
    const database = get()
    const lines: string[] = []
    const { createLogger } = await import('../../src/shared/logger.js')
    const deps = coreDeps(database, { logger: createLogger({ sink: (l) => lines.push(l) }), handlers: { late: async () => { throw new Error('boom') } } })
    const { run, admin } = await linkedSetup(database, deps)
    const r = await run(admin, { name: 'late' })
    expect(r).toMatchObject({ ok: false, ephemeral: true })
    expect(r.message.title).toMatch(/Something went wrong/)
    expect(lines.join('\n')).toContain('boom')
  })
})
