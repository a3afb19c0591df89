import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { channels, orders } from '../../db/schema.js'
import type { Reply } from '../../src/assistant/types.js'
import { fulfilmentHandlers } from '../../src/fulfilment/commands.js'
import { messageText } from '../../src/notifications/message.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { actor, coreDeps, linkedSetup } from '../core/support.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, uniqueId } from '../support/fixtures.js'
import { pdfText } from './pdf-text.js'

const cleanup = async (r: Reply) => {
  for (const f of r.files ?? []) await rm(dirname(f.path), { recursive: true, force: true })
}

describeEachDb('fulfilment commands through the assistant', (get) => {
  it('/picklist and /label for operators, /late for viewers, refusals in the channel language', async () => {
    const database = get()
    const deps = coreDeps(database, { handlers: fulfilmentHandlers })
    const { shop, admin, run, channelId } = await linkedSetup(database, deps, { name: '宁波杯业' })
    await database.db.update(channels).set({ locale: 'zh-CN', timeZone: 'Asia/Shanghai' }).where(eq(channels.id, channelId))
    const viewer = actor(uniqueId('v'))
    expect((await run(admin, { name: 'grant', target: { userId: viewer.userId, displayName: viewer.displayName }, role: 'viewer' })).ok).toBe(true)

    const o = platformOrder({ at: '2026-11-20T06:00:00Z', shipping_type: 'SELLER' })
    await database.db.transaction((tx) => ingestOrder(tx, shop.id, o))

    // viewers may not print
    const refused = await run(viewer, { name: 'picklist' })
    expect(refused.ok).toBe(false)
    expect(refused.files ?? []).toEqual([])

    const pick = await run(admin, { name: 'picklist' })
    try {
      expect(pick.ok).toBe(true)
      expect(pick.message.title).toBe('拣货单：1 个订单，3 件')
      expect(pick.files).toHaveLength(1)
      const { text } = await pdfText(pick.files![0].path)
      expect(text).toContain('SKU-A')
      expect(text).toContain('Phone case 手机壳')
    } finally {
      await cleanup(pick)
    }
    const [row] = await database.db.select().from(orders).where(eq(orders.id, o.id))
    expect(row.pickListPrintedAt).not.toBeNull()
    const empty = await run(admin, { name: 'picklist' })
    expect(empty.ok).toBe(true)
    expect(empty.files ?? []).toEqual([])

    const label = await run(admin, { name: 'label', orderId: o.id })
    try {
      expect(label.ok).toBe(true)
      expect(label.files?.[0].mime).toBe('application/pdf')
      expect(deps.shop.calls).toEqual([]) // seller shipping: the platform is not asked
    } finally {
      await cleanup(label)
    }
    const missing = await run(admin, { name: 'label', orderId: '999999999' })
    expect(missing.ok).toBe(false)
    expect(missing.message.title).toBe('本群关联店铺中没有订单号、订单号末尾、物流单号或包裹号为“999999999”的订单。请核对(/orders 可查看最近订单)。')

    deps.clock.set('2026-11-22T07:00:00Z') // 1 h past pack-by
    const late = await run(viewer, { name: 'late', hours: 12 })
    try {
      expect(late.ok).toBe(true)
      expect(messageText(late.message)).toContain('打包 · 已逾期: 1')
      expect(late.message.buttons[0][0].action).toEqual({ type: 'order.mark', orderId: o.id, step: 'packed' })
      expect(late.files?.[0].mime).toBe('image/png')
    } finally {
      await cleanup(late)
    }
    const badHours = await run(viewer, { name: 'late', hours: 500 })
    expect(badHours.ok).toBe(false)
    expect(badHours.message.title).toContain('1 到 168')
  }, 90_000) // first use loads the 10 MB fonts
})
