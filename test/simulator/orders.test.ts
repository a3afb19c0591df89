/** Order list paging and filters, order detail, line items, and the status machine over time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

const H = 3600

describe('order list and detail (reference §2)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
    h.sim.generateOrders({ count: 250, days: 30, seed: 5 })
  })
  afterAll(() => h.sim.close())

  const search = (query: Record<string, string | number>, body: unknown = {}) =>
    h.shop('POST', '/order/202309/orders/search', { query, body })

  it('pages with an opaque token, total_count, and "" on the last page', async () => {
    const ids: string[] = []
    const pages: number[] = []
    let token = ''
    do {
      const r = await search({ page_size: 100, ...(token ? { page_token: token } : {}) })
      expect(r.body.code).toBe(0)
      expect(r.body.data.total_count).toBe(250)
      pages.push(r.body.data.orders.length)
      ids.push(...r.body.data.orders.map((o: { id: string }) => o.id))
      token = r.body.data.next_page_token
      expect(typeof token).toBe('string')
    } while (token)
    expect(pages).toEqual([100, 100, 50])
    expect(new Set(ids).size).toBe(250)
    expect(ids.every((id) => typeof id === 'string' && /^\d{18}$/.test(id))).toBe(true)
  })

  it('sorts by create_time DESC by default, update_time ASC on request', async () => {
    const d = (await search({ page_size: 100 })).body.data.orders as { create_time: number }[]
    expect(d.map((o) => o.create_time)).toEqual([...d.map((o) => o.create_time)].sort((a, b) => b - a))
    const a = (await search({ page_size: 100, sort_field: 'update_time', sort_order: 'ASC' })).body.data.orders as { update_time: number }[]
    expect(a.map((o) => o.update_time)).toEqual([...a.map((o) => o.update_time)].sort((x, y) => x - y))
  })

  it('filters by status and by update / create time windows', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000)
    const all = [...h.sim.state.orders.values()].map((r) => r.o)
    const st = await search({ page_size: 100 }, { order_status: 'AWAITING_SHIPMENT' })
    expect(st.body.data.total_count).toBe(all.filter((o) => o.status === 'AWAITING_SHIPMENT').length)
    expect(st.body.data.orders.every((o: { status: string }) => o.status === 'AWAITING_SHIPMENT')).toBe(true)
    const ge = now - 3 * 86400
    const up = await search({ page_size: 100 }, { update_time_ge: ge, update_time_lt: now - 86400 })
    expect(up.body.data.total_count).toBe(all.filter((o) => o.update_time >= ge && o.update_time < now - 86400).length)
    const cr = await search({ page_size: 100 }, { create_time_ge: now - 86400 })
    expect(cr.body.data.total_count).toBe(all.filter((o) => o.create_time >= now - 86400).length)
    expect(cr.body.data.total_count).toBeGreaterThan(0)
  })

  it('refuses bad page sizes, bad filters and a token from other filters', async () => {
    expect((await search({ page_size: 0 })).body.code).toBe(36009001)
    expect((await search({ page_size: 101 })).body.code).toBe(36009001)
    expect((await search({ page_size: 10 }, { order_status: 'SHIPPED' })).body.code).toBe(36009001)
    expect((await search({ page_size: 10 }, { update_time_ge: '2026-01-01' })).body.code).toBe(36009001)
    const first = await search({ page_size: 10 })
    const other = await search({ page_size: 10, page_token: first.body.data.next_page_token }, { order_status: 'COMPLETED' })
    expect(other.body.code).toBe(36009001)
    expect((await search({ page_size: 10, page_token: 'garbage' })).body.code).toBe(36009001)
  })

  it('a page token stays valid while time passes (a defaulted update_time_lt is not part of it)', async () => {
    const ge = Math.floor(h.clock.now().getTime() / 1000) - 40 * 86400
    const first = await search({ page_size: 100 }, { update_time_ge: ge })
    h.clock.advance(2000)
    const second = await search({ page_size: 100, page_token: first.body.data.next_page_token }, { update_time_ge: ge })
    expect(second.body.code).toBe(0)
    expect(second.body.data.orders).toHaveLength(100)
  })

  it('returns details for at most 50 comma-joined ids', async () => {
    const ids = [...h.sim.state.orders.keys()]
    const r = await h.shop('GET', '/order/202309/orders', { query: { ids: ids.slice(0, 3).join(',') } })
    expect(r.body.data.orders.map((o: { id: string }) => o.id).sort()).toEqual(ids.slice(0, 3).sort())
    expect((await h.shop('GET', '/order/202309/orders', { query: { ids: ids.slice(0, 50).join(',') } })).body.code).toBe(0)
    expect((await h.shop('GET', '/order/202309/orders', { query: { ids: ids.slice(0, 51).join(',') } })).body.code).toBe(36009001)
  })
})

describe('one order through the status machine (reference §2.3, §9)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sim.close())
  const detail = async (id: string) => (await h.shop('GET', '/order/202309/orders', { query: { ids: id } })).body.data.orders[0]

  it('one line item per unit, money as strings, no quantity field', async () => {
    const rec = h.sim.state.createOrder({ items: [{ sellerSku: 'CASE-BLK', qty: 2 }, { sellerSku: 'MUG-350' }] })
    const o = await detail(rec.o.id)
    expect(o.line_items).toHaveLength(3)
    expect(o.line_items.filter((li: { seller_sku: string }) => li.seller_sku === 'CASE-BLK')).toHaveLength(2)
    expect(o.line_items.every((li: object) => !('quantity' in li))).toBe(true)
    expect(new Set(o.line_items.map((li: { id: string }) => li.id)).size).toBe(3)
    expect(o.payment.original_total_product_price).toBe('30.97')
    expect(typeof o.payment.total_amount).toBe('string')
    expect(o.line_items[0].product_name).toMatch(/手机壳/)
  })

  it('UNPAID → ON_HOLD (address hidden) → AWAITING_SHIPMENT → … → COMPLETED', async () => {
    const now = () => Math.floor(h.clock.now().getTime() / 1000)
    const rec = h.sim.state.createOrder({ hold: true, pay: now() + 60, shippingType: 'TIKTOK' })
    const id = rec.o.id
    expect((await detail(id)).status).toBe('UNPAID')
    h.clock.advance(61_000)
    let o = await detail(id)
    expect(o.status).toBe('ON_HOLD')
    expect(o.recipient_address).toEqual({})
    expect(o.is_on_hold_order).toBe(true)
    const pkg = o.packages[0].id
    const early = await h.shop('POST', `/fulfillment/202309/packages/${pkg}/ship`, { body: { handover_method: 'DROP_OFF' } })
    expect(early.body.code).toBe(21011044)
    h.clock.advance(H * 1000)
    o = await detail(id)
    const start = o.paid_time + H // the hold ends one hour after payment
    expect(o.status).toBe('AWAITING_SHIPMENT')
    expect(o.recipient_address.full_address).toMatch(/United Kingdom/)
    expect(o.rts_sla_time).toBe(start + 48 * H)
    expect(o.tts_sla_time).toBe(start + 72 * H)
    const shipped = await h.shop('POST', `/fulfillment/202309/packages/${pkg}/ship`, { body: { handover_method: 'DROP_OFF' } })
    expect([shipped.body.code, shipped.body.data]).toEqual([0, {}])
    o = await detail(id)
    expect(o.status).toBe('AWAITING_COLLECTION')
    expect(o.rts_time).toBe(now())
    expect(o.tracking_number).toMatch(/^TT/)
    h.clock.advance(6 * H * 1000)
    expect((await detail(id)).status).toBe('IN_TRANSIT')
    h.clock.advance(3 * 86400 * 1000)
    expect((await detail(id)).status).toBe('DELIVERED')
    h.clock.advance(7 * 86400 * 1000)
    h.renew()
    o = await detail(id)
    expect(o.status).toBe('COMPLETED')
    expect(o.line_items.every((li: { display_status: string }) => li.display_status === 'COMPLETED')).toBe(true)
  })

  it('unpaid orders are cancelled by the system after a day; unshipped ones at shipping_due_time', async () => {
    const unpaid = h.sim.state.createOrder({ pay: false })
    const paid = h.sim.state.createOrder({})
    h.clock.advance(86400 * 1000)
    expect((await detail(unpaid.o.id)).status).toBe('CANCELLED')
    expect((await detail(unpaid.o.id)).cancellation_initiator).toBe('SYSTEM')
    expect((await detail(paid.o.id)).status).toBe('AWAITING_SHIPMENT')
    h.clock.advance(4 * 86400 * 1000)
    const late = await detail(paid.o.id)
    expect([late.status, late.cancellation_initiator]).toEqual(['CANCELLED', 'SYSTEM'])
  })
})

describe('shipping documents (reference §4.1)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sim.close())

  it('only for TikTok shipping, only after ship; the doc_url serves a PDF', async () => {
    const tiktok = h.sim.state.createOrder({ shippingType: 'TIKTOK' })
    const seller = h.sim.state.createOrder({ shippingType: 'SELLER' })
    const pkg = tiktok.o.packages![0].id
    const doc = (p: string) => h.shop('GET', `/fulfillment/202309/packages/${p}/shipping_documents`, { query: { document_type: 'SHIPPING_LABEL' } })
    expect((await doc(pkg)).body.code).toBe(21008017)
    h.sim.state.ship(seller.o.packages![0].id)
    expect((await doc(seller.o.packages![0].id)).body.code).toBe(21008017)
    expect((await h.shop('GET', `/fulfillment/202309/packages/${pkg}/shipping_documents`)).body.code).toBe(36009001)
    h.sim.state.ship(pkg)
    const r = await doc(pkg)
    expect(r.body.code).toBe(0)
    expect(r.body.data.tracking_number).toBe(h.sim.state.pkg(pkg).tracking_number)
    const pdf = await fetch(r.body.data.doc_url)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    const bytes = new Uint8Array(await pdf.arrayBuffer())
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    const { extractText } = await import('unpdf')
    const { text } = await extractText(bytes, { mergePages: true })
    expect(text).toContain(r.body.data.tracking_number)
    expect(text).toContain(tiktok.o.id)
  })
})
