/**
 * Pull-sync rate against the simulator over HTTP: 10,000 orders, 100 a page, stored through the real
 * path (client → sync → the workflow core's page use case), compared with fetching the same pages without storing.
 * Goal: sync rate ≥ 0.5 × fetch rate. Also the re-run (everything already held) rate.
 *
 * The simulator runs in a worker thread (the platform is another machine: building its pages must not
 * take turns with our work on one thread). It answers a page in a few milliseconds, far faster than
 * the real platform (hundreds of milliseconds), so this is a test of our storing speed.
 */
import type { Database } from '../db/database.js'
import { channelShops, channels } from '../db/schema.js'
import { silentLogger } from '../src/shared/logger.js'
import { tokenCipher } from '../src/shop/crypto.js'
import { workflowSink } from '../src/shop/sync-sink.js'
import { syncShop } from '../src/shop/sync.js'
import { createTikTokConnection } from '../src/shop/tiktok/connection.js'
import { systemClock } from '../src/shared/clock.js'
import type { BenchModule, Figure } from './run.js'
import { benchPglite, benchPostgres } from './support/databases.js'
import { startSimulatorThread } from './support/simulator-thread.js'

const N = 10_000

async function measure(database: Database, label: string): Promise<Figure[]> {
  const sim = await startSimulatorThread({ appKey: 'bench-key', appSecret: 'bench-secret', seed: 5 })
  try {
    await sim.generateOrders({ count: N, days: 60, seed: 9 })
    const conn = createTikTokConnection({
      settings: { appKey: 'bench-key', appSecret: 'bench-secret', apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
      db: database.db,
      cipher: tokenCipher('bench-secret-key-0123456789'),
      logger: silentLogger,
      source: 'simulator',
    })
    const { shops } = await conn.connectShop(await sim.createAuthCode())
    const shopId = shops[0].id
    // as in use: a chat follows the shop, so every new paid order gets its stock check and message
    const [ch] = await database.db.insert(channels).values({ platform: 'console', externalId: 'bench-sync' }).returning()
    await database.db.insert(channelShops).values({ channelId: ch.id, shopId, linkedBy: 'bench' })
    const now = Math.floor(Date.now() / 1000) + 1
    // fetch only: the same queries and pages the sync makes (orders, then pending and changed cancellations)
    let t = performance.now()
    let fetched = 0
    let cancellationRecords = 0
    const all = async <T>(get: (token: string) => Promise<{ items: T[]; nextPageToken: string }>) => {
      let token = ''
      let n = 0
      do {
        const p = await get(token)
        n += p.items.length
        token = p.nextPageToken
      } while (token)
      return n
    }
    fetched = await all((pageToken) => conn.client.searchOrders(shopId, { updateTimeGe: now - 90 * 86_400, updateTimeLt: now, pageSize: 100, pageToken }))
    cancellationRecords += await all((pageToken) => conn.client.searchCancellations(shopId, { cancelStatus: ['CANCELLATION_REQUEST_PENDING'], pageSize: 50, pageToken }))
    cancellationRecords += await all((pageToken) => conn.client.searchCancellations(shopId, { updateTimeGe: now - 90 * 86_400, updateTimeLt: now, pageSize: 50, pageToken }))
    const fetchMs = performance.now() - t
    const fetchRate = fetched / (fetchMs / 1000)
    const deps = { db: database.db, shop: conn.client, clock: systemClock, logger: silentLogger, sink: workflowSink({ db: database.db, clock: systemClock, logger: silentLogger }) }
    t = performance.now()
    const first = await syncShop(deps, shopId)
    const firstMs = performance.now() - t
    if (!first.ok) throw new Error(`sync failed: ${first.error}`)
    const syncRate = first.orders.seen / (first.ms / 1000)
    const [{ n: posted }] = await database.sql<{ n: number }[]>`select count(*)::int as n from outbox`
    t = performance.now()
    const again = await syncShop({ ...deps, options: { overlapMs: 365 * 86_400_000 } }, shopId)
    const againRate = again.orders.seen / ((performance.now() - t) / 1000)
    const ratio = fetchMs / first.ms
    return [
      { name: `${label}: fetch ${fetched} orders (+ ${cancellationRecords} cancellation records) without storing, ${(fetchMs / 1000).toFixed(1)} s`, value: fetchRate, unit: 'orders/s' },
      { name: `${label}: sync ${first.orders.seen} orders (${first.orders.stored} stored, ${posted} new-order messages), ${(firstMs / 1000).toFixed(1)} s`, value: syncRate, unit: 'orders/s' },
      { name: `${label}: sync rate / fetch rate`, value: ratio, goal: '≥ 0.5', ok: ratio >= 0.5 },
      { name: `${label}: re-run re-reading all ${again.orders.seen} (${again.orders.unchanged} unchanged)`, value: againRate, unit: 'orders/s' },
    ]
  } finally {
    await sim.close()
  }
}

const bench: BenchModule = {
  title: 'Pull sync against the simulator (10,000 orders, 100 a page)',
  async run() {
    const figures: Figure[] = []
    const lite = await benchPglite()
    try {
      figures.push(...(await measure(lite, 'PGlite')))
    } finally {
      await lite.close()
    }
    const pg = await benchPostgres('sync')
    try {
      figures.push(...(await measure(pg, 'PostgreSQL')))
    } finally {
      await pg.close()
    }
    return figures
  },
}
export default bench
