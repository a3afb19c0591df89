/** Signed webhooks (reference §5): envelope, signature as in vector W1, retries, per-topic address. */
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { webhookSignature } from '../../src/shop/simulator/index.js'
import { APP_KEY, APP_SECRET, startHarness, type Harness } from './harness.js'

/** The receiver side of W1, written from the reference: hex HMAC-SHA256(app_secret, app_key + raw body). */
const verify = (appKey: string, appSecret: string, raw: string, header: string) =>
  createHmac('sha256', appSecret).update(appKey + raw).digest('hex') === header

describe('webhook signature', () => {
  it('matches the official vector W1 and the receiver logic', () => {
    const body =
      '{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507","timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178","order_status":"UNPAID","update_time":1718305585}}'
    expect(webhookSignature('abcdef', '123', body)).toBe('5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05')
    expect(verify('abcdef', '123', body, '5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05')).toBe(true)
  })
})

describe('webhook delivery', () => {
  let h: Harness
  let server: Server
  let url = ''
  const got: { raw: string; auth: string }[] = []
  let answers: number[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        got.push({ raw: Buffer.concat(chunks).toString('utf8'), auth: String(req.headers.authorization) })
        res.writeHead(answers.shift() ?? 200).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/tiktok`
    h = await startHarness({ webhookUrl: url, webhookRetryDelaysMs: [30, 60] })
  })
  afterAll(async () => {
    await h.sim.close()
    await new Promise((r) => server.close(r))
  })
  afterEach(() => {
    got.length = 0
    answers = []
  })

  it('posts type 1 on each order transition and type 11 for a buyer request, signed', async () => {
    const rec = h.sim.state.createOrder()
    h.sim.state.buyerRequestCancel(rec.o.id)
    expect(await h.sim.webhooks.settle()).toBe(true)
    expect(got.length).toBe(3)
    for (const g of got) expect(verify(APP_KEY, APP_SECRET, g.raw, g.auth)).toBe(true)
    const bodies = got.map((g) => JSON.parse(g.raw))
    expect(bodies.map((b) => [b.type, b.data.order_status ?? b.data.cancel_status])).toEqual([
      [1, 'UNPAID'],
      [1, 'AWAITING_SHIPMENT'],
      [11, 'CANCELLATION_REQUEST_PENDING'],
    ])
    for (const b of bodies) {
      expect(b.shop_id).toBe(h.sim.shop.id)
      expect(b.tts_notification_id).toMatch(/^\d{19}$/)
      expect(b.timestamp).toBe(Math.floor(h.clock.now().getTime() / 1000))
    }
    expect(bodies[2].data).toMatchObject({ order_id: rec.o.id, cancellations_role: 'BUYER' })
    expect(new Set(bodies.map((b) => b.tts_notification_id)).size).toBe(3)
  })

  it('retries on failure with the same notification id and body, then gives up', async () => {
    answers = [500, 503]
    h.sim.state.createOrder({ pay: false })
    expect(await h.sim.webhooks.settle()).toBe(true)
    expect(got.length).toBe(3)
    expect(new Set(got.map((g) => g.raw)).size).toBe(1)
    const d = h.sim.webhooks.log.at(-1)!
    expect([d.state, d.attempts, d.statuses]).toEqual(['delivered', 3, [500, 503, 200]])
    got.length = 0
    answers = [500, 500, 500]
    h.sim.state.createOrder({ pay: false })
    expect(await h.sim.webhooks.settle()).toBe(true)
    expect(h.sim.webhooks.log.at(-1)!.state).toBe('failed')
    expect(got.length).toBe(3)
  })

  it('401 counts as handled; a cancelled order is announced as CANCEL', async () => {
    const rec = h.sim.state.createOrder({ pay: false })
    await h.sim.webhooks.settle()
    got.length = 0
    answers = [401]
    h.sim.state.buyerRequestCancel(rec.o.id)
    expect(await h.sim.webhooks.settle()).toBe(true)
    const bodies = got.map((g) => JSON.parse(g.raw))
    expect(bodies.find((b) => b.type === 1)?.data.order_status).toBe('CANCEL')
    expect(h.sim.webhooks.log.filter((d) => d.attempts > 1 && d.statuses[0] === 401)).toEqual([])
  })

  it('deauthorization (type 6) revokes the tokens; expiry warnings are type 7', async () => {
    h.sim.state.warnAuthorizationExpiry(1_800_000_000)
    await h.sim.webhooks.settle()
    expect(JSON.parse(got.at(-1)!.raw)).toMatchObject({ type: 7, data: { expiration_time: '1800000000' } })
    h.sim.state.deauthorize()
    await h.sim.webhooks.settle()
    expect(JSON.parse(got.at(-1)!.raw).type).toBe(6)
    expect((await h.seller('GET', '/authorization/202309/shops')).body.code).toBe(36009004)
    h.renew()
  })

  it('an Event API subscription overrides the address per topic', async () => {
    const other: string[] = []
    const s2 = createServer((req, res) => {
      other.push(String(req.url))
      res.writeHead(200).end()
    })
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', r))
    const addr = `http://127.0.0.1:${(s2.address() as AddressInfo).port}/hook2`
    const put = await h.shop('PUT', '/event/202309/webhooks', { body: { address: addr, event_type: 'CANCELLATION_STATUS_CHANGE' } })
    expect(put.body.code).toBe(0)
    const list = await h.shop('GET', '/event/202309/webhooks')
    expect(list.body.data.webhooks).toEqual([expect.objectContaining({ event_type: 'CANCELLATION_STATUS_CHANGE', address: addr })])
    const rec = h.sim.state.createOrder()
    h.sim.state.buyerRequestCancel(rec.o.id)
    await h.sim.webhooks.settle()
    expect(other).toEqual(['/hook2'])
    expect(got.map((g) => JSON.parse(g.raw).type)).toEqual([1, 1])
    await h.shop('DELETE', '/event/202309/webhooks', { body: { event_type: 'CANCELLATION_STATUS_CHANGE' } })
    await new Promise((r) => s2.close(r))
  })
})
