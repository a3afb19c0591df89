/**
 * The sync's fast path (pages read ahead and stored in batches, two batches overlapping, page use
 * cases) must leave exactly what the reference path leaves (one record at a time through
 * processPlatformOrder / processPlatformCancellation, one page after another). Two databases, two
 * simulators with the same seed and the same orders (the same shop), a chat following the shop and
 * stock set so that some checks come out short; history imported by the first sync, then a week of
 * new orders; every stored row is compared.
 */
import { asc, sql } from 'drizzle-orm'
import { afterAll, expect, it } from 'vitest'
import type { Database } from '../../db/database.js'
import { cancellations, channelShops, channels, orderLineItems, orderPackages, orders, outbox, packages, stockLevels } from '../../db/schema.js'
import { syncShop } from '../../src/shop/sync.js'
import { defaultCatalog } from '../../src/shop/simulator/catalog.js'
import { describeEachDb, freshDatabase } from '../support/db.js'
import { shopHarness, type ShopHarness } from './harness.js'

async function syncInto(database: Database, fast: boolean): Promise<ShopHarness> {
  const h = await shopHarness(database, { sim: { seed: 9191 } })
  // history: orders paid before the shop's first sync, imported quietly and summed up once
  h.sim.generateOrders({ count: 100, days: 3, seed: 11 })
  const [ch] = await database.db.insert(channels).values({ platform: 'console', externalId: `eq-${fast}` }).returning()
  await database.db.insert(channelShops).values({ channelId: ch.id, shopId: h.shopId, linkedBy: 'test' })
  // a few units of every SKU: the early orders find stock, the later ones find it short
  const skus = defaultCatalog().flatMap((p) => p.skus.map((s) => s.sellerSku))
  await database.db.insert(stockLevels).values(skus.map((sellerSku, i) => ({ shopId: h.shopId, sellerSku, onHand: 3 + (i % 4) * 5 })))
  const deps = h.syncDeps({ options: fast ? { pageSize: 40, readAheadPages: 3 } : { pageSize: 40, batch: false } })
  if (fast) {
    const sink = deps.sink
    // each batch holds its transaction open a while after writing its orders (before its checks and
    // messages): the next batch starts meanwhile, so every pair of batches overlaps
    // messages): the next batch starts meanwhile, so every pair of batches overlaps, and the later
    // batch of a pair is the first ready for its checks (its pause is shorter)
    let n = 0
    deps.sink = {
      ...sink,
      orderPage(shopId, list, flow) {
        const pause = n++ % 2 === 0 ? 60 : 5
        const after = Promise.resolve(flow?.after).then(() => new Promise((ok) => setTimeout(ok, pause)))
        return sink.orderPage(shopId, list, { written: flow?.written, after })
      },
    }
  }
  expect((await syncShop(deps, h.shopId)).ok).toBe(true)
  // a week on, orders paid since the first sync: each posted
  h.clock.advanceMinutes(7 * 24 * 60)
  h.sim.generateOrders({ count: 600, days: 6, seed: 12 })
  const r = await syncShop(deps, h.shopId)
  expect(r.ok).toBe(true)
  return h
}

async function snapshot(database: Database) {
  const { db } = database
  const stamp = <T extends Record<string, unknown>>(list: T[], drop: string[]) => list.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))))
  return {
    orders: stamp(await db.select().from(orders).orderBy(asc(orders.id)), ['createdAt', 'updatedAt', 'stockCheckedAt', 'labelPrintedAt', 'packedAt']),
    items: await db.select().from(orderLineItems).orderBy(asc(orderLineItems.id)),
    packages: stamp(await db.select().from(packages).orderBy(asc(packages.id)), ['createdAt', 'updatedAt']),
    links: await db.select().from(orderPackages).orderBy(asc(orderPackages.orderId), asc(orderPackages.packageId)),
    cancellations: stamp(await db.select().from(cancellations).orderBy(asc(cancellations.id)), ['createdAt', 'updatedAt']),
    outbox: (await db.select().from(outbox).orderBy(asc(outbox.dedupeKey))).map((m) => ({ key: m.dedupeKey.replace(/@\d+$/, ''), kind: m.kind, ref: m.refKey, payload: m.payload })),
    // messages of one order in the order they were queued
    order: (await db.select({ k: outbox.dedupeKey }).from(outbox).orderBy(asc(outbox.id))).map((m) => m.k.replace(/@\d+$/, '')),
  }
}

describeEachDb('sync fast path = reference path', (get, kind) => {
  let other: Database | undefined
  afterAll(() => other?.close())

  it('orders, stock checks, items, packages, links, requests and messages are the same', async () => {
    other = await freshDatabase(kind)
    const fast = await syncInto(get(), true)
    const slow = await syncInto(other, false)
    try {
      const a = await snapshot(get())
      const b = await snapshot(other)
      expect(a.orders.length).toBe(700)
      expect(a.outbox.length).toBeGreaterThan(50)
      // the history was summed up once, and none of it was posted order by order
      expect(a.outbox.filter((m) => m.key.startsWith('import:'))).toHaveLength(1)
      const history = new Set(a.orders.filter((o) => o.paidTime && (o.paidTime as Date) < new Date('2026-11-20T10:00:00Z')).map((o) => o.id))
      expect(history.size).toBeGreaterThan(10)
      expect(a.outbox.filter((m) => m.key.endsWith(':new') && history.has(m.key.split(':')[1]))).toEqual([])
      expect(a.orders.filter((o) => (o.stockCheck as { ok?: boolean } | null)?.ok === false).length).toBeGreaterThan(0)
      expect(a.orders.filter((o) => (o.stockCheck as { ok?: boolean } | null)?.ok === true).length).toBeGreaterThan(0)
      expect(a.orders).toEqual(b.orders)
      expect(a.items).toEqual(b.items)
      expect(a.packages).toEqual(b.packages)
      expect(a.links).toEqual(b.links)
      expect(a.cancellations).toEqual(b.cancellations)
      expect(a.outbox).toEqual(b.outbox)
      // every order's messages in the same order (posts before their edits)
      const perRef = (keys: string[]) => keys.reduce<Record<string, string[]>>((m, k) => ((m[k.split(':').slice(0, 2).join(':')] ??= []).push(k), m), {})
      expect(perRef(a.order)).toEqual(perRef(b.order))
      const [{ n }] = await get().db.execute<{ n: number }>(sql`select count(*)::int as n from orders`).then((r) => [...(r as unknown as { n: number }[])])
      expect(n).toBe(700)
    } finally {
      await fast.close()
      await slow.close()
    }
  }, 240_000)
})
