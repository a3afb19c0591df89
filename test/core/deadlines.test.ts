import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { channels, deadlineWarnings, outbox } from '../../db/schema.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { scanDeadlines } from '../../src/fulfilment/deadlines.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { MINUTE } from '../../src/shared/clock.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, unix, uniqueId } from '../support/fixtures.js'
import { chan, coreDeps, linkedSetup, twoShopSetup } from './support.js'

describeEachDb('deadline warnings (R3, R4, R8)', (get) => {
  // Each test moves the shared scan watermark forward: run them on increasing, separate days.
  it('an order paid at T, scanned 100 times across its life: exactly one warning per threshold and step', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2026-12-01T00:00:00Z')
    const { shop, channelId } = await linkedSetup(database, deps)
    const o = platformOrder({ at: '2026-12-01T00:00:00Z' }) // pack by 12-03 00:00, hand over by 12-04 00:00
    await processPlatformOrder(deps, shop.id, o)
    const step = (80 * 60 * MINUTE) / 100 // 48 min: the life runs to 80 h after payment
    for (let i = 0; i < 100; i++) {
      deps.clock.advance(step)
      await scanDeadlines(deps, deps.clock.now())
    }
    const ws = await database.db.select().from(deadlineWarnings).where(and(eq(deadlineWarnings.subjectId, o.id), eq(deadlineWarnings.channelId, channelId)))
    expect(ws.map((w) => `${w.step}/${w.thresholdMinutes}`).sort()).toEqual(['handover_by/0', 'handover_by/120', 'handover_by/720', 'pack_by/0', 'pack_by/120', 'pack_by/720'])
    const posts = (await database.db.select().from(outbox).where(eq(outbox.channelId, channelId))).filter((r) => (r.payload as NeutralMessage).kind === 'deadline_warning')
    expect(posts).toHaveLength(6)
    const titles = posts.map((p) => (p.payload as NeutralMessage).title)
    expect(titles).toContain(`Order ${o.id}: pack is OVERDUE`)
    expect(titles.filter((t) => t.startsWith(`Order ${o.id}: pack within`))).toHaveLength(2)
    const first = posts[0].payload as NeutralMessage
    expect(messageText(first)).toContain('Still to do: pick list printed, label printed, packed.')
  })

  it('a mark stops that step’s warnings; an on-hold order gets none', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2026-12-10T00:00:00Z')
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    const o = platformOrder({ at: '2026-12-10T00:00:00Z' })
    const held = platformOrder({ at: '2026-12-10T00:00:00Z', status: 'ON_HOLD' })
    await processPlatformOrder(deps, shop.id, o)
    await processPlatformOrder(deps, shop.id, held)
    deps.clock.advanceHours(30)
    const packed = await run(admin, { name: 'mark', orderId: o.id, step: 'packed' })
    expect(packed.ok).toBe(true)
    for (let h = 0; h < 50; h++) {
      deps.clock.advanceHours(1)
      await scanDeadlines(deps, deps.clock.now())
    }
    const ws = await database.db.select().from(deadlineWarnings).where(eq(deadlineWarnings.channelId, channelId))
    expect(ws.filter((w) => w.subjectId === o.id).map((w) => w.step).sort()).toEqual(['handover_by', 'handover_by', 'handover_by'])
    expect(ws.filter((w) => w.subjectId === held.id)).toHaveLength(0)
  })

  it('a printed pick list stops pack-by reminders; hand-over-by reminders go on (issue 8)', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2026-12-14T00:00:00Z')
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    const o = platformOrder({ at: '2026-12-14T00:00:00Z' })
    await processPlatformOrder(deps, shop.id, o)
    deps.clock.advanceHours(10)
    const printed = await run(admin, { name: 'mark', orderId: o.id, step: 'pick_list' })
    expect(printed.ok).toBe(true)
    for (let h = 0; h < 80; h++) {
      deps.clock.advanceHours(1)
      await scanDeadlines(deps, deps.clock.now())
    }
    const ws = await database.db.select().from(deadlineWarnings).where(eq(deadlineWarnings.channelId, channelId))
    expect(ws.filter((w) => w.subjectId === o.id).map((w) => `${w.step}/${w.thresholdMinutes}`).sort()).toEqual(['handover_by/0', 'handover_by/120', 'handover_by/720'])
  })

  it('a pending cancellation request is warned before its answer-by time, with Accept / Reject', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2026-12-20T00:00:00Z')
    const { shop, channelId } = await linkedSetup(database, deps)
    const o = platformOrder({ at: '2026-12-20T00:00:00Z' })
    await processPlatformOrder(deps, shop.id, o)
    const cancelId = uniqueId('4035')
    await processPlatformCancellation(deps, shop.id, { cancel_id: cancelId, order_id: o.id, cancel_type: 'BUYER_CANCEL', role: 'BUYER', cancel_status: 'CANCELLATION_REQUEST_PENDING', create_time: unix('2026-12-20T00:00:00Z') })
    deps.clock.advanceHours(46.5)
    await scanDeadlines(deps, deps.clock.now())
    const [w] = await database.db.select().from(deadlineWarnings).where(and(eq(deadlineWarnings.subjectId, cancelId), eq(deadlineWarnings.channelId, channelId)))
    expect(w).toMatchObject({ step: 'answer_by', thresholdMinutes: 120 })
    const [row] = await database.db.select().from(outbox).where(eq(outbox.id, w.outboxId!))
    const m = row.payload as NeutralMessage
    expect(m.title).toBe(`Cancellation request on order ${o.id}: answer within 1 h 30 min`)
    expect(m.buttons[0].map((b) => b.action.type)).toEqual(['cancel.accept', 'cancel.reject_start'])
  })

  it('per-channel thresholds, and one digest when more than the digest size fall due in one scan', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2027-01-05T00:00:00Z')
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    await run(admin, { name: 'settings', thresholds: '1h', language: 'zh-CN', timeZone: 'Asia/Shanghai' })
    await database.db.update(channels).set({ digestThreshold: 3 }).where(eq(channels.id, channelId))
    for (let i = 0; i < 5; i++) await processPlatformOrder(deps, shop.id, platformOrder({ at: '2027-01-05T00:00:00Z' }))
    deps.clock.advanceHours(46)
    await scanDeadlines(deps, deps.clock.now())
    expect(await database.db.$count(deadlineWarnings, eq(deadlineWarnings.channelId, channelId))).toBe(0)
    deps.clock.advanceMinutes(61)
    await scanDeadlines(deps, deps.clock.now())
    const ws = await database.db.select().from(deadlineWarnings).where(eq(deadlineWarnings.channelId, channelId))
    expect(ws).toHaveLength(5)
    expect(ws.every((w) => w.thresholdMinutes === 60 && w.step === 'pack_by')).toBe(true)
    const first = Math.min(...ws.map((w) => w.id))
    const digests = await database.db.select().from(outbox).where(eq(outbox.channelId, channelId))
    expect(digests.filter((d) => (d.payload as NeutralMessage).kind.startsWith('deadline'))).toHaveLength(1)
    const [digest] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, `digest:${channelId}:${first}`))
    const m = digest.payload as NeutralMessage
    expect(m.kind).toBe('deadline_digest')
    expect(m.title).toBe('5 条截止提醒')
    expect(messageText(m)).toContain('打包截止 2027-01-07 08:00') // 00:00 UTC = 08:00 in Shanghai
    // the same scan again raises nothing
    const again = await scanDeadlines(deps, deps.clock.now())
    expect(again.warnings).toBe(0)
  })

  it('in a chat that follows several shops, a warning and a digest line name the order’s shop; a one-shop chat’s do not', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2027-02-10T00:00:00Z')
    const { shop: us, other: uk, assistant, admin, channelId } = await twoShopSetup(database, deps, { name: 'US store' }, { name: 'UK store' })
    const single = await assistant.handle(chan(), admin, { name: 'link', code: await createLinkCode(database.db, us.id, deps.clock) })
    const a = platformOrder({ at: '2027-02-10T00:00:00Z' })
    const b = platformOrder({ at: '2027-02-10T00:00:00Z' })
    await processPlatformOrder(deps, us.id, a)
    await processPlatformOrder(deps, uk.id, b)
    const warnings = async (chId: number) =>
      (await database.db.select().from(outbox).where(eq(outbox.channelId, chId))).map((r) => r.payload as NeutralMessage).filter((m) => m.kind.startsWith('deadline'))
    // 12 h before pack-by: one warning each
    deps.clock.advanceHours(36.5)
    await scanDeadlines(deps, deps.clock.now())
    const several = await warnings(channelId)
    expect(several).toHaveLength(2)
    expect(several.find((m) => m.title.includes(a.id))!.lines).toContainEqual(['Shop: ', { bold: 'US store' }])
    expect(several.find((m) => m.title.includes(b.id))!.lines).toContainEqual(['Shop: ', { bold: 'UK store' }])
    const one = await warnings(single.channel!.id)
    expect(one).toHaveLength(1)
    expect(messageText(one[0])).not.toContain('US store')
    // 2 h before, more than the digest size: each digest line names the shop
    await database.db.update(channels).set({ digestThreshold: 1 }).where(eq(channels.id, channelId))
    deps.clock.advanceHours(10)
    await scanDeadlines(deps, deps.clock.now())
    const digest = (await warnings(channelId)).find((m) => m.kind === 'deadline_digest')!
    expect(messageText(digest)).toContain(`${a.id}: pack by 2027-02-12 00:00 · US store`)
    expect(messageText(digest)).toContain(`${b.id}: pack by 2027-02-12 00:00 · UK store`)
  })
})
