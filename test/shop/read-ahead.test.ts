/** Reading a listing ahead of storing it (src/shop/read-ahead.ts), and the sync storing what was read together. */
import { eq, sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { rows, type Database } from '../../db/database.js'
import { orders, outbox, shops } from '../../db/schema.js'
import type { Page } from '../../src/shop/port.js'
import { joinPages, ReadAhead } from '../../src/shop/read-ahead.js'
import { syncShop } from '../../src/shop/sync.js'
import { followingChannel } from '../reliability/support.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

const page = (ids: string[], next = 'more'): Page<{ id: string }> => ({ items: ids.map((id) => ({ id })), nextPageToken: next })
const ids = (runs: { id: string }[][]) => runs.map((r) => r.map((x) => x.id).join(','))
const tick = () => new Promise((ok) => setTimeout(ok, 5))

/** A listing of `n` pages whose fetches are counted and answered when the test says so. */
function listing(n: number) {
  const asked: string[] = []
  const answer: ((p: Page<{ id: string }>) => void)[] = []
  const fetchPage = (token: string) =>
    new Promise<Page<{ id: string }>>((ok) => {
      asked.push(token)
      const i = asked.length
      answer.push(() => ok(page([`o${i}`], i < n ? `t${i}` : '')))
    })
  return { asked, fetchPage, answerAll: () => answer.splice(0).forEach((f) => f(page([]))) }
}

describe('ReadAhead', () => {
  it('reads at most `ahead` pages beyond those taken, in order, with the tokens given', async () => {
    const l = listing(6)
    const r = new ReadAhead(l.fetchPage, 2)
    for (let i = 0; i < 4; i++) {
      l.answerAll()
      await tick()
    }
    expect(l.asked).toEqual(['', 't1']) // two pages read, then it waits for room
    const first = await r.take(10)
    expect(first!.map((p) => p.items[0].id)).toEqual(['o1', 'o2'])
    const rest: string[] = []
    let taken = 2
    const pump = setInterval(l.answerAll, 1)
    try {
      for (let got = await r.take(1); got; got = await r.take(1)) {
        taken += got.length
        rest.push(...got.map((p) => p.items[0].id))
        expect(l.asked.length - taken).toBeLessThanOrEqual(2)
      }
    } finally {
      clearInterval(pump)
    }
    expect(rest).toEqual(['o3', 'o4', 'o5', 'o6'])
    expect(l.asked).toEqual(['', 't1', 't2', 't3', 't4', 't5'])
  })

  it('hands over the pages read before a failure, then the failure', async () => {
    let n = 0
    const r = new ReadAhead(async (token) => {
      if (++n === 3) throw new Error('shop down')
      return page([`o${n}`], `t${n}`)
    }, 5)
    await tick()
    expect((await r.take(5))!.map((p) => p.items[0].id)).toEqual(['o1', 'o2'])
    await expect(r.take(5)).rejects.toThrow('shop down')
  })

  it('stops reading when stopped', async () => {
    let n = 0
    const r = new ReadAhead(async () => page([`o${++n}`]), 2)
    await tick()
    r.stop()
    await r.take(2)
    await tick()
    expect(n).toBe(2)
  })
})

describe('joinPages', () => {
  it('joins pages into runs that never hold an id twice, keeping order', () => {
    expect(ids(joinPages([page(['a', 'b']), page(['c']), page(['d', 'a']), page(['e'])], (x) => x.id))).toEqual(['a,b,c', 'd,a,e'])
  })

  it('keeps a page that holds an id twice as a run of its own, and skips empty pages', () => {
    expect(ids(joinPages([page(['a']), page([]), page(['b', 'b']), page(['c'])], (x) => x.id))).toEqual(['a', 'b,b', 'c'])
  })
})

describeEachDb('sync with read-ahead', (get, kind) => {
  let h: ShopHarness | undefined
  afterEach(() => h?.close())

  it('stores at most 10 pages together by default, 20 on the embedded database (EMBEDDED_SYNC_OPTIONS)', async () => {
    h = await shopHarness(get(), { sim: { seed: 99 } })
    h.sim.generateOrders({ count: 400, days: 5, seed: 8 })
    const deps = h.syncDeps({ options: { pageSize: 10 } })
    const sizes: number[] = []
    const sink = deps.sink
    deps.sink = {
      ...sink,
      async orderPage(shopId, list, flow) {
        sizes.push(list.length)
        // the first run stores slowly: the reader fills its read-ahead meanwhile
        if (sizes.length === 1) await new Promise((ok) => setTimeout(ok, 500))
        return sink.orderPage(shopId, list, flow)
      },
    }
    const r = await syncShop(deps, h.shopId)
    expect(r.orders).toMatchObject({ seen: 400, stored: 400 })
    const most = kind === 'pglite' ? 200 : 100
    expect(Math.max(...sizes)).toBe(most)
  }, 60_000)

  it('stores the pages read while it was storing together, two batches overlapping, each order once', async () => {
    h = await shopHarness(get(), { sim: { seed: 4242 } })
    h.sim.generateOrders({ count: 450, days: 5, seed: 3 })
    const deps = h.syncDeps({ options: { pageSize: 50, readAheadPages: 4 } })
    const sizes: number[] = []
    let inFlight = 0
    let overlapped = 0
    const sink = deps.sink
    deps.sink = {
      ...sink,
      async orderPage(shopId, list, flow) {
        sizes.push(list.length)
        if (++inFlight > 1) overlapped++
        try {
          await new Promise((ok) => setTimeout(ok, 40)) // storing slower than the shop answers
          return await sink.orderPage(shopId, list, flow)
        } finally {
          inFlight--
        }
      },
    }
    const r = await syncShop(deps, h.shopId)
    expect(r.ok).toBe(true)
    expect(r.orders).toMatchObject({ pages: 9, seen: 450, stored: 450 })
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(450)
    expect(Math.max(...sizes)).toBeGreaterThan(50) // several pages in one call
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200) // never more than readAheadPages pages
    expect(overlapped).toBeGreaterThan(0) // a batch started while the one before was still storing
    const [{ n }] = await rows<{ n: string }>(get().db, sql`select count(*) as n from orders where shop_id = ${h.shopId}`)
    expect(Number(n)).toBe(450)
    const [state] = await rows<{ c: Date }>(get().db, sql`select cursor_time as c from sync_state where shop_id = ${h.shopId} and kind = 'orders'`)
    expect(new Date(state.c).getTime()).toBeGreaterThanOrEqual(h.clock.now().getTime()) // moved to the end of the window
  }, 60_000)

  it('reads the buyer requests once every order page is read, and stores them only after the orders', async () => {
    h = await shopHarness(get(), { sim: { seed: 777 } })
    h.sim.generateOrders({ count: 300, days: 5, seed: 11 })
    const deps = h.syncDeps({ options: { pageSize: 50, readAheadPages: 2 } })
    const at: { lastOrderPageRead?: number; firstCancelRead?: number; ordersStored?: number; firstCancelStore?: number } = {}
    const shop = deps.shop
    deps.shop = Object.assign(Object.create(shop), {
      async searchOrders(...a: Parameters<typeof shop.searchOrders>) {
        const p = await shop.searchOrders(...a)
        if (!p.nextPageToken) at.lastOrderPageRead = performance.now()
        return p
      },
      async searchCancellations(...a: Parameters<typeof shop.searchCancellations>) {
        at.firstCancelRead ??= performance.now()
        return shop.searchCancellations(...a)
      },
    })
    const sink = deps.sink
    deps.sink = {
      ...sink,
      async orderPage(shopId, list, flow) {
        await new Promise((ok) => setTimeout(ok, 30)) // storing slower than the shop answers
        return sink.orderPage(shopId, list, flow)
      },
      async ordersSynced(shopId) {
        await sink.ordersSynced(shopId)
        at.ordersStored = performance.now()
      },
      async cancellationPage(shopId, list) {
        at.firstCancelStore ??= performance.now()
        return sink.cancellationPage(shopId, list)
      },
    }
    const r = await syncShop(deps, h.shopId)
    expect(r.ok).toBe(true)
    expect(r.orders).toMatchObject({ seen: 300, stored: 300 })
    expect(r.cancellations.seen).toBeGreaterThan(0)
    expect(r.cancellations.stored).toBeGreaterThan(0)
    // read after the last order page, while the orders still stored; stored once they were
    expect(at.firstCancelRead!).toBeGreaterThanOrEqual(at.lastOrderPageRead!)
    expect(at.firstCancelRead!).toBeLessThan(at.ordersStored!)
    expect(at.firstCancelStore!).toBeGreaterThanOrEqual(at.ordersStored!)
    const [{ n }] = await rows<{ n: string }>(get().db, sql`select count(*) as n from cancellations where shop_id = ${h.shopId}`)
    expect(Number(n)).toBeGreaterThan(0)
  }, 60_000)
})

/**
 * A shop of 60 paid orders, each to be posted (not its first sync), read 50 a page, one page a batch.
 * Once the first page is read, its oldest order is handed over: the listing brings it again, newer,
 * on the last page, so both batches hold it. `listed` is that order as the first page had it.
 */
async function orderOnTwoBatches(database: Database, seed: number) {
  const h = await shopHarness(database, { sim: { seed } })
  const ch = await followingChannel(database.db, { platform: 'console', externalId: `two-${h.shopId}`, shopId: h.shopId })
  await database.db.update(shops).set({ historyBefore: new Date(0), importedAt: new Date(0) }).where(eq(shops.id, h.shopId))
  for (let i = 0; i < 60; i++) {
    const rec = h.sim.state.createOrder({})
    if (rec.o.status === 'ON_HOLD') h.sim.state.releaseHold(rec.o.id)
  }
  const first = [...h.sim.state.orders.values()].sort((x, y) => Number(x.o.update_time) - Number(y.o.update_time) || x.o.id.localeCompare(y.o.id))[0]
  h.clock.advanceMinutes(1) // the change below is then the newest of the listing: it comes on its last page
  const deps = h.syncDeps({ options: { pageSize: 50, readAheadPages: 1 } })
  const shop = Object.create(deps.shop) as typeof deps.shop
  const listed: { first?: unknown } = {}
  let pagesRead = 0
  shop.searchOrders = async (id, q) => {
    const p = await deps.shop.searchOrders(id, q)
    if (++pagesRead === 1) {
      listed.first = p.items.find((o) => o.id === first.o.id)
      h.sim.state.ship(first.o.packages![0].id)
      h.sim.state.collect(first.o.id) // in transit: shipped
    }
    return p
  }
  /** every order stored, the changed one at its newer version; each "new order" message once, and one "shipped" */
  const expectStoredOnce = async () => {
    expect(listed.first).toBeDefined()
    expect(await database.db.$count(orders, eq(orders.shopId, h.shopId))).toBe(60)
    const [stored] = await database.db.select().from(orders).where(eq(orders.id, first.o.id))
    expect(stored.platformStatus).toBe(h.sim.state.order(first.o.id).o.status)
    const keys = (await database.db.select({ k: outbox.dedupeKey }).from(outbox).where(eq(outbox.channelId, ch))).map((m) => m.k)
    expect(keys.filter((k) => k.endsWith(`:new@${ch}`))).toHaveLength(60)
    expect(keys.filter((k) => k.startsWith(`order:${first.o.id}:`)).sort()).toEqual([`order:${first.o.id}:new@${ch}`, `order:${first.o.id}:status:shipped@${ch}`])
  }
  return { h, deps: { ...deps, shop }, listed, expectStoredOnce }
}

describeEachDb('sync with read-ahead: an order on two batches', (get, kind) => {
  let h: ShopHarness | undefined
  afterEach(() => h?.close())

  it('a new order changed between two page reads: the batch holding its newer version waits for the first; stored once, each message once', async () => {
    const t = await orderOnTwoBatches(get(), 77)
    h = t.h
    // the second batch holds an order of the first: it begins once the first has ended
    const sink = t.deps.sink
    let calls = 0
    let firstEnded = false
    let secondBeganAfter: boolean | undefined
    const sinkSlow: typeof sink = {
      ...sink,
      async orderPage(id, list, flow = {}) {
        const n = ++calls
        if (n === 2) secondBeganAfter = firstEnded
        try {
          // the first stores slowly: a second batch that did not wait would begin meanwhile
          if (n === 1) await new Promise((ok) => setTimeout(ok, 100))
          return await sink.orderPage(id, list, flow)
        } finally {
          if (n === 1) firstEnded = true
        }
      },
    }
    const r = await syncShop({ ...t.deps, sink: sinkSlow }, h.shopId)
    expect(r.ok).toBe(true)
    expect(calls).toBe(2)
    expect(secondBeganAfter).toBe(true)
    await t.expectStoredOnce()
  }, 60_000)

  // PGlite has one connection: no writer can come between two batches there
  it.skipIf(kind !== 'postgres')('… and its webhook stores it between the first batch judging it new and writing it: stored once, nothing waits for ever', async () => {
    const t = await orderOnTwoBatches(get(), 79)
    h = t.h
    const sink = t.deps.sink
    let calls = 0
    let secondPlanned!: () => void
    const judged = new Promise<void>((ok) => (secondPlanned = ok))
    const racing: typeof sink = {
      ...sink,
      async orderPage(id, list, flow = {}) {
        const n = ++calls
        if (n === 1)
          return sink.orderPage(id, list, {
            ...flow,
            // once the first batch has judged the order new: a webhook stores it as the first page
            // listed it; then the second batch, which holds its newer version, judges it (and locks
            // its row); only then does the first batch write (and finds the order taken: lost)
            planned: () => void sink.order(id, t.listed.first as never).then(() => flow.planned?.()),
            // (it does not: holding the order too, it begins once this batch has ended, so this one goes
            // on after a while; had it begun, the two would wait on each other)
            mayWrite: Promise.race([judged, new Promise((ok) => setTimeout(ok, 1000))]).then(() => flow.mayWrite),
          })
        if (n === 2) return sink.orderPage(id, list, { ...flow, planned: () => (secondPlanned(), flow.planned?.()) })
        return sink.orderPage(id, list, flow)
      },
    }
    expect((await syncShop({ ...t.deps, sink: racing }, h.shopId)).ok).toBe(true)
    await t.expectStoredOnce()
  }, 60_000)
})

describeEachDb('sync with read-ahead: a batch that fails', (get, kind) => {
  let h: ShopHarness | undefined
  afterEach(() => h?.close())

  it('fails the sync after it has judged its orders: the batches after it write nothing, the next run stores the rest', async () => {
    h = await shopHarness(get(), { sim: { seed: 78 } })
    const shopId = h.shopId
    h.sim.generateOrders({ count: 400, days: 5, seed: 8 })
    const deps = h.syncDeps({ options: { pageSize: 50, readAheadPages: 2 } })
    const sink = deps.sink
    const sizes: number[] = []
    let calls = 0
    let thirdPlanned!: () => void
    const third = new Promise<void>((ok) => (thirdPlanned = ok))
    const failing: typeof sink = {
      ...sink,
      async orderPage(id, list, flow = {}) {
        const n = ++calls
        sizes.push(list.length)
        // the second batch fails once it has judged its orders, before writing them, and (on
        // PostgreSQL) once the third has judged its own and waits for the second to write
        if (n === 2) {
          const wait = kind === 'postgres' ? third : new Promise((ok) => setTimeout(ok, 50)) // one connection: the third waits for the second's end
          const broken = Promise.all([flow.mayWrite, wait]).then(() => Promise.reject(new Error('the disk is full')))
          broken.catch(() => {}) // seen by the page when it comes to write
          return sink.orderPage(id, list, { ...flow, mayWrite: broken })
        }
        if (n === 3) return sink.orderPage(id, list, { ...flow, planned: () => (thirdPlanned(), flow.planned?.()) })
        return sink.orderPage(id, list, flow)
      },
    }
    const r1 = await syncShop({ ...deps, sink: failing }, shopId)
    expect(r1.ok).toBe(false)
    expect(r1.error).toMatch(/the disk is full/)
    if (kind === 'postgres') expect(calls).toBeGreaterThanOrEqual(3) // the third (and maybe a fourth) was under way
    // only the first batch is stored; the cursor is not past it
    const stored = await rows<{ id: string; update_time: Date }>(get().db, sql`select id, update_time from orders where shop_id = ${shopId}`)
    expect(stored).toHaveLength(sizes[0])
    const [state] = await rows<{ c: Date | null; lease: string | null }>(get().db, sql`select cursor_time as c, lease_owner as lease from sync_state where shop_id = ${shopId} and kind = 'orders'`)
    expect(state.lease).toBeNull()
    const newest = Math.max(...stored.map((o) => new Date(o.update_time).getTime()))
    if (state.c) expect(new Date(state.c).getTime()).toBeLessThanOrEqual(newest)
    // the next run stores everything
    const r2 = await syncShop(deps, shopId)
    expect(r2.ok).toBe(true)
    expect(await get().db.$count(orders, eq(orders.shopId, shopId))).toBe(400)
  }, 60_000)
})
