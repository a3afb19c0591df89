/** The simulator checks requests like the platform: sign, timestamp, token, shop_cipher, limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiSign } from '../../src/shop/simulator/index.js'
import { getToken, sign } from './call.js'
import { APP_KEY, APP_SECRET, startHarness, type Harness } from './harness.js'

describe('signing vectors (reference §1.3)', () => {
  it('V1 official worked example', () => {
    const q: [string, string][] = [
      ['app_key', '29a39d'],
      ['timestamp', '1623812664'],
    ]
    expect(apiSign('e59af819cc', '/authorization/202309/shops', q)).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8')
  })
  it('V2 (EcomPHP test)', () => {
    expect(apiSign('app_secret', '/test-api', [['foo', 'bar']])).toBe('d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f')
  })
  it('V3 body branch; sign and access_token are left out', () => {
    const q: [string, string][] = [
      ['timestamp', '1696909648'],
      ['shop_cipher', 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK'],
      ['app_key', '68xu9ks5p4i8'],
      ['sign', 'whatever'],
      ['access_token', 'tok'],
    ]
    const body = '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}'
    expect(apiSign('e59af819cc', '/event/202309/webhooks', q, body)).toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a')
  })
})

describe('request checks', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sim.close())

  it('answers a correctly signed call with the envelope', async () => {
    const r = await h.seller('GET', '/authorization/202309/shops')
    expect(r.status).toBe(200)
    expect(Object.keys(r.body).sort()).toEqual(['code', 'data', 'message', 'request_id'])
    expect(r.body.code).toBe(0)
    expect(r.body.request_id).toMatch(/^\w{20,}$/)
    expect(r.body.data.shops).toEqual([
      expect.objectContaining({ id: h.sim.shop.id, cipher: h.sim.shop.cipher, region: 'GB', seller_type: 'CROSS_BORDER' }),
    ])
    expect(typeof r.body.data.shops[0].id).toBe('string')
  })

  it('refuses a wrong sign with HTTP 401 and 106001', async () => {
    const r = await h.seller('GET', '/authorization/202309/shops', { sign: 'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8' })
    expect([r.status, r.body.code, r.body.data]).toEqual([401, 106001, null])
  })

  it('signs the raw body: a sign over different bytes is refused', async () => {
    const ts = Math.floor(h.clock.now().getTime() / 1000)
    const q = { app_key: APP_KEY, timestamp: String(ts), shop_cipher: h.sim.shop.cipher, page_size: '10' }
    const signedOver = sign(APP_SECRET, '/order/202309/orders/search', q, '{ }')
    const bad = await h.shop('POST', '/order/202309/orders/search', { query: { page_size: 10 }, rawBody: '{}', sign: signedOver })
    expect(bad.body.code).toBe(106001)
    const good = await h.shop('POST', '/order/202309/orders/search', { query: { page_size: 10 }, rawBody: '{ }' })
    expect(good.body.code).toBe(0)
  })

  it('enforces the timestamp window [now − 300 s, now + 30 s]', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000)
    const at = async (timestamp: number) => (await h.seller('GET', '/authorization/202309/shops', { timestamp })).body.code
    expect(await at(now - 300)).toBe(0)
    expect(await at(now + 30)).toBe(0)
    expect(await at(now - 301)).toBe(36009004)
    expect(await at(now + 31)).toBe(36009004)
    const ms = await h.seller('GET', '/authorization/202309/shops', { timestamp: now * 1000 })
    expect([ms.status, ms.body.code]).toEqual([401, 36009004])
  })

  it('needs the access token in the x-tts-access-token header', async () => {
    const none = await h.seller('GET', '/authorization/202309/shops', { token: undefined })
    expect([none.status, none.body.code]).toEqual([401, 36009004])
    const inQuery = await h.seller('GET', '/authorization/202309/shops', { tokenInQuery: true })
    expect(inQuery.body.code).toBe(36009004)
    const unknown = await h.seller('GET', '/authorization/202309/shops', { token: 'ROW_nope' })
    expect(unknown.body.code).toBe(36009004)
  })

  it('forbids shop_cipher on /authorization/* and requires it on shop APIs', async () => {
    const withCipher = await h.shop('GET', '/authorization/202309/shops')
    expect(withCipher.body.code).toBe(36009004)
    expect(withCipher.body.message).toMatch(/shop_cipher/)
    const noCipher = await h.seller('POST', '/order/202309/orders/search', { query: { page_size: 10 }, body: {} })
    expect(noCipher.body.code).toBe(106013)
    const wrong = await h.shop('POST', '/order/202309/orders/search', { cipher: 'ROW_other', query: { page_size: 10 }, body: {} })
    expect(wrong.body.code).toBe(106013)
  })

  it('answers unknown paths, methods and versions with their codes', async () => {
    expect((await h.shop('GET', '/order/202309/nothing')).body.code).toBe(36009009)
    expect((await h.shop('GET', '/order/202309/orders/search')).body.code).toBe(36009010)
    expect((await h.shop('POST', '/order/201901/orders/search', { body: {} })).body.code).toBe(36009014)
  })

  it('throttles with HTTP 429 / 36009002 and goes back to normal', async () => {
    h.sim.throttleNext(2)
    const codes = []
    for (let i = 0; i < 3; i++) {
      const r = await h.seller('GET', '/authorization/202309/shops')
      codes.push([r.status, r.body.code])
    }
    expect(codes).toEqual([
      [429, 36009002],
      [429, 36009002],
      [200, 0],
    ])
    h.sim.setThrottle(1)
    const burst = await Promise.all(Array.from({ length: 6 }, () => h.seller('GET', '/authorization/202309/shops')))
    h.sim.setThrottle(null)
    // at most one per second gets through (two if the burst straddles a second)
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(4)
    expect(burst.every((r) => r.status === 200 || r.body.code === 36009002)).toBe(true)
  })

  it('reports an outage with HTTP 503 / 36009003, switchable at run time', async () => {
    h.sim.setOutage(2)
    const a = await h.seller('GET', '/authorization/202309/shops')
    const b = await h.seller('GET', '/authorization/202309/shops')
    const c = await h.seller('GET', '/authorization/202309/shops')
    expect([a.status, a.body.code, b.status, c.status]).toEqual([503, 36009003, 503, 200])
    h.sim.setOutage(true)
    expect((await h.seller('GET', '/authorization/202309/shops')).status).toBe(503)
    h.sim.setOutage(false)
    expect((await h.seller('GET', '/authorization/202309/shops')).status).toBe(200)
  })

  it('answers late when given a latency, and at once again without it', async () => {
    const timed = async () => {
      const t = performance.now()
      const r = await h.seller('GET', '/authorization/202309/shops')
      return { status: r.status, ms: performance.now() - t }
    }
    h.sim.setLatency(500)
    const late = await timed()
    h.sim.setLatency(0)
    const prompt = await timed()
    expect(late.status).toBe(200)
    // a timer never fires early by more than a millisecond; the prompt answer is compared, not timed
    expect(late.ms).toBeGreaterThanOrEqual(499)
    expect(prompt.status).toBe(200)
    expect(prompt.ms).toBeLessThan(late.ms)
    expect(h.sim.requests.at(-2)?.ms).toBeGreaterThanOrEqual(499)
  })
})

describe('tokens (reference §6)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sim.close())

  it('gives absolute expiry times, and an auth code works once', async () => {
    const code = h.sim.createAuthCode()
    const first = await getToken(h.sim.authBaseUrl, APP_KEY, APP_SECRET, code)
    const now = Math.floor(h.clock.now().getTime() / 1000)
    expect(first.body.code).toBe(0)
    expect(first.body.data.access_token_expire_in).toBe(now + 7 * 86400)
    expect(first.body.data.refresh_token_expire_in).toBeGreaterThan(now + 300 * 86400)
    expect(first.body.data.open_id).toBe(h.sim.state.data.seller.openId)
    const again = await getToken(h.sim.authBaseUrl, APP_KEY, APP_SECRET, code)
    expect(again.body.code).not.toBe(0)
    const wrongSecret = await getToken(h.sim.authBaseUrl, APP_KEY, 'nope', h.sim.createAuthCode())
    expect(wrongSecret.status).toBe(401)
  })

  it('expired token → 401 / 105002; refresh gives a working one', async () => {
    h.sim.expireAccessToken(h.token)
    const r = await h.seller('GET', '/authorization/202309/shops')
    expect([r.status, r.body.code]).toEqual([401, 105002])
    const q = new URLSearchParams({ app_key: APP_KEY, app_secret: APP_SECRET, refresh_token: h.refreshToken, grant_type: 'refresh_token' })
    const res = await fetch(`${h.sim.authBaseUrl}/api/v2/token/refresh?${q}`)
    const body = (await res.json()) as { code: number; data: { access_token: string } }
    expect(body.code).toBe(0)
    const again = await h.seller('GET', '/authorization/202309/shops', { token: body.data.access_token })
    expect(again.body.code).toBe(0)
  })

  it('an access token expires by the clock too', async () => {
    const t = await getToken(h.sim.authBaseUrl, APP_KEY, APP_SECRET, h.sim.createAuthCode())
    h.clock.advance(7 * 86400 * 1000)
    const r = await h.seller('GET', '/authorization/202309/shops', { token: t.body.data.access_token })
    expect(r.body.code).toBe(105002)
  })
})
