/**
 * Pull-sync rate against the simulator over HTTP: 10,000 orders, 100 a page, stored through the real
 * path (client → sync → the workflow core's page use case), compared with fetching the same pages without storing.
 * Goal: sync rate ≥ 0.5 × fetch rate, as the median of three rounds (each: fetch only, then a sync into
 * a fresh database), for the shop's first sync (its history: no message per order) and for the same
 * orders each posted (see Scenario). Also the re-run (everything already held) rate, and one round of
 * the posted kind with the simulator answering each call LATENCY_MS late, as a far platform does: how
 * the sync keeps pace with the fetching when pages take their real time to come.
 *
 * The simulator runs in a worker thread (the platform is another machine: building its pages must not
 * take turns with our work on one thread). It answers a page in a few milliseconds, far faster than
 * the real platform (hundreds of milliseconds), so this is a test of our storing speed. It also shares
 * the machine's cores with our storing, as the database does: the CPU figures say how much work each
 * side did, and the highest ratio that much work allows on these cores.
 */
import type { Database } from '../db/database.js'
import { eq } from 'drizzle-orm'
import { channelShops, channels, shops as shopsTable } from '../db/schema.js'
import { silentLogger } from '../src/shared/logger.js'
import { tokenCipher } from '../src/shop/crypto.js'
import { workflowSink } from '../src/shop/sync-sink.js'
import { syncShop } from '../src/shop/sync.js'
import { createTikTokConnection } from '../src/shop/tiktok/connection.js'
import { systemClock } from '../src/shared/clock.js'
import type { BenchModule, Figure } from './run.js'
import { cpuSnapshot, cpuSpent, describeCpu, shortestMs, type CpuSpent } from './support/cpu.js'
import { benchPglite, benchPostgres, benchServerIsLocal } from './support/databases.js'
import { startSimulatorThread, type SimulatorThread } from './support/simulator-thread.js'

const N = 10_000
/** rounds of (fetch only, then sync into a fresh database): the machine's speed drifts by a fifth
 * from one minute to the next, so one pair of runs says little; the median ratio of three says more */
const ROUNDS = 3

/** the platform's answer time in the last figure: the real one takes hundreds of ms a page, the simulator a few */
const LATENCY_MS = 100

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

interface Round {
  fetchMs: number
  fetched: number
  cancellationRecords: number
  syncMs: number
  synced: number
  stored: number
  /** outbox rows after the sync (messages queued) */
  queued: number
  /** where the CPU time went while fetching only, and while syncing */
  fetchCpu: CpuSpent
  syncCpu: CpuSpent
  /** the re-run (last round): orders per second, and how many it found unchanged */
  againRate?: number
  againUnchanged?: number
}

/**
 * The two kinds of 10,000-order sync. `import`: the shop's first sync, a chat already following it:
 * the orders are history (paid before that sync began), stored and stock-checked without a message
 * each, and the chat gets one summary. `posted`: the same orders as if paid since the shop's first
 * sync (a sync after a long outage): each gets its "new order" message — the most a sync can write.
 */
type Scenario = 'import' | 'posted'

/** One round on a fresh database: connect the shop, a chat follows it, fetch everything without storing, then sync it. */
async function round(database: Database, sim: SimulatorThread, scenario: Scenario, rerun: boolean): Promise<Round> {
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
  // the shop's first sync long ago (its import told): every order of the 60 days is news
  if (scenario === 'posted') await database.db.update(shopsTable).set({ historyBefore: new Date(0), importedAt: new Date(0) }).where(eq(shopsTable.id, shopId))
  const now = Math.floor(Date.now() / 1000) + 1
  // fetch only: the same queries and pages the sync makes (orders, then pending and changed cancellations)
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
  const sources = { simulatorCpuMs: sim.cpuMs, databaseCpuMs: database.cpuMs, server: database.kind === 'postgres' && benchServerIsLocal() }
  const c0 = await cpuSnapshot(sources)
  let t = performance.now()
  const fetched = await all((pageToken) => conn.client.searchOrders(shopId, { updateTimeGe: now - 90 * 86_400, updateTimeLt: now, pageSize: 100, pageToken }))
  let cancellationRecords = await all((pageToken) => conn.client.searchCancellations(shopId, { cancelStatus: ['CANCELLATION_REQUEST_PENDING'], pageSize: 50, pageToken }))
  cancellationRecords += await all((pageToken) => conn.client.searchCancellations(shopId, { updateTimeGe: now - 90 * 86_400, updateTimeLt: now, pageSize: 50, pageToken }))
  const fetchMs = performance.now() - t
  const c1 = await cpuSnapshot(sources)
  const deps = { db: database.db, shop: conn.client, clock: systemClock, logger: silentLogger, sink: workflowSink({ db: database.db, clock: systemClock, logger: silentLogger }) }
  const first = await syncShop(deps, shopId)
  const c2 = await cpuSnapshot(sources)
  if (!first.ok) throw new Error(`sync failed: ${first.error}`)
  const [{ n: queued }] = await database.sql<{ n: number }[]>`select count(*)::int as n from outbox`
  const out: Round = {
    fetchMs,
    fetched,
    cancellationRecords,
    syncMs: first.ms,
    synced: first.orders.seen,
    stored: first.orders.stored,
    queued,
    fetchCpu: cpuSpent(c0, c1),
    syncCpu: cpuSpent(c1, c2),
  }
  if (rerun) {
    t = performance.now()
    const again = await syncShop({ ...deps, options: { overlapMs: 365 * 86_400_000 } }, shopId)
    out.againRate = again.orders.seen / ((performance.now() - t) / 1000)
    out.againUnchanged = again.orders.unchanged
  }
  return out
}

async function measure(open: () => Promise<Database>, label: string): Promise<Figure[]> {
  const sim = await startSimulatorThread({ appKey: 'bench-key', appSecret: 'bench-secret', seed: 5 })
  try {
    await sim.generateOrders({ count: N, days: 60, seed: 9 })
    const rounds: Record<Scenario, Round[]> = { import: [], posted: [] }
    // the two kinds take turns, so that the machine's drift weighs on both alike
    for (let i = 0; i < ROUNDS; i++)
      for (const scenario of ['import', 'posted'] as const) {
        const database = await open()
        try {
          rounds[scenario].push(await round(database, sim, scenario, scenario === 'import' && i === ROUNDS - 1))
        } finally {
          await database.close()
        }
      }
    // one more round as against the real platform: each call answered LATENCY_MS late
    await sim.setLatency(LATENCY_MS)
    let distant: Round
    const database = await open()
    try {
      distant = await round(database, sim, 'posted', false)
    } finally {
      await database.close()
      await sim.setLatency(0)
    }
    const s = (ms: number) => (ms / 1000).toFixed(1)
    const figures = (scenario: Scenario, what: string): Figure[] => {
      const list = rounds[scenario]
      const ratios = list.map((r) => r.fetchMs / r.syncMs)
      const ratio = median(ratios)
      const r = list[ratios.indexOf(ratio)]
      const head = `${label}, ${what}`
      return [
        { name: `${head}: sync ${r.synced} orders (${r.stored} stored, ${r.queued} messages queued), ${s(r.syncMs)} s (median round)`, value: r.synced / (r.syncMs / 1000), unit: 'orders/s' },
        {
          name: `${head}: sync rate / fetch rate, median of ${ROUNDS} rounds (${ratios.map((x) => x.toFixed(3)).join(', ')}; fetch ${list.map((x) => s(x.fetchMs)).join(', ')} s; sync ${list.map((x) => s(x.syncMs)).join(', ')} s)`,
          value: ratio,
          goal: '≥ 0.5',
          ok: ratio >= 0.5,
        },
        { name: `${head}: CPU while syncing (same round): ${describeCpu(r.syncCpu)}`, value: r.syncCpu.totalMs / 1000, unit: 'CPU-s' },
        {
          name: `${head}: the highest ratio this much work allows on ${r.syncCpu.cores} cores (fetch time / the sync's CPU spread over the cores, or its busiest thread's time)`,
          value: r.fetchMs / shortestMs(r.syncCpu),
        },
      ]
    }
    const all = [...rounds.import, ...rounds.posted]
    const fetchMs = median(all.map((r) => r.fetchMs))
    const f = all.find((r) => r.fetchMs === fetchMs)!
    const last = rounds.import[ROUNDS - 1]
    return [
      { name: `${label}: fetch ${f.fetched} orders (+ ${f.cancellationRecords} cancellation records) without storing, ${s(fetchMs)} s (median of ${all.length} rounds)`, value: f.fetched / (fetchMs / 1000), unit: 'orders/s' },
      { name: `${label}: CPU while fetching only (same round): ${describeCpu(f.fetchCpu)}`, value: f.fetchCpu.totalMs / 1000, unit: 'CPU-s' },
      ...figures('import', "the shop's first sync (history: one summary, no message per order)"),
      ...figures('posted', 'every order posted (as if paid since the first sync)'),
      { name: `${label}: re-run re-reading all ${N} (${last.againUnchanged} unchanged)`, value: last.againRate!, unit: 'orders/s' },
      {
        name: `${label}, every order posted, the shop answering each call ${LATENCY_MS} ms late (the real platform: hundreds of ms): sync rate / fetch rate, one round (fetch ${s(distant.fetchMs)} s, sync ${s(distant.syncMs)} s, ${distant.stored} stored, ${distant.queued} messages queued)`,
        value: distant.fetchMs / distant.syncMs,
      },
    ]
  } finally {
    await sim.close()
  }
}

const bench: BenchModule = {
  title: 'Pull sync against the simulator (10,000 orders, 100 a page)',
  async run() {
    return [...(await measure(benchPglite, 'PGlite')), ...(await measure(() => benchPostgres('sync'), 'PostgreSQL'))]
  },
}
export default bench
