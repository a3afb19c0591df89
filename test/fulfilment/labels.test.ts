import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders } from '../../db/schema.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import { fetchPdf, shippingLabel, type LabelInput } from '../../src/fulfilment/labels.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import type { ShopPort } from '../../src/shop/port.js'
import { startSimulator, type Simulator } from '../../src/shop/simulator/index.js'
import { createTikTokConnection, type TikTokConnection } from '../../src/shop/tiktok/connection.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop } from '../support/fixtures.js'
import { pdfText } from './pdf-text.js'

/** A ShopPort that must not be asked for anything (seller shipping makes its own label). */
const untouchableShop = new Proxy({} as ShopPort, {
  get: (_t, name) => () => {
    throw new Error(`the shop was called (${String(name)}) for a seller-shipping label`)
  },
})

const cleanup = async (files: { path: string }[]) => {
  for (const f of files) await rm(dirname(f.path), { recursive: true, force: true })
}

const base = (shopIds: string[], orderId: string, now = new Date('2026-11-20T10:00:00Z')): LabelInput => ({
  shopIds,
  orderId,
  actor: 'discord:7',
  actorName: 'Mei',
  locale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  now,
})

describeEachDb('shipping labels', (get) => {
  it('draws our own label for seller shipping: recipient, address, phone, order id and items; marks it printed', async () => {
    const { db } = get()
    const shop = await seedShop(db, { name: '杭州茶行' })
    const o = platformOrder({
      shipping_type: 'SELLER',
      recipient_address: { name: '王小明', phone_number: '(+86)138****5678', full_address: '浙江省杭州市西湖区龙井路 1 号', postal_code: '310013', region_code: 'CN' },
    })
    await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    const res = await shippingLabel(db, untouchableShop, base([shop.id], o.id))
    try {
      expect(res.source).toBe('seller')
      expect(res.files).toHaveLength(1)
      const { text, pages } = await pdfText(res.files[0].path)
      expect(pages).toBe(1)
      for (const s of ['王小明', '(+86)138****5678', '浙江省杭州市西湖区龙井路 1 号', '310013', o.id, '杭州茶行', '件数: 3']) expect(text).toContain(s)
    } finally {
      await cleanup(res.files)
    }
    const [row] = await db.select().from(orders).where(eq(orders.id, o.id))
    expect(row.labelPrintedAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z')
    expect(row.packedAt).toBeNull()
  }, 90_000) // first use loads the 10 MB fonts

  it('refuses, with the reason, orders it cannot label', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const other = await seedShop(db)
    const unpaid = platformOrder({ status: 'UNPAID', paid_time: undefined, shipping_type: 'SELLER' })
    const cancelled = platformOrder({ status: 'CANCELLED', shipping_type: 'SELLER' })
    const fbt = platformOrder({ fulfillment_type: 'FULFILLMENT_BY_TIKTOK' })
    const noPackage = platformOrder({ shipping_type: 'TIKTOK' })
    const foreign = platformOrder({ shipping_type: 'SELLER' })
    for (const o of [unpaid, cancelled, fbt, noPackage]) await db.transaction((tx) => ingestOrder(tx, shop.id, o))
    await db.transaction((tx) => ingestOrder(tx, other.id, foreign))
    const ask = (id: string) => shippingLabel(db, untouchableShop, base([shop.id], id))
    await expect(ask('12; drop table')).rejects.toMatchObject({ code: 'bad_input' })
    await expect(ask(foreign.id)).rejects.toMatchObject({ code: 'not_found' })
    await expect(ask(unpaid.id)).rejects.toMatchObject({ code: 'conflict', params: { fulfilmentKey: 'unpaid' } })
    await expect(ask(cancelled.id)).rejects.toMatchObject({ code: 'conflict', params: { fulfilmentKey: 'cancelled' } })
    await expect(ask(fbt.id)).rejects.toMatchObject({ code: 'conflict', params: { fulfilmentKey: 'fbt' } })
    await expect(ask(noPackage.id)).rejects.toMatchObject({ code: 'conflict', params: { fulfilmentKey: 'no_package' } })
    const rows = await db.select({ l: orders.labelPrintedAt }).from(orders).where(eq(orders.shopId, shop.id))
    expect(rows.every((r) => r.l === null)).toBe(true)
  })

  describe('platform labels, from the simulator through the signed API client', () => {
    let sim: Simulator
    let conn: TikTokConnection
    let shopId: string
    beforeAll(async () => {
      sim = await startSimulator({ appKey: 'label-app', appSecret: 'label-secret-0123456789', tickMs: false })
      conn = createTikTokConnection({
        settings: { appKey: 'label-app', appSecret: 'label-secret-0123456789', apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
        db: get().db,
        cipher: tokenCipher('a-test-secret-key-of-some-length'),
        source: 'simulator',
        timeoutMs: 5000,
      })
      const connected = await conn.connectShop(sim.createAuthCode(), 'test')
      shopId = connected.shops[0].id
    }, 30_000)
    afterAll(async () => {
      await sim?.close()
    })

    const sync = async (orderId: string) => {
      const [po] = await conn.client.getOrders(shopId, [orderId])
      await get().db.transaction((tx) => ingestOrder(tx, shopId, po))
      return po
    }

    it('before shipment is arranged the platform has no label: it says to arrange shipment first', async () => {
      const o = sim.state.createOrder({ shippingType: 'TIKTOK' })
      await sync(o.o.id)
      await expect(shippingLabel(get().db, conn.client, base([shopId], o.o.id))).rejects.toMatchObject({
        code: 'conflict',
        params: { fulfilmentKey: 'not_arranged' },
      })
    })

    it('after shipment is arranged: fetches the platform PDF and marks the label printed', async () => {
      const o = sim.state.createOrder({ shippingType: 'TIKTOK' })
      const pkg = sim.state.ship(o.o.packages![0].id)
      await sync(o.o.id)
      const res = await shippingLabel(get().db, conn.client, base([shopId], o.o.id))
      try {
        expect(res.source).toBe('platform')
        expect(res.links).toEqual([])
        expect(res.trackingNumbers).toEqual([pkg.tracking_number])
        const { text } = await pdfText(res.files[0].path)
        expect(text).toContain(pkg.tracking_number)
        expect(text).toContain(o.o.id)
      } finally {
        await cleanup(res.files)
      }
      expect(sim.requests.some((r) => r.path.includes(`/packages/${pkg.id}/shipping_documents`))).toBe(true)
      const [row] = await get().db.select().from(orders).where(eq(orders.id, o.o.id))
      expect(row.labelPrintedAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z')
    })

    it('when the document cannot be fetched, hands over the link with its 24 h validity', async () => {
      const o = sim.state.createOrder({ shippingType: 'TIKTOK' })
      sim.state.ship(o.o.packages![0].id)
      await sync(o.o.id)
      const failing: typeof fetch = async () => new Response('gateway timeout', { status: 504 })
      const res = await shippingLabel(get().db, conn.client, { ...base([shopId], o.o.id), fetch: failing })
      expect(res.files).toEqual([])
      expect(res.links).toHaveLength(1)
      expect(res.links[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sim\/docs\/[0-9a-f]+\.pdf$/)
      expect(res.links[0].validUntil.toISOString()).toBe('2026-11-21T10:00:00.000Z')
      expect(res.links[0].problem).toContain('504')
    })
  })
})

it('fetchPdf takes only a PDF, within its size limit', async () => {
  const serve = (body: string | Uint8Array, headers: Record<string, string> = {}): typeof fetch => async () => new Response(body, { headers })
  await expect(fetchPdf('https://x.test/a.pdf', serve('%PDF-1.7 tiny'), 1000, 1000)).resolves.toHaveLength(13)
  await expect(fetchPdf('https://x.test/a.pdf', serve('<html>login</html>'), 1000, 1000)).rejects.toThrow(/not return a PDF/)
  await expect(fetchPdf('https://x.test/a.pdf', serve('%PDF-' + 'x'.repeat(2000)), 1000, 1000)).rejects.toThrow(/larger than/)
  await expect(fetchPdf('file:///etc/passwd', serve('%PDF-'), 1000, 1000)).rejects.toThrow(/scheme/)
})
