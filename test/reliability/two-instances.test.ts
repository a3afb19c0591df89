/**
 * Guarantee 10, scale-out: two instances on one PostgreSQL, each with its own connection pool, its
 * own TikTok client, pull sync, minute jobs (deadline scan, request expiry) and outbox dispatcher,
 * run every job at the same moments over a burst of orders and buyer requests, through the
 * deadline thresholds and past the answer-by deadline. Nothing may be posted twice: the stand-in
 * holds exactly one message per outbox row, one new-order message per order and channel, and each
 * deadline warning appears in exactly one message.
 *
 * On PostgreSQL each instance has its own pool; on PGlite (an embedded database belongs to one
 * process) the two stacks share the one database, which still interleaves them at every await.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../db/database.js'
import { cancellations, deadlineWarnings, orders, outbox } from '../../db/schema.js'
import { runMinuteJobs } from '../../src/jobs/index.js'
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { syncShop } from '../../src/shop/sync.js'
import { workflowSink } from '../../src/shop/sync-sink.js'
import { createTikTokConnection } from '../../src/shop/tiktok/connection.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { APP_KEY, APP_SECRET, CIPHER_KEY, connectSimulatedShop, followingChannel, telegramPort, type ShopSetup } from './support.js'

const CHATS = [-1007500000001, -1007500000002]
const ORDERS = 16
const REQUESTS = 4

describeEachDb('reliability: two instances on one PostgreSQL', (get, kind) => {
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000))
  let shop: ShopSetup
  let tg: FakeTelegram
  const instances: { name: string; database: Database; dispatcher: Dispatcher; round(): Promise<void> }[] = []

  beforeAll(async () => {
    const { db } = get()
    shop = await connectSimulatedShop(db, { clock })
    tg = await FakeTelegram.start()
    for (const chat of CHATS) {
      tg.addChat({ id: chat })
      await followingChannel(db, { platform: 'telegram', externalId: String(chat), shopId: shop.shopId })
    }
    for (const name of ['A', 'B']) {
      // PostgreSQL: a pool per instance; PGlite (one embedded session): both stacks share the one database
      const database = kind === 'postgres' ? await openDatabase({ url: get().url!, max: 6 }) : { ...get(), close: async () => {} }
      const conn = createTikTokConnection({
        settings: { appKey: APP_KEY, appSecret: APP_SECRET, apiBaseUrl: shop.sim.baseUrl, authBaseUrl: shop.sim.authBaseUrl },
        db: database.db,
        cipher: tokenCipher(CIPHER_KEY),
        clock,
        sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
      })
      const dispatcher = createDispatcher({ db: database.db, ports: [telegramPort({ token: tg.token, apiRoot: tg.apiRoot })], clock, logger: silentLogger, batch: 4 })
      const deps = { db: database.db, clock, logger: silentLogger, kick: () => {} }
      const syncDeps = { ...deps, shop: conn.client, sink: workflowSink(deps), instanceId: name, options: { pageSize: 10, concurrency: 3 } }
      instances.push({
        name,
        database,
        dispatcher,
        // one "minute" of an instance: its sync, its minute jobs and its outbox, all at once
        async round() {
          await Promise.all([syncShop(syncDeps, shop.shopId), runMinuteJobs({ deps }), dispatcher.drainOnce(), dispatcher.drainOnce()])
        },
      })
    }
  }, 60_000)
  afterAll(async () => {
    for (const i of instances) await i.database.close()
    await shop?.sim.close()
    await tg?.stop()
  })

  const bothRun = async (rounds: number) => {
    for (let r = 0; r < rounds; r++) await Promise.all(instances.map((i) => i.round()))
  }
  const drainAll = async () => {
    for (let k = 0; k < 20; k++) {
      await Promise.all(instances.map((i) => i.dispatcher.drainOnce()))
      if ((await get().db.$count(outbox, inArray(outbox.status, ['pending', 'sending']))) === 0) return
    }
    throw new Error('the outbox did not drain')
  }

  it('sync, deadline scan, expiry and dispatcher in both at once → every message once', async () => {
    const { db } = get()
    // the burst, on the platform
    const made = Array.from({ length: ORDERS }, (_, i) => shop.sim.state.createOrder({ notify: false, buyerNote: `two-instance ${i}` }).o.id)
    const requested = made.slice(0, REQUESTS).map((id) => shop.sim.state.buyerRequestCancel(id).cancel_id)
    await bothRun(3)
    // 40 h later: every pack-by (48 h) is inside its 12 h warning, every answer-by (48 h) too
    clock.advanceHours(40)
    shop.sim.tick()
    await bothRun(3)
    // 49 h: the requests passed their answer-by deadline
    clock.advanceHours(9)
    shop.sim.tick()
    await bothRun(3)
    await drainAll()

    expect(await db.$count(orders, eq(orders.shopId, shop.shopId))).toBe(ORDERS)
    const all = await db.select().from(outbox)
    expect(all.every((r) => r.status === 'sent'), JSON.stringify(all.filter((r) => r.status !== 'sent'))).toBe(true)
    const posts = all.filter((r) => r.kind === 'post')
    const edits = all.filter((r) => r.kind === 'edit')
    // the dispatchers sent each row once: one platform message per post row, at most one edit per edit row
    const onPlatform = CHATS.flatMap((c) => tg.sent(c))
    expect(onPlatform).toHaveLength(posts.length)
    expect(onPlatform.reduce((n, m) => n + m.edits, 0)).toBeLessThanOrEqual(edits.length)
    // one new-order message per order and channel
    for (const chat of CHATS)
      for (const id of made) expect(tg.sent(chat).filter((m) => m.text?.includes(`two-instance ${made.indexOf(id)}\n`) || m.text?.endsWith(`two-instance ${made.indexOf(id)}`)).length, `order ${id} in ${chat}`).toBeLessThanOrEqual(1)
    for (const id of made) expect(posts.filter((r) => r.dedupeKey.startsWith(`order:${id}:new@`))).toHaveLength(CHATS.length)

    // the scans raised warnings and digests, each warning once
    const warnings = await db.select().from(deadlineWarnings)
    expect(warnings.length).toBeGreaterThanOrEqual(ORDERS * CHATS.length)
    const keys = warnings.map((w) => `${w.channelId}|${w.subjectType}|${w.subjectId}|${w.step}|${w.deadlineAt.toISOString()}|${w.thresholdMinutes}`)
    expect(new Set(keys).size).toBe(keys.length)
    const warningRows = posts.filter((r) => r.dedupeKey.startsWith('warn:') || r.dedupeKey.startsWith('digest:'))
    expect(warningRows.length).toBeGreaterThan(0)
    for (const r of warningRows.filter((x) => x.dedupeKey.startsWith('warn:'))) {
      const id = Number(r.dedupeKey.slice(5))
      expect(warnings.filter((w) => w.id === id)).toHaveLength(1)
    }
    // no order line appears in two digests of one channel (two scans never split-and-overlap a burst)
    for (const chat of CHATS) {
      const seen = new Map<string, number>()
      const digests = tg.sent(chat).filter((m) => warningRows.some((r) => r.dedupeKey.startsWith('digest:') && r.platformMessageId === String(m.message_id)))
      for (const m of digests)
        for (const line of new Set((m.text ?? '').split('\n').filter((l) => made.some((id) => l.includes(id))))) seen.set(line, (seen.get(line) ?? 0) + 1)
      for (const [line, n] of seen) expect(n, line).toBe(1)
    }
    // the expired requests: closed once
    const closed = await db.select().from(cancellations).where(and(inArray(cancellations.id, requested)))
    expect(closed.every((c) => c.state !== 'pending')).toBe(true)
  }, 180_000)
})
