/** Buyer cancellation requests: search, approve, reject, expiry; seller cancellation (reference §3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

const H = 3600

describe('cancellations', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sim.close())
  const now = () => Math.floor(h.clock.now().getTime() / 1000)
  const detail = async (id: string) => (await h.shop('GET', '/order/202309/orders', { query: { ids: id } })).body.data.orders[0]
  const searchOne = async (cancelId: string) =>
    (await h.shop('POST', '/return_refund/202309/cancellations/search', { query: { page_size: 10 }, body: { cancel_ids: [cancelId] } })).body.data
      .cancellations[0]

  it('a buyer request is pending with a 48 h answer deadline and flags the order', async () => {
    const rec = h.sim.state.createOrder()
    const c = h.sim.state.buyerRequestCancel(rec.o.id)
    const found = await h.shop('POST', '/return_refund/202309/cancellations/search', {
      query: { page_size: 50 },
      body: { cancel_status: ['CANCELLATION_REQUEST_PENDING'], order_ids: [rec.o.id] },
    })
    expect(found.body.data.total_count).toBe(1)
    const x = found.body.data.cancellations[0]
    expect(x).toMatchObject({
      cancel_id: c.cancel_id,
      order_id: rec.o.id,
      cancel_type: 'BUYER_CANCEL',
      cancel_status: 'CANCELLATION_REQUEST_PENDING',
      role: 'BUYER',
      seller_next_action_response: [{ action: 'SELLER_RESPOND_CANCEL', deadline: now() + 48 * H }],
    })
    expect(x.cancel_reason).toMatch(/^ecom_order_to_ship_canceled_reason_/)
    const o = await detail(rec.o.id)
    expect([o.is_buyer_request_cancel, o.request_cancel_time]).toEqual([true, now()])
    const flagged = await h.shop('POST', '/order/202309/orders/search', { query: { page_size: 100 }, body: { is_buyer_request_cancel: true } })
    expect(flagged.body.data.orders.map((y: { id: string }) => y.id)).toContain(rec.o.id)
  })

  it('approve → order CANCELLED by the buyer; a second approve or a reject is refused', async () => {
    const rec = h.sim.state.createOrder()
    const c = h.sim.state.buyerRequestCancel(rec.o.id)
    const r = await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/approve`, { query: { idempotency_key: 'k-1' } })
    expect([r.status, r.body.code, r.body.data]).toEqual([200, 0, {}])
    const o = await detail(rec.o.id)
    expect([o.status, o.cancellation_initiator, o.is_buyer_request_cancel]).toEqual(['CANCELLED', 'BUYER', false])
    expect((await searchOne(c.cancel_id)).cancel_status).toBe('CANCELLATION_REQUEST_SUCCESS')
    // same idempotency key: same answer, nothing changes twice
    expect((await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/approve`, { query: { idempotency_key: 'k-1' } })).body.code).toBe(0)
    expect((await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/approve`)).body.code).toBe(25011012)
    const rej = await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/reject`, {
      body: { reject_reason: 'seller_reject_apply_product_has_been_packed', comment: '' },
    })
    expect(rej.body.code).toBe(25011011)
    h.clock.advance(61_000)
    expect((await searchOne(c.cancel_id)).cancel_status).toBe('CANCELLATION_REQUEST_COMPLETE')
  })

  it('reject with a reason from Get Reject Reasons → request closed, the order goes on', async () => {
    const rec = h.sim.state.createOrder()
    const c = h.sim.state.buyerRequestCancel(rec.o.id)
    const reasons = await h.shop('GET', '/return_refund/202309/reject_reasons', { query: { return_or_cancel_id: c.cancel_id, locale: 'zh-CN' } })
    expect(reasons.body.code).toBe(0)
    const names = reasons.body.data.reasons.map((r: { name: string }) => r.name)
    expect(names).toContain('order_manage_list_action_respond_popup_reject_reason_delivered_uk')
    expect(reasons.body.data.reasons[0].text).toMatch(/[\u4e00-\u9fff]/)
    const bad = await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/reject`, { body: { reject_reason: 'because' } })
    expect(bad.body.code).toBe(36009001)
    const r = await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/reject`, {
      body: { reject_reason: names[1], comment: 'Already packed <b>&</b>' },
    })
    expect(r.body.code).toBe(0)
    expect((await searchOne(c.cancel_id)).cancel_status).toBe('CANCELLATION_REQUEST_CANCELLED')
    const o = await detail(rec.o.id)
    expect([o.status, o.is_buyer_request_cancel]).toEqual(['AWAITING_SHIPMENT', false])
    expect((await h.shop('POST', `/return_refund/202309/cancellations/${c.cancel_id}/approve`)).body.code).toBe(25011012)
    // the request filter spelling CANCELLATION_REQUEST_CANCEL finds it too
    const alias = await h.shop('POST', '/return_refund/202309/cancellations/search', {
      query: { page_size: 10 },
      body: { cancel_ids: [c.cancel_id], cancel_status: ['CANCELLATION_REQUEST_CANCEL'] },
    })
    expect(alias.body.data.total_count).toBe(1)
  })

  it('no answer by the deadline → approved by the system, order CANCELLED', async () => {
    const rec = h.sim.state.createOrder()
    const c = h.sim.state.buyerRequestCancel(rec.o.id)
    h.clock.advance((48 * H - 1) * 1000)
    expect((await searchOne(c.cancel_id)).cancel_status).toBe('CANCELLATION_REQUEST_PENDING')
    h.clock.advance(1000)
    const x = await searchOne(c.cancel_id)
    expect(x.cancel_status).toBe('CANCELLATION_REQUEST_SUCCESS')
    expect(x.seller_next_action_response).toEqual([])
    expect((await detail(rec.o.id)).status).toBe('CANCELLED')
  })

  it('seller cancel needs a reason valid for the status (25001021), then cancels', async () => {
    const rec = h.sim.state.createOrder()
    const wrong = await h.shop('POST', '/return_refund/202309/cancellations', {
      body: { order_id: rec.o.id, cancel_reason: 'seller_cancel_unpaid_reason_out_of_stock' },
    })
    expect(wrong.body.code).toBe(25001021)
    const r = await h.shop('POST', '/return_refund/202309/cancellations', {
      body: { order_id: rec.o.id, cancel_reason: 'seller_cancel_reason_out_of_stock' },
    })
    expect(r.body.code).toBe(0)
    expect(r.body.data).toEqual({ cancel_id: expect.stringMatching(/^\d+$/), cancel_status: 'CANCELLATION_REQUEST_SUCCESS' })
    const o = await detail(rec.o.id)
    expect([o.status, o.cancellation_initiator]).toEqual(['CANCELLED', 'SELLER'])
    const again = await h.shop('POST', '/return_refund/202309/cancellations', {
      body: { order_id: rec.o.id, cancel_reason: 'seller_cancel_reason_out_of_stock' },
    })
    expect(again.body.code).toBe(25001021)
  })

  it('a pending request blocks shipping outside the US', async () => {
    const rec = h.sim.state.createOrder()
    h.sim.state.buyerRequestCancel(rec.o.id)
    const r = await h.shop('POST', `/fulfillment/202309/packages/${rec.o.packages![0].id}/ship`, { body: {} })
    expect(r.body.code).toBe(21011045)
  })

  it('cancellation search pages ASC by create_time', async () => {
    const ids: string[] = []
    let token = ''
    do {
      const r = await h.shop('POST', '/return_refund/202309/cancellations/search', {
        query: { page_size: 2, ...(token ? { page_token: token } : {}) },
        body: {},
      })
      expect(r.body.code).toBe(0)
      ids.push(...r.body.data.cancellations.map((x: { cancel_id: string }) => x.cancel_id))
      token = r.body.data.next_page_token
    } while (token)
    expect(ids.length).toBe(h.sim.state.cancellations.size)
    expect(new Set(ids).size).toBe(ids.length)
    expect((await h.shop('POST', '/return_refund/202309/cancellations/search', { query: { page_size: 51 }, body: {} })).body.code).toBe(36009001)
  })
})
