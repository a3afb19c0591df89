/**
 * The real client against the simulator over HTTP, on a real database: connecting a shop, where
 * shop_cipher and the access token go, IDs as strings, refusals mapped to typed errors, and the
 * failure handling (expired token refreshed once, throttling waited out, outages reported).
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { shopGrants, shopTokens, shops } from '../../db/schema.js'
import { AppError } from '../../src/shared/errors.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

describeEachDb('TikTok Shop client against the simulator', (get) => {
  let h: ShopHarness
  beforeAll(async () => {
    h = await shopHarness(get())
  })
  afterAll(() => h?.close())

  it('connectShop stores the shop with its cipher and the tokens encrypted', async () => {
    const { db } = get()
    const [shop] = await db.select().from(shops).where(eq(shops.id, h.shopId))
    expect(shop).toMatchObject({ id: h.sim.shop.id, name: h.sim.shop.name, cipher: h.sim.shop.cipher, sellerType: h.sim.shop.seller_type, source: 'simulator', authorized: true })
    const grants = await db.select().from(shopGrants).where(eq(shopGrants.shopId, h.shopId))
    expect(grants).toHaveLength(1)
    const [tok] = await db.select().from(shopTokens).where(eq(shopTokens.openId, grants[0].openId))
    const issued = Object.keys(h.sim.state.data.accessTokens)
    expect(issued.length).toBeGreaterThan(0)
    for (const t of issued) expect(tok.accessTokenEnc).not.toContain(t)
    expect(tok.accessTokenEnc).toMatch(/^v1:/)
    expect(tok.accessExpiresAt.getTime()).toBeGreaterThan(h.clock.now().getTime())
    // the auth code is single use: a second exchange is refused with a typed error
    const code = h.sim.createAuthCode()
    await h.conn.connectShop(code)
    await expect(h.conn.connectShop(code)).rejects.toMatchObject({ code: 'shop_error' })
  })

  it('never sends shop_cipher to /authorization/*, always to shop APIs, and the token only in the header', async () => {
    h.sim.state.createOrder()
    await h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 5 })
    const auth = h.sim.requests.filter((r) => r.path.startsWith('/authorization/'))
    expect(auth.length).toBeGreaterThan(0)
    for (const r of auth) expect(r.query.shop_cipher).toBeUndefined()
    const shopCalls = h.sim.requests.filter((r) => r.path.startsWith('/order/'))
    expect(shopCalls.length).toBeGreaterThan(0)
    for (const r of [...auth, ...shopCalls]) {
      expect(r.hadAccessTokenHeader).toBe(true)
      expect(r.query.access_token).toBeUndefined()
      expect(r.query.sign).toMatch(/^[0-9a-f]{64}$/)
      expect(r.code).toBe(0)
    }
    for (const r of shopCalls) expect(r.query.shop_cipher).toBe(h.sim.shop.cipher)
  })

  it('keeps 64-bit IDs as strings and reads order detail in chunks of 50', async () => {
    const created = Array.from({ length: 60 }, () => h.sim.state.createOrder())
    const ids = created.map((c) => c.o.id)
    for (const id of ids) expect(BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    const got = await h.conn.client.getOrders(h.shopId, ids)
    expect(got.map((o) => o.id).sort()).toEqual([...ids].sort())
    for (const o of got) {
      expect(typeof o.id).toBe('string')
      for (const li of o.line_items ?? []) expect(typeof li.id).toBe('string')
    }
    const detailCalls = h.sim.requests.filter((r) => r.path === '/order/202309/orders').slice(-2)
    expect(detailCalls.map((r) => r.query.ids.split(',').length)).toEqual([50, 10])
  })

  it('maps a platform refusal to shop_error with the platform code', async () => {
    const o = h.sim.state.createOrder()
    const c = h.sim.state.buyerRequestCancel(o.o.id)
    const cancelId = c.cancel_id
    await h.conn.client.approveCancellation(h.shopId, cancelId, 'idem-1')
    const err = await h.conn.client.approveCancellation(h.shopId, cancelId, 'idem-2').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'shop_error', params: { platformCode: 25011012 } })
  })

  it('an expired access token is refreshed once and the call goes on', async () => {
    const refreshesBefore = h.sim.requests.filter((r) => r.path === '/api/v2/token/refresh').length
    h.sim.expireAccessToken()
    const page = await h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 3 })
    expect(page.items.length).toBe(3)
    const refreshes = h.sim.requests.filter((r) => r.path === '/api/v2/token/refresh')
    expect(refreshes.length - refreshesBefore).toBe(1)
    expect(h.sim.requests.some((r) => r.code === 105002)).toBe(true)
    // concurrent callers hitting the expiry share one refresh
    h.sim.expireAccessToken()
    await Promise.all(Array.from({ length: 5 }, () => h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 1 })))
    expect(h.sim.requests.filter((r) => r.path === '/api/v2/token/refresh').length - refreshesBefore).toBe(2)
  })

  it('HTTP 429 is waited out with back-off', async () => {
    h.sim.throttleNext(4)
    const page = await h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 2 })
    expect(page.items).toHaveLength(2)
    const last = h.sim.requests.slice(-5)
    expect(last.map((r) => r.httpStatus)).toEqual([429, 429, 429, 429, 200])
  })

  it('an outage becomes shop_unavailable after bounded retries; a non-repeatable write is not retried', async () => {
    h.sim.setOutage(true)
    const before = h.sim.requests.length
    const err = await h.conn.client.searchOrders(h.shopId, { pageSize: 1 }).catch((e) => e)
    expect(err).toMatchObject({ code: 'shop_unavailable' })
    expect(h.sim.requests.length - before).toBe(3) // errorRetry.attempts
    const before2 = h.sim.requests.length
    const err2 = await h.conn.client.cancelOrder(h.shopId, '576000000000000001', 'seller_cancel_reason_out_of_stock').catch((e) => e)
    expect(err2).toMatchObject({ code: 'shop_unavailable' })
    expect(h.sim.requests.length - before2).toBe(1)
    h.sim.setOutage(false)
  })

  it("reuses a shop's grant for 10 s, then reads it again; a deauthorisation seen here counts at once", async () => {
    const { db } = get()
    const list = () => h.conn.client.searchOrders(h.shopId, { updateTimeGe: 0, updateTimeLt: 2e9, pageSize: 1 })
    await list() // the grant is read and kept
    await db.update(shops).set({ authorized: false }).where(eq(shops.id, h.shopId))
    try {
      await list() // still the kept grant: no database read before every page
      h.clock.advance(11_000)
      await expect(list()).rejects.toMatchObject({ code: 'shop_error', params: { notConnected: true } })
      await db.update(shops).set({ authorized: true }).where(eq(shops.id, h.shopId))
      h.clock.advance(11_000)
      await list()
      await db.update(shops).set({ authorized: false }).where(eq(shops.id, h.shopId))
      h.conn.client.shopChanged(h.shopId) // what the deauthorisation webhook calls
      await expect(list()).rejects.toMatchObject({ code: 'shop_error' })
    } finally {
      await db.update(shops).set({ authorized: true }).where(eq(shops.id, h.shopId))
      h.conn.client.shopChanged(h.shopId)
    }
  })

  it('a request that gets no answer in time is abandoned (AbortSignal) and reported', async () => {
    const { TikTokApi } = await import('../../src/shop/tiktok/api.js')
    const { createServer } = await import('node:http')
    const hang = createServer(() => {}) // never answers
    await new Promise<void>((ok) => hang.listen(0, '127.0.0.1', ok))
    const port = (hang.address() as { port: number }).port
    const api = new TikTokApi({ appKey: 'k', appSecret: 's', baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200, errorRetry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 5 } })
    const t0 = performance.now()
    const err = (await api.call({ method: 'GET', path: '/order/202309/orders', query: { ids: ['1'] }, accessToken: 't', idempotent: true }).catch((e) => e)) as Error
    expect(err).toMatchObject({ code: 'shop_unavailable' })
    expect(err.message).toMatch(/no answer within 200 ms/)
    expect(performance.now() - t0).toBeLessThan(5_000)
    hang.closeAllConnections()
    await new Promise((ok) => hang.close(ok))
  })
})
