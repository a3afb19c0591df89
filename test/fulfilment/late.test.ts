import { readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { PNG } from 'pngjs'
import { expect, it } from 'vitest'
import { cancellations } from '../../db/schema.js'
import { CHART_HEIGHT, CHART_WIDTH, renderLateChartPng } from '../../src/fulfilment/late-chart.js'
import { dailyDispatch, lateDispatchRates } from '../../src/fulfilment/late-rate.js'
import { lateView, loadLateGroups } from '../../src/fulfilment/late.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { messageText } from '../../src/notifications/message.js'
import { HOUR } from '../../src/shared/clock.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, uniqueId, unix } from '../support/fixtures.js'

const NOW = new Date('2026-11-20T12:00:00Z')
const ago = (h: number) => new Date(NOW.getTime() - h * HOUR)

/** A paid order that reached shipment arranged `rtsAfterH` hours after payment (platform rts_sla = paid + 48 h). */
function dispatched(paidHoursAgo: number, rtsAfterH: number, over: Parameters<typeof platformOrder>[0] = {}) {
  const paid = ago(paidHoursAgo)
  return platformOrder({
    at: paid,
    status: 'AWAITING_COLLECTION',
    rts_sla_time: unix(new Date(paid.getTime() + 48 * HOUR)),
    tts_sla_time: unix(new Date(paid.getTime() + 72 * HOUR)),
    rts_time: unix(new Date(paid.getTime() + rtsAfterH * HOUR)),
    update_time: unix(NOW) - 1,
    ...over,
  })
}

it('draws the chart as a PNG of the expected size, with red for late days', async () => {
  const points = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, paid: 5, dispatched: 4, late: i % 5 === 0 ? 2 : 0 }))
  const png = PNG.sync.read(await renderLateChartPng(points, { locale: 'zh-CN', subtitle: '延迟发货率 30.0 %' }))
  expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT])
  let red = 0
  let blue = 0
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]]
    if (r > 200 && g < 80 && b < 80) red++
    if (r > 120 && r < 170 && g > 180 && b > 230) blue++
  }
  expect(red).toBeGreaterThan(500) // late bars (and the legend swatch)
  expect(blue).toBeGreaterThan(5000) // dispatched bars
  const none = PNG.sync.read(await renderLateChartPng(points.map((p) => ({ ...p, late: 0 })), { locale: 'en' }))
  let redNone = 0
  for (let i = 0; i < none.data.length; i += 4) if (none.data[i] > 200 && none.data[i + 1] < 80 && none.data[i + 2] < 80) redNone++
  expect(redNone).toBeLessThan(red / 3) // only the legend swatch
}, 90_000) // first use loads the 10 MB fonts

describeEachDb('late view', (get) => {
  it('a shop with 10 dispatched orders, 3 of them late, reports 30 % for the period', async () => {
    const { db } = get()
    const shop = await seedShop(db, { name: 'Rate Shop' })
    const orders = [
      ...Array.from({ length: 7 }, (_, i) => dispatched(100 - i * 5, 20)), // on time
      ...Array.from({ length: 3 }, (_, i) => dispatched(120 - i * 5, 50)), // 2 h after rts_sla
    ]
    for (const o of orders) await db.transaction((tx) => ingestOrder(tx, shop.id, o, NOW))
    // not dispatched: awaiting shipment, and cancelled before shipping
    await db.transaction((tx) => ingestOrder(tx, shop.id, platformOrder({ at: ago(60) }), NOW))
    await db.transaction((tx) => ingestOrder(tx, shop.id, platformOrder({ at: ago(60), status: 'CANCELLED', cancel_time: unix(ago(50)) }), NOW))
    const rates = await lateDispatchRates(db, [shop.id], NOW)
    expect(rates).toEqual([
      { shopId: shop.id, shopName: 'Rate Shop', days: 7, dispatched: 10, late: 3, rate: 0.3 },
      { shopId: shop.id, shopName: 'Rate Shop', days: 30, dispatched: 10, late: 3, rate: 0.3 },
    ])
  })

  it('counts a late carrier collection, keeps FBT out of the late count, and splits 7 and 30 days', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const onTime = dispatched(80, 10)
    const lateCollection = dispatched(100, 10, { status: 'IN_TRANSIT', collection_time: unix(ago(100 - 80)) }) // collected 80 h after paid > 72 h
    const fbtLate = dispatched(90, 60, { fulfillment_type: 'FULFILLMENT_BY_TIKTOK' })
    const oldLate = dispatched(20 * 24, 60) // dispatched ~17.5 days ago, late
    const tooOld = dispatched(40 * 24, 60) // outside 30 days
    for (const o of [onTime, lateCollection, fbtLate, oldLate, tooOld]) await db.transaction((tx) => ingestOrder(tx, shop.id, o, NOW))
    const rates = await lateDispatchRates(db, [shop.id], NOW)
    expect(rates.map((r) => [r.days, r.dispatched, r.late])).toEqual([
      [7, 3, 1],
      [30, 4, 2],
    ])
    const empty = await seedShop(db)
    expect((await lateDispatchRates(db, [empty.id], NOW)).map((r) => r.rate)).toEqual([null, null])

    const days = await dailyDispatch(db, [shop.id], NOW, 'Asia/Shanghai', 30)
    expect(days).toHaveLength(30)
    expect(days[29].day).toBe('2026-11-20')
    expect(days.reduce((n, d) => n + d.dispatched, 0)).toBe(4)
    expect(days.reduce((n, d) => n + d.late, 0)).toBe(2)
    const oldDay = new Date(ago(20 * 24).getTime() + 60 * HOUR) // its rts_time
    const key = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(oldDay)
    expect(days.find((d) => d.day === key)).toMatchObject({ dispatched: 1, late: 1 })
  })

  it('lists overdue and due-soon steps per group, with buttons, rates and a chart file', async () => {
    const { db } = get()
    const shop = await seedShop(db, { name: '义乌小店' })
    const packLate = platformOrder({ at: ago(50) }) // pack by = paid + 48 h: 2 h overdue; hand over in 22 h
    const packSoon = platformOrder({ at: ago(40) }) // pack by in 8 h
    const packFar = platformOrder({ at: ago(1) }) // pack by in 47 h: outside 24 h
    const onHold = platformOrder({ at: ago(50), status: 'ON_HOLD' })
    const handedOver = platformOrder({ at: ago(80), status: 'IN_TRANSIT', collection_time: unix(ago(10)) })
    for (const o of [packLate, packSoon, packFar, onHold, handedOver]) await db.transaction((tx) => ingestOrder(tx, shop.id, o, NOW))
    const cancelId = uniqueId('4035')
    await db.insert(cancellations).values({ id: cancelId, shopId: shop.id, orderId: packSoon.id, requestedAt: ago(43), respondBy: new Date(NOW.getTime() + 5 * HOUR), state: 'pending' })

    const groups = await loadLateGroups(db, [shop.id], NOW, 24)
    const ids = Object.fromEntries(groups.map((g) => [g.step, { overdue: g.overdue.map((i) => i.orderId), soon: g.dueSoon.map((i) => i.orderId) }]))
    expect(ids).toEqual({
      pack_by: { overdue: [packLate.id], soon: [packSoon.id] },
      handover_by: { overdue: [], soon: [packLate.id] },
      answer_by: { overdue: [], soon: [packSoon.id] },
    })

    const view = await lateView(db, { shopIds: [shop.id], now: NOW, hours: 24, locale: 'en', timeZone: 'UTC' })
    try {
      const text = messageText(view.message)
      expect(view.message.tone).toBe('danger')
      expect(text).toContain('Pack · Overdue: 1')
      expect(text).toContain('Answer cancellation request · due within 24 h: 1')
      expect(text).toContain('2 h overdue')
      expect(text).toContain('义乌小店 · Late-dispatch rate: last 7 days: 0.0 % (0/1)') // collected 70 h after payment: on time
      const first = view.message.buttons[0]
      expect(first[0].action).toEqual({ type: 'order.mark', orderId: packLate.id, step: 'packed' })
      expect(view.message.buttons.flat().some((b) => b.action.type === 'order.mark' && b.action.step === 'handed_over')).toBe(true)
      expect(view.message.buttons.length).toBeLessThanOrEqual(5)
      expect(view.files).toHaveLength(1)
      const png = PNG.sync.read(await readFile(view.files[0].path))
      expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT])
      expect(view.files[0].mime).toBe('image/png')
    } finally {
      for (const f of view.files) await rm(dirname(f.path), { recursive: true, force: true })
    }
    await expect(lateView(db, { shopIds: [shop.id], now: NOW, hours: 0, locale: 'en', timeZone: 'UTC', chart: false })).rejects.toMatchObject({ code: 'bad_input' })
  }, 90_000) // first use loads the 10 MB fonts
})
