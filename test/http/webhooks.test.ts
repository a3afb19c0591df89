/**
 * The webhook edge over real HTTP and a real database: signature checked before anything is stored,
 * duplicates stored once by the unique event key, malformed and stale deliveries refused, big bodies
 * cut off with 413, health reporting the database.
 */
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { webhookEvents } from '../../db/schema.js'
import { healthRoute, tiktokWebhookRoute } from '../../src/http/routes.js'
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { webhookSignature } from '../../src/shop/tiktok/sign.js'
import { describeEachDb } from '../support/db.js'

const APP_KEY = 'test_app_key'
const APP_SECRET = 'test_app_secret_123'

describeEachDb('POST /webhooks/tiktok', (get) => {
  let server: RunningHttpServer
  const clock = new ManualClock('2026-11-20T10:00:00Z')
  let kicks = 0
  const now = () => Math.floor(clock.now().getTime() / 1000)

  beforeAll(async () => {
    const { db } = get()
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [
        tiktokWebhookRoute({ db, clock, logger: silentLogger, appKey: APP_KEY, appSecret: APP_SECRET, onStored: () => kicks++, maxBodyBytes: 64 * 1024 }),
        healthRoute({ db }),
      ],
    })
  })
  afterAll(() => server?.close())

  const post = (body: string, auth?: string | null, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/webhooks/tiktok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth === null ? {} : { authorization: auth ?? webhookSignature(APP_KEY, APP_SECRET, body) }), ...headers },
      body,
    })
  const count = async (key?: string) => {
    const { db } = get()
    return key ? db.$count(webhookEvents, eq(webhookEvents.eventKey, key)) : db.$count(webhookEvents)
  }
  const event = (id: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 1, tts_notification_id: id, shop_id: '7495540735365777507', timestamp: now(), data: { order_id: '576653688135258178', order_status: 'AWAITING_SHIPMENT', update_time: now() }, ...over })

  it('a signed delivery with a NUL character in a text is stored without it (PostgreSQL text cannot hold NUL)', async () => {
    const body = event('7380066284010030999', { data: { order_id: '576653688135258999', order_status: 'AWAITING_SHIPMENT', update_time: now(), note: 'a\u0000b' } })
    expect(body).toContain('\\u0000')
    const res = await post(body)
    expect(res.status).toBe(200)
    const [row] = await get().db.select({ payload: webhookEvents.payload }).from(webhookEvents).where(eq(webhookEvents.eventKey, 'tts:7380066284010030999'))
    expect((row.payload as { data: { note: string } }).data.note).toBe('ab')
  })

  it('a wrong or missing signature → 401 and nothing stored', async () => {
    const before = await count()
    const body = event('7380066284010030001')
    const wrong = await post(body, webhookSignature(APP_KEY, 'another_secret', body))
    expect(wrong.status).toBe(401)
    const missing = await post(body, null)
    expect(missing.status).toBe(401)
    const tampered = await post(body.replace('AWAITING_SHIPMENT', 'CANCELLED'), webhookSignature(APP_KEY, APP_SECRET, body))
    expect(tampered.status).toBe(401)
    // the signature is checked before parsing: garbage with a bad signature is 401, not 400
    expect((await post('not json', 'f'.repeat(64))).status).toBe(401)
    expect(await count()).toBe(before)
  })

  it('the same webhook 10× → 200 each time, one stored event', async () => {
    const body = event('7380066284010030002')
    const statuses = []
    for (let i = 0; i < 10; i++) {
      const r = await post(body)
      statuses.push(r.status)
      expect(await r.text()).toBe('')
    }
    expect(statuses).toEqual(Array(10).fill(200))
    expect(await count('tts:7380066284010030002')).toBe(1)
    // and 10 at once
    const body2 = event('7380066284010030003')
    const rs = await Promise.all(Array.from({ length: 10 }, () => post(body2)))
    expect(rs.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(await count('tts:7380066284010030003')).toBe(1)
    const { db } = get()
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.eventKey, 'tts:7380066284010030003'))
    expect(row.type).toBe(1)
    expect(row.shopId).toBe('7495540735365777507')
    expect((row.payload as { data: { order_id: string } }).data.order_id).toBe('576653688135258178') // 64-bit id kept as a string
    expect(row.processedAt).toBeNull()
    expect(kicks).toBeGreaterThanOrEqual(2)
  })

  it('without tts_notification_id the body hash is the key: repeats stored once', async () => {
    const body = JSON.stringify({ type: 3, shop_id: '7495540735365777507', timestamp: now(), data: { order_id: '1', update_time: now() } })
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200)
    const { db } = get()
    const rows = await db.select().from(webhookEvents).where(sql`${webhookEvents.eventKey} like 'sha256:%'`)
    expect(rows).toHaveLength(1)
    expect(rows[0].type).toBe(3)
  })

  it('malformed JSON or envelope → 400, nothing stored', async () => {
    const before = await count()
    for (const body of ['{"type":1,', '[1,2]', JSON.stringify({ type: 'x', timestamp: now() }), JSON.stringify({ type: 1 })]) {
      const r = await post(body)
      expect(r.status, body).toBe(400)
      expect(((await r.json()) as { error: string }).error).toBeTruthy()
    }
    expect(await count()).toBe(before)
  })

  it('a stale (replayed) delivery → refused, nothing stored', async () => {
    const before = await count()
    const r = await post(event('7380066284010030004', { timestamp: now() - 25 * 3600 }))
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: string }).error).toMatch(/too old/)
    const future = await post(event('7380066284010030005', { timestamp: now() + 2 * 3600 }))
    expect(future.status).toBe(400)
    expect(await count()).toBe(before)
    // a TikTok retry 12 h later is still fine
    expect((await post(event('7380066284010030006', { timestamp: now() - 12 * 3600 }))).status).toBe(200)
  })

  it('a body over the limit → 413 before anything is read into the handler', async () => {
    const before = await count()
    const big = event('7380066284010030007', { pad: 'x'.repeat(70 * 1024) })
    const r = await post(big)
    expect(r.status).toBe(413)
    expect(await count()).toBe(before)
  })

  it('wrong method → 405, unknown path → 404; /healthz reports the database', async () => {
    expect((await fetch(`${server.url}/webhooks/tiktok`)).status).toBe(405)
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    const h = await fetch(`${server.url}/healthz`)
    expect(h.status).toBe(200)
    expect(await h.json()).toMatchObject({ ok: true, database: 'up' })
  })
})
