/** GET /oauth/tiktok/callback: a signed state and a fresh code connect the shop (the same path as shop connect). */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { shops } from '../../db/schema.js'
import { oauthCallbackRoute } from '../../src/http/routes.js'
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js'
import { silentLogger } from '../../src/shared/logger.js'
import { makeOAuthState } from '../../src/shop/tiktok/authorize.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from '../shop/harness.js'

const STATE_SECRET = 'state-secret-0123456789abcdef'

describeEachDb('OAuth callback', (get) => {
  let h: ShopHarness
  let server: RunningHttpServer
  beforeAll(async () => {
    h = await shopHarness(get(), { connect: false })
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [oauthCallbackRoute({ clock: h.clock, logger: silentLogger, stateSecret: STATE_SECRET, connectShop: (code, actor) => h.conn.connectShop(code, actor) })],
    })
  })
  afterAll(async () => {
    await server?.close()
    await h?.close()
  })
  const call = (q: Record<string, string>) => fetch(`${server.url}/oauth/tiktok/callback?${new URLSearchParams(q)}`)

  it('refuses a missing, forged or expired state, and a refusal by the seller, storing nothing', async () => {
    const code = h.sim.createAuthCode()
    expect((await call({ code })).status).toBe(400)
    expect((await call({ code, state: makeOAuthState('another-secret-0123456789', h.clock.now()) })).status).toBe(400)
    expect((await call({ code, state: makeOAuthState(STATE_SECRET, new Date(h.clock.now().getTime() - 2 * 3_600_000)) })).status).toBe(400)
    expect((await call({ code: 'null', error: 'auth_denied', state: makeOAuthState(STATE_SECRET, h.clock.now()) })).status).toBe(400)
    expect(await get().db.$count(shops, eq(shops.id, h.shopId))).toBe(0)
  })

  it('a good state and code connect the shop and show its name, escaped', async () => {
    const res = await call({ code: h.sim.createAuthCode(), state: makeOAuthState(STATE_SECRET, h.clock.now()) })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Shop connected')
    expect(html).toContain(h.shopId)
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'")
    const [row] = await get().db.select().from(shops).where(eq(shops.id, h.shopId))
    expect(row.cipher).toBe(h.sim.shop.cipher)
    // the code is single use: replaying the redirect fails cleanly
    const again = await call({ code: 'TTP_used_or_unknown', state: makeOAuthState(STATE_SECRET, h.clock.now()) })
    expect(again.status).toBe(400)
  })
})
