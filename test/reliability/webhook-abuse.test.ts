/**
 * Guarantee 6, webhook abuse is refused and survived. Each refusal on its own (401 / 400 / 413 /
 * stale) is covered in test/http/webhooks.test.ts; this adds the barrage: all of them at once, plus
 * a body streamed past the limit without a length, a half-sent request and raw garbage on the socket,
 * while a genuine webhook from the simulator arrives. Nothing from the abuse is stored, the server
 * keeps answering, and the genuine order goes all the way to one chat message.
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orders, webhookEvents } from '../../db/schema.js'
import { healthRoute, tiktokWebhookRoute } from '../../src/http/routes.js'
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { workflowSink } from '../../src/shop/sync-sink.js'
import { webhookSignature } from '../../src/shop/tiktok/sign.js'
import { drainWebhookEvents } from '../../src/shop/webhooks.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { APP_KEY, APP_SECRET, connectSimulatedShop, followingChannel, telegramPort, type ShopSetup } from './support.js'

const GROUP = -1007800000001

describeEachDb('reliability: webhook abuse', (get) => {
  let shop: ShopSetup
  let tg: FakeTelegram
  let server: RunningHttpServer

  beforeAll(async () => {
    const { db } = get()
    shop = await connectSimulatedShop(db)
    tg = await FakeTelegram.start()
    tg.addChat({ id: GROUP })
    await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId: shop.shopId })
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [tiktokWebhookRoute({ db, clock: systemClock, logger: silentLogger, appKey: APP_KEY, appSecret: APP_SECRET, maxBodyBytes: 64 * 1024 }), healthRoute({ db })],
    })
  }, 60_000)
  afterAll(async () => {
    await server?.close()
    await shop?.sim.close()
    await tg?.stop()
  })

  const url = () => `${server.url}/webhooks/tiktok`
  const signed = (body: string) => webhookSignature(APP_KEY, APP_SECRET, body)
  const now = () => Math.floor(Date.now() / 1000)
  const post = (body: string | Uint8Array, auth: string | undefined, headers: Record<string, string> = {}) =>
    fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...headers }, body })
      .then(async (r) => ({ status: r.status, body: await r.text() }))
      .catch((e: Error) => ({ status: 0, body: e.message }))

  /** Sends raw bytes on a socket and returns what came back (or '' when the server closed it). */
  const raw = (bytes: string, holdMs = 300) =>
    new Promise<string>((resolve) => {
      const s = connect(Number(new URL(server.url).port), '127.0.0.1')
      let got = ''
      s.on('data', (d) => (got += d.toString()))
      s.on('error', () => resolve(got))
      s.on('close', () => resolve(got))
      s.write(bytes)
      setTimeout(() => s.destroy(), holdMs)
    })

  it('a barrage of forged, stale, malformed and oversized deliveries → all refused, nothing stored; the genuine order still arrives once', async () => {
    const { db } = get()
    const before = await db.$count(webhookEvents)
    const event = (over: Record<string, unknown> = {}) =>
      JSON.stringify({ type: 1, tts_notification_id: `abuse${Math.random()}`, shop_id: shop.shopId, timestamp: now(), data: { order_id: '576000000000000001', order_status: 'AWAITING_SHIPMENT' }, ...over })
    const forged = event()
    const stale = event({ timestamp: now() - 30 * 3600 })
    const future = event({ timestamp: now() + 3 * 3600 })
    const notJson = '{"type":1,"timestamp":'
    const badType = event({ type: 'DROP TABLE' })
    const huge = event({ pad: 'x'.repeat(200 * 1024) })
    const deep = '['.repeat(50_000) + ']'.repeat(50_000)
    const invalidUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d])
    async function* chunks() {
      for (let i = 0; i < 100; i++) yield new TextEncoder().encode('x'.repeat(4096))
    }
    const attacks = [
      post(forged, signed(forged).replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))),
      post(forged, undefined),
      post(forged, 'not-a-signature'),
      post(stale, signed(stale)),
      post(future, signed(future)),
      post(notJson, signed(notJson)),
      post(badType, signed(badType)),
      post(huge, signed(huge)),
      post(deep, signed(deep)),
      post(invalidUtf8, signed(invalidUtf8.toString('latin1'))),
      // a body streamed past the limit with no content-length
      fetch(url(), { method: 'POST', body: chunks() as unknown as RequestInit["body"], duplex: 'half', headers: { authorization: signed('x') } } as RequestInit)
        .then((r) => ({ status: r.status, body: '' }))
        .catch((e: Error) => ({ status: 0, body: e.message })),
      raw('POST /webhooks/tiktok HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"type":1'), // half-sent, then gone
      raw('\x00\x01\x02 GARBAGE / HTTP/9.9\r\n\r\n'),
    ]
    // the genuine traffic, at the same time
    shop.sim.setWebhookUrl(url())
    const genuine = shop.sim.state.createOrder({ buyerNote: 'genuine under attack' }).o.id
    const results = await Promise.all(attacks)
    expect(await shop.sim.webhooks.settle()).toBe(true)

    const statuses = results.slice(0, 11).map((r) => (typeof r === 'string' ? -1 : r.status))
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    expect(statuses.slice(3, 7)).toEqual([400, 400, 400, 400])
    expect(statuses[7]).toBe(413)
    expect([400, 401, 413]).toContain(statuses[8]) // deep nesting: refused by the signature or the size, never parsed into a crash
    expect(statuses[9]).toBe(401)
    expect([0, 401, 413]).toContain(statuses[10])
    for (const r of results.slice(0, 11)) if (typeof r !== 'string' && r.body) expect(r.body.length).toBeLessThan(300) // never echoes the body

    // nothing from the abuse was stored; the genuine deliveries were
    const stored = await db.select().from(webhookEvents)
    const fromSim = shop.sim.webhooks.log.filter((d) => d.state === 'delivered').length
    expect(stored.length - before).toBe(fromSim)
    expect(stored.every((e) => JSON.stringify(e.payload).includes(genuine) || !JSON.stringify(e.payload).includes('576000000000000001'))).toBe(true)

    // the server is up and the genuine order reaches the chat once
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
    await drainWebhookEvents({ db, clock: systemClock, logger: silentLogger, shop: shop.conn.client, sink: workflowSink({ db, clock: systemClock, logger: silentLogger }) })
    await createDispatcher({ db, ports: [telegramPort({ token: tg.token, apiRoot: tg.apiRoot })], clock: systemClock, logger: silentLogger }).drainOnce()
    expect(await db.$count(orders)).toBe(1)
    expect(tg.sent(GROUP).filter((m) => m.text?.includes(genuine))).toHaveLength(1)
  }, 60_000)
})
