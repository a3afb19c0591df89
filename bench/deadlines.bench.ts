/**
 * Deadline scan with 1,000,000 open orders on PostgreSQL (goal < 200 ms per scan). Orders are paid
 * uniformly over the last 48 h (so their pack-by and hand-over-by times cross the 12 h / 2 h / overdue
 * thresholds all the time), plus 20,000 pending cancellation requests; one channel follows the shop.
 * The scan runs once a minute: we measure ten consecutive one-minute scans after the first catch-up.
 */
import { loadavg } from 'node:os'
import { sql } from 'drizzle-orm'
import { channelShops, channels, shops } from '../db/schema.js'
import { scanDeadlines } from '../src/fulfilment/deadlines.js'
import { MINUTE } from '../src/shared/clock.js'
import { silentLogger } from '../src/shared/logger.js'
import type { BenchModule, Figure } from './run.js'
import { benchPostgres } from './support/databases.js'

const N = 1_000_000
const REQUESTS = 20_000
const NOW = new Date('2026-11-20T12:00:00Z')

const bench: BenchModule = {
  title: 'Deadline scan (R4, R8)',
  async run() {
    const figures: Figure[] = []
    const pg = await benchPostgres('deadlines')
    try {
      const { db } = pg
      await db.insert(shops).values({ id: 'bench-shop', name: 'Bench' })
      const [ch] = await db.insert(channels).values({ platform: 'console', externalId: 'bench' }).returning()
      await db.insert(channelShops).values({ channelId: ch.id, shopId: 'bench-shop', linkedBy: 'bench' })
      const t0 = performance.now()
      await db.execute(sql`
        insert into orders (id, shop_id, platform_status, status, create_time, paid_time, update_time, pack_by_at, handover_by_at)
        select (576000000000000000 + i)::text, 'bench-shop', 'AWAITING_SHIPMENT', 'awaiting_shipment',
               t - interval '1 minute', t, t, t + interval '48 hours', t + interval '72 hours'
        from (select i, ${NOW.toISOString()}::timestamptz - (i * (172800.0 / ${N})) * interval '1 second' as t
              from generate_series(1, ${N}) i) s`)
      await db.execute(sql`
        insert into cancellations (id, shop_id, order_id, cancel_type, platform_status, role, requested_at, respond_by, state)
        select (403500000000000000 + i)::text, 'bench-shop', (576000000000000000 + i * 37)::text, 'BUYER_CANCEL',
               'CANCELLATION_REQUEST_PENDING', 'BUYER', t, t + interval '48 hours', 'pending'
        from (select i, ${NOW.toISOString()}::timestamptz - (i * (172800.0 / ${REQUESTS})) * interval '1 second' as t
              from generate_series(1, ${REQUESTS}) i) s`)
      await db.execute(sql`analyze`)
      figures.push({ name: `insert ${N.toLocaleString('en')} open orders + ${REQUESTS.toLocaleString('en')} requests (setup)`, value: (performance.now() - t0) / 1000, unit: 's' })

      // Steady state: the previous scan ran a minute ago.
      await db.execute(sql`insert into job_runs (name, last_run_at) values ('deadline_scan', ${new Date(NOW.getTime() - MINUTE).toISOString()}::timestamptz)`)
      const deps = { db, logger: silentLogger }
      const first = performance.now()
      const r0 = await scanDeadlines(deps, NOW)
      figures.push({ name: `first scan (window of overlap + 1 min): ${r0.warnings} warnings raised`, value: performance.now() - first, unit: 'ms' })
      const times: number[] = []
      let raised = 0
      for (let i = 1; i <= 10; i++) {
        const s = performance.now()
        const r = await scanDeadlines(deps, new Date(NOW.getTime() + i * MINUTE))
        times.push(performance.now() - s)
        raised += r.warnings
      }
      times.sort((a, b) => a - b)
      figures.push({ name: 'machine load average (1 min) during the scans', value: loadavg()[0] })
      const median = times[5]
      figures.push({ name: `one-minute scan over ${N.toLocaleString('en')} open orders, median of 10 (${Math.round(raised / 10)} warnings each)`, value: median, unit: 'ms', goal: '< 200 ms', ok: median < 200 })
      figures.push({ name: 'one-minute scan, worst of 10', value: times[9], unit: 'ms' })
      const quiet = performance.now()
      await scanDeadlines(deps, new Date(NOW.getTime() + 10 * MINUTE))
      figures.push({ name: 'repeat scan at the same minute (nothing new)', value: performance.now() - quiet, unit: 'ms' })
    } finally {
      await pg.close()
    }
    return figures
  },
}
export default bench
