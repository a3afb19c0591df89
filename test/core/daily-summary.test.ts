/**
 * The daily summary: turned on with /settings daily=HH:MM (the chat's zone), sent once a local day
 * when that time has come, by the minute jobs; its figures are the day's work for the chat's shops.
 */
import { and, eq, like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { channels, outbox } from '../../db/schema.js'
import { parseDailyTime } from '../../src/channels/settings.js'
import { sendDailySummaries } from '../../src/fulfilment/daily-summary.js'
import { runMinuteJobs } from '../../src/jobs/index.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { buyerRequest, platformOrder, unix, uniqueId } from '../support/fixtures.js'
import { coreDeps, linkedSetup, twoShopSetup } from './support.js'

const HOUR = 3_600_000

describeEachDb('daily summary', (get) => {
  it('once a local day at the time set, with the day’s work; off stops it; a bad time is refused', async () => {
    const database = get()
    const deps = coreDeps(database) // 2026-11-20 08:00 UTC = 16:00 in Shanghai
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    const summaries = async () =>
      (await database.db.select().from(outbox).where(and(eq(outbox.channelId, channelId), like(outbox.dedupeKey, 'daily:%')))).map((r) => ({ key: r.dedupeKey, msg: r.payload as NeutralMessage }))

    const bad = await run(admin, { name: 'settings', daily: '25:00' })
    expect(bad.message.title).toBe('Cannot read the daily summary time “25:00”. Write it like 09:00 (the chat’s time zone), or off.')
    const set = await run(admin, { name: 'settings', daily: '17', timeZone: 'Asia/Shanghai' })
    expect(set.message.fields?.find((f) => f.label === 'Daily summary')?.value).toEqual(['at 17:00 (Asia/Shanghai)'])

    // the day's work at 17:00 in Shanghai (T, 09:00 UTC), the shop packing within 48 h and handing over
    // within 72 h of payment: one order paid T-50h (late to pack, to hand over within 24 h), one paid
    // T-47h (to pack within the hour), one paid T-1h; no stock recorded, so all three are short; one
    // buyer request made T-30h (to answer within 48 h: within the next 18 h)
    const T = new Date('2026-11-20T09:00:00Z').getTime()
    const late = platformOrder({ at: new Date(T - 50 * HOUR) })
    const soon = platformOrder({ at: new Date(T - 47 * HOUR) })
    const fresh = platformOrder({ at: new Date(T - 1 * HOUR) })
    for (const o of [late, soon, fresh]) await processPlatformOrder(deps, shop.id, o)
    await processPlatformCancellation(deps, shop.id, buyerRequest(fresh.id, new Date(T - 30 * HOUR), { update_time: unix(deps.clock.now()) }))

    // 16:59 in Shanghai: not yet
    deps.clock.set(new Date('2026-11-20T08:59:00Z'))
    expect((await runMinuteJobs({ deps })).summaries).toBe(0)
    // 17:00: one summary
    deps.clock.set(new Date('2026-11-20T09:00:00Z'))
    expect((await runMinuteJobs({ deps })).summaries).toBe(1)
    const [first] = await summaries()
    expect(first.key).toBe(`daily:${channelId}:2026-11-20`)
    expect(first.msg).toMatchObject({ kind: 'daily_summary', tone: 'warning', title: 'Today, 2026-11-20' })
    expect(first.msg.lines).toEqual([
      ['To pack: 1 late, 1 due within 24 h'],
      ['To hand over: 0 late, 1 due within 24 h'],
      ['Buyer cancellation requests waiting for an answer: 1 (1 due within 24 h)'],
      ['Open orders short of stock: 3'],
      ['SKUs running low (under 3 days of sales left): 0'],
      ['Orders paid in the last 24 h: 1'],
      ['Start with the late ones: /late lists them, /picklist prints the pick list.'],
    ])
    // later the same day, and two jobs at once (on PostgreSQL, two connections): nothing more
    deps.clock.set(new Date('2026-11-20T12:00:00Z'))
    const again = await Promise.all([sendDailySummaries(deps, deps.clock.now()), sendDailySummaries(deps, deps.clock.now())])
    expect(again).toEqual([0, 0])
    // the next local day at 17:00 (09:00 UTC), one more; twice at once stores it once
    deps.clock.set(new Date('2026-11-21T09:00:00Z'))
    const next = await Promise.all([sendDailySummaries(deps, deps.clock.now()), sendDailySummaries(deps, deps.clock.now())])
    expect(next.reduce((a, b) => a + b, 0)).toBe(1)
    expect((await summaries()).map((s) => s.key).sort()).toEqual([`daily:${channelId}:2026-11-20`, `daily:${channelId}:2026-11-21`])

    // off: no more
    const off = await run(admin, { name: 'settings', daily: 'off' })
    expect(off.message.fields?.find((f) => f.label === 'Daily summary')?.value).toEqual(['off (daily=09:00 turns it on)'])
    deps.clock.set(new Date('2026-11-22T09:00:00Z'))
    expect(await sendDailySummaries(deps, deps.clock.now())).toBe(0)
    expect((await database.db.select().from(channels).where(eq(channels.id, channelId)))[0].dailySummaryAt).toBeNull()
  })

  it('in Chinese for a Chinese chat; a chat that follows no shop gets none', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { run, admin, channelId } = await linkedSetup(database, deps)
    await run(admin, { name: 'settings', language: 'zh-CN', daily: '8:30' })
    const [lonely] = await database.db.insert(channels).values({ platform: 'console', externalId: uniqueId('lonely'), dailySummaryAt: '00:00' }).returning()
    deps.clock.set(new Date('2026-11-21T08:30:00Z'))
    expect(await sendDailySummaries(deps, deps.clock.now())).toBe(1)
    const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, `daily:${channelId}:2026-11-21`))
    const msg = row.payload as NeutralMessage
    expect(msg).toMatchObject({ tone: 'info', title: '今日概览 2026-11-21' })
    expect(msg.lines?.[0]).toEqual(['待打包:已逾期 0,24 小时内到期 0'])
    expect(msg.lines?.at(-1)).toEqual(['/late 查看即将到期的订单,/picklist 打印拣货单。'])
    expect(await database.db.$count(outbox, like(outbox.dedupeKey, `daily:${lonely.id}:%`))).toBe(0)
  })

  it('a chat that follows several shops gets each shop’s figures under its name (the one-shop form is the test above)', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, other: uk, run, admin, channelId } = await twoShopSetup(database, deps, { name: 'US store' }, { name: 'UK store' })
    await run(admin, { name: 'settings', daily: '09:00' }) // UTC
    const T = new Date('2026-11-23T09:00:00Z').getTime()
    // US: one order late to pack (paid T-50h); UK: one paid T-1h with a buyer request due within 24 h (made T-30h)
    await processPlatformOrder(deps, us.id, platformOrder({ at: new Date(T - 50 * HOUR) }))
    const fresh = platformOrder({ at: new Date(T - 1 * HOUR) })
    await processPlatformOrder(deps, uk.id, fresh)
    await processPlatformCancellation(deps, uk.id, buyerRequest(fresh.id, new Date(T - 30 * HOUR)))
    deps.clock.set(new Date(T))
    await sendDailySummaries(deps, deps.clock.now()) // (other tests' chats may be due too)
    const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, `daily:${channelId}:2026-11-23`))
    const m = row.payload as NeutralMessage
    expect(m.tone).toBe('warning')
    // by name: UK before US
    expect(m.lines).toEqual([
      [{ bold: 'UK store' }],
      ['To pack: 0 late, 0 due within 24 h'],
      ['To hand over: 0 late, 0 due within 24 h'],
      ['Buyer cancellation requests waiting for an answer: 1 (1 due within 24 h)'],
      ['Open orders short of stock: 1'],
      ['SKUs running low (under 3 days of sales left): 0'],
      ['Orders paid in the last 24 h: 1'],
      [{ bold: 'US store' }],
      ['To pack: 1 late, 0 due within 24 h'],
      ['To hand over: 0 late, 1 due within 24 h'],
      ['Buyer cancellation requests waiting for an answer: 0 (0 due within 24 h)'],
      ['Open orders short of stock: 1'],
      ['SKUs running low (under 3 days of sales left): 0'],
      ['Orders paid in the last 24 h: 0'],
      ['Start with the late ones: /late lists them, /picklist prints the pick list.'],
    ])
  })

  it('says the late-dispatch rate of the last 7 days, in bold with what to do when it is above 4 %', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    await run(admin, { name: 'settings', daily: '09:00' }) // UTC
    const T = new Date('2026-11-21T09:00:00Z').getTime()
    const at = (h: number) => new Date(T + h * HOUR)
    // dispatched in time: paid T-72h, shipment arranged at T-60h (pack by T-24h), collected at T-50h (hand over by T)
    for (let i = 0; i < 3; i++)
      await processPlatformOrder(deps, shop.id, platformOrder({ at: at(-72), status: 'IN_TRANSIT', rts_time: unix(at(-60)), collection_time: unix(at(-50)) }))
    const lineOf = async (day: string) => {
      const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, `daily:${channelId}:${day}`))
      return (row.payload as NeutralMessage).lines.find((l) => JSON.stringify(l).includes('Late-dispatch'))
    }
    deps.clock.set(at(0))
    await sendDailySummaries(deps, deps.clock.now()) // (other tests' chats may be due too)
    expect(await lineOf('2026-11-21')).toEqual(['Late-dispatch rate, last 7 days: 0.0 % (0/3)'])
    // one more, arranged 22 h after its pack-by (paid T-70h: pack by T-22h, arranged at T): 1 of 4 late
    await processPlatformOrder(deps, shop.id, platformOrder({ at: at(-70), status: 'AWAITING_COLLECTION', rts_time: unix(at(0)) }))
    deps.clock.set(at(24))
    await sendDailySummaries(deps, deps.clock.now()) // (other tests' chats may be due too)
    expect(await lineOf('2026-11-22')).toEqual([{ bold: 'Late-dispatch rate, last 7 days: 25.0 % (1/4) — above the 4 % TikTok Shop asks for: ship on time to bring it down.' }])
  })
})

describe('parseDailyTime', () => {
  it('reads the times sellers write, and off', () => {
    const cases: [string, string | null | undefined][] = [
      ['9', '09:00'], ['09:00', '09:00'], ['9:30', '09:30'], ['21h', '21:00'], ['9点', '09:00'], ['9点30分', '09:30'], ['23:59', '23:59'],
      ['off', null], ['OFF', null], ['关闭', null],
      ['24', undefined], ['9:5', undefined], ['9:60', undefined], ['noon', undefined], ['', undefined],
    ]
    for (const [typed, want] of cases) expect(parseDailyTime(typed), typed).toBe(want)
  })
})
