/**
 * The page use case (processPlatformOrderPage, what the pull sync runs) must leave exactly what
 * storing the same orders one by one through processPlatformOrder leaves: orders, marks, stock
 * checks, line items, packages, closed requests and outbox messages. Two shops get the same seeded
 * stream of order versions (new, paid, released from hold, shipped, cancelled with and without a
 * pending buyer request, repeats, older versions, a page with an id twice, a malformed order), shop A
 * one order at a time, shop B a page at a time, and every stored row is compared.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm'
import { beforeAll, expect, it } from 'vitest'
import { rows } from '../../db/database.js'
import { cancellations, channelShops, channels, orderLineItems, orderPackages, orders, outbox, packages, shops, stockLevels } from '../../db/schema.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import { ManualClock } from '../../src/shared/clock.js'
import { isAppError } from '../../src/shared/errors.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { PlatformCancellation } from '../../src/shop/port.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrderPage } from '../../src/workflow/process-order-page.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seededRandom as rng, seedShop, uniqueId } from '../support/fixtures.js'

const START = Date.parse('2026-11-01T00:00:00Z')
const SKUS = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', 'SKU-E', '']

type Step = { kind: 'order'; o: unknown } | { kind: 'request'; c: PlatformCancellation }

const LIVES: string[][] = [
  ['UNPAID', 'ON_HOLD', 'AWAITING_SHIPMENT', 'AWAITING_COLLECTION', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED'],
  ['AWAITING_SHIPMENT', 'IN_TRANSIT', 'COMPLETED'],
  ['UNPAID', 'CANCELLED'],
  ['ON_HOLD', 'CANCELLED'],
  ['AWAITING_SHIPMENT', 'REQUEST', 'CANCELLED'],
  ['AWAITING_SHIPMENT', 'REQUEST', 'IN_TRANSIT'],
  ['AWAITING_SHIPMENT', 'AWAITING_COLLECTION'],
  ['COMPLETED'],
  ['IN_TRANSIT', 'DELIVERED'],
  // the buyer's request is stored before the order is first seen: its "new order" message carries Accept / Reject
  ['EARLY_REQUEST', 'AWAITING_SHIPMENT', 'CANCELLED'],
]

/**
 * A seeded stream of order versions for one shop, as pages (ids carry `prefix`, so the two shops
 * hold the same orders under different ids), with the buyer requests that arrive between pages.
 */
function stream(seed: number, prefix: string, count = 70, pageSize = 9): Step[][] {
  const r = rng(seed)
  const versions: { at: number; o?: PlatformOrder; request?: PlatformCancellation }[] = []
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${String(i).padStart(6, '0')}`
    const life = LIVES[Math.floor(r() * LIVES.length)]
    const items = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => {
      const sku = SKUS[Math.floor(r() * SKUS.length)]
      return { id: `${id}L${k}`, sku_id: `17${sku.slice(-1) || 'Z'}`, seller_sku: sku, product_name: `Product ${sku}`, sku_name: 'v', sale_price: '10.00', original_price: '12.00', currency: 'USD', package_id: r() < 0.5 ? `${id}P${k % 2}` : undefined }
    })
    let at = START + Math.floor(r() * 5 * 86_400_000)
    const created = at
    let buyerRequest = false
    for (const step of life) {
      at += 60_000 + Math.floor(r() * 6 * 3_600_000)
      if (step === 'REQUEST' || step === 'EARLY_REQUEST') {
        buyerRequest = true
        const sec = Math.floor(at / 1000)
        versions.push({
          at,
          o: step === 'REQUEST' ? mk(id, 'AWAITING_SHIPMENT', created, at, items, true) : undefined,
          request: { cancel_id: `${id}C`, order_id: id, cancel_type: 'BUYER_CANCEL', role: 'BUYER', cancel_status: 'CANCELLATION_REQUEST_PENDING', cancel_reason: 'No longer needed', create_time: sec, update_time: sec, seller_next_action_response: [{ action: 'RESPOND_CANCELLATION', deadline: sec + 48 * 3600 }] },
        })
        continue
      }
      versions.push({ at, o: mk(id, step, created, at, items, buyerRequest && step === 'AWAITING_SHIPMENT') })
    }
  }
  const idOf = (v: (typeof versions)[number]) => v.o?.id ?? v.request!.order_id
  versions.sort((a, b) => a.at - b.at || idOf(a).localeCompare(idOf(b)))
  const orderVersions = versions.flatMap((v) => (v.o ? [v.o] : []))
  const pages: Step[][] = []
  for (let i = 0; i < versions.length; i += pageSize) {
    const page: Step[] = []
    for (const v of versions.slice(i, i + pageSize)) {
      if (v.o) page.push({ kind: 'order', o: v.o })
      if (v.request) {
        if (page.length) pages.push(page.splice(0))
        pages.push([{ kind: 'request', c: v.request }])
      }
    }
    // repeats and older versions, as an overlapping sync window re-reads them
    if (i > pageSize * 2 && r() < 0.5) page.push({ kind: 'order', o: orderVersions[Math.floor(r() * Math.min(i, orderVersions.length))] })
    if (page.length) pages.push(page)
  }
  // a page holding one order twice (older then newer), and a page with a malformed order in it
  const late = orderVersions[orderVersions.length - 1]
  pages.push([{ kind: 'order', o: late }, { kind: 'order', o: { ...late, update_time: late.update_time + 60, status: 'COMPLETED' } }])
  pages.push([{ kind: 'order', o: { id: `${prefix}bad`, status: 'UNPAID' } }, { kind: 'order', o: mk(`${prefix}zz`, 'AWAITING_SHIPMENT', START, START + 9 * 86_400_000, [{ id: `${prefix}zzL0`, sku_id: '17A', seller_sku: 'SKU-A' }], false) }])
  return pages
}

function mk(id: string, status: string, created: number, at: number, items: PlatformOrder['line_items'], request: boolean): PlatformOrder {
  const paid = status === 'UNPAID' ? null : created + 30_000
  const sec = (ms: number | null) => (ms === null ? undefined : Math.floor(ms / 1000))
  const shipped = ['IN_TRANSIT', 'DELIVERED', 'COMPLETED'].includes(status)
  return platformOrder({
    id,
    status,
    create_time: sec(created)!,
    paid_time: sec(paid) as number,
    update_time: sec(at)!,
    is_buyer_request_cancel: request,
    collection_time: shipped ? sec(created + 3 * 3_600_000) : undefined,
    cancel_time: status === 'CANCELLED' ? sec(at) : undefined,
    tracking_number: shipped ? `TRK${id}` : '',
    packages: (items ?? []).filter((li) => li.package_id).map((li) => ({ id: li.package_id! })),
    line_items: items,
  })
}

describeEachDb('a page of orders stores what one order at a time stores', (get) => {
  const clock = new ManualClock('2026-11-08T00:00:00Z')
  const deps = () => ({ db: get().db, clock, logger: silentLogger })
  const shop = { A: '', B: '' }
  const chan = { A: 0, B: 0 }

  beforeAll(async () => {
    const { db } = get()
    for (const k of ['A', 'B'] as const) {
      shop[k] = (await seedShop(db, { name: 'Same name 同名店铺' })).id
      const [c] = await db.insert(channels).values({ platform: 'telegram', externalId: uniqueId('-100'), locale: 'zh-CN' }).returning()
      chan[k] = c.id
      await db.insert(channelShops).values({ channelId: c.id, shopId: shop[k], linkedBy: 'test' })
      // little stock, so checks come out short depending on what came before; SKU-E has no stock row (unknown)
      await db.insert(stockLevels).values(['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', '17Z'].map((s, i) => ({ shopId: shop[k], sellerSku: s, onHand: 2 + i })))
    }
  })

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: orders, stock checks, items, packages, requests and messages are the same`, async () => {
      const { db } = get()
      const a = stream(seed, `A${seed}x`)
      const b = stream(seed, `B${seed}x`)
      expect(a.length).toBe(b.length)
      let rejectedA = 0
      let rejectedB = 0
      for (let i = 0; i < a.length; i++) {
        clock.advanceMinutes(5)
        if (a[i][0].kind === 'request') {
          await processPlatformCancellation(deps(), shop.A, (a[i][0] as { c: PlatformCancellation }).c)
          await processPlatformCancellation(deps(), shop.B, (b[i][0] as { c: PlatformCancellation }).c)
          continue
        }
        for (const s of a[i]) {
          try {
            await processPlatformOrder(deps(), shop.A, (s as { o: unknown }).o)
          } catch (err) {
            if (!isAppError(err, 'bad_input')) throw err
            rejectedA++
          }
        }
        const r = await processPlatformOrderPage(deps(), shop.B, b[i].map((s) => (s as { o: unknown }).o))
        rejectedB += r.rejected.length
      }
      expect(rejectedB).toBe(1)
      expect(rejectedB).toBe(rejectedA)

      const norm = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll(`B${seed}x`, `A${seed}x`).replaceAll(`"${shop.B}"`, `"${shop.A}"`).replaceAll(`@${chan.B}`, `@${chan.A}`))
      const byPrefix = async (k: 'A' | 'B') => {
        const os = await db.select().from(orders).where(eq(orders.shopId, shop[k])).orderBy(asc(orders.id))
        const mine = os.filter((o) => o.id.startsWith(`${k}${seed}x`))
        const ids = mine.map((o) => o.id)
        const items = await db.select().from(orderLineItems).where(inArray(orderLineItems.orderId, ids)).orderBy(asc(orderLineItems.id))
        const links = await db.select().from(orderPackages).where(inArray(orderPackages.orderId, ids)).orderBy(asc(orderPackages.orderId), asc(orderPackages.packageId))
        const pkgs = await db.select({ id: packages.id, status: packages.status, tracking: packages.trackingNumber, carrier: packages.shippingProviderName }).from(packages).where(inArray(packages.id, links.map((l) => l.packageId))).orderBy(asc(packages.id))
        const reqs = await db.select().from(cancellations).where(inArray(cancellations.orderId, ids)).orderBy(asc(cancellations.id))
        const msgs = await db.select({ dedupeKey: outbox.dedupeKey, kind: outbox.kind, refKey: outbox.refKey, payload: outbox.payload }).from(outbox).where(eq(outbox.channelId, chan[k])).orderBy(asc(outbox.dedupeKey))
        return {
          orders: mine.map(({ createdAt: _c, updatedAt: _u, shopId: _s, ...o }) => o),
          items,
          links,
          pkgs,
          reqs: reqs.map(({ createdAt: _c, shopId: _s, ...c }) => c),
          msgs: msgs.filter((m) => m.dedupeKey.includes(`${k}${seed}x`)),
        }
      }
      const [gotA, gotB] = [await byPrefix('A'), await byPrefix('B')]
      // the stream exercised every branch
      expect(gotA.orders.length).toBeGreaterThan(60)
      expect(gotA.orders.some((o) => (o.stockCheck as { ok: boolean } | null)?.ok === false)).toBe(true)
      expect(gotA.orders.some((o) => (o.stockCheck as { ok: boolean } | null)?.ok === true)).toBe(true)
      expect(gotA.msgs.some((m) => m.dedupeKey.includes(':new@'))).toBe(true)
      expect(gotA.msgs.some((m) => m.dedupeKey.includes(':status:'))).toBe(true)
      expect(gotA.msgs.some((m) => m.dedupeKey.includes(':released@'))).toBe(true)
      // a new order whose buyer had already asked to cancel: its message offers Accept / Reject
      expect(gotA.msgs.some((m) => m.dedupeKey.includes(':new@') && JSON.stringify(m.payload).includes('cancel.accept'))).toBe(true)
      expect(gotA.reqs.some((c) => c.state === 'rejected') && gotA.reqs.some((c) => c.state === 'completed')).toBe(true)
      expect(norm(gotB.orders)).toEqual(norm(gotA.orders))
      expect(norm(gotB.items)).toEqual(norm(gotA.items))
      expect(norm(gotB.links)).toEqual(norm(gotA.links))
      expect(norm(gotB.pkgs)).toEqual(norm(gotA.pkgs))
      expect(norm(gotB.reqs)).toEqual(norm(gotA.reqs))
      expect(norm(gotB.msgs)).toEqual(norm(gotA.msgs))
    }, 120_000)
  }

  // on the embedded database the page's write leaves PostgreSQL's row-by-row key checks out (writePrepared):
  // what the pages above wrote must still name only rows that are there
  it('no row the pages wrote names an order, package or shop that is not there', async () => {
    const { db } = get()
    const orphans = await rows<{ n: number }>(
      db,
      sql`select (select count(*) from ${orders} o where not exists (select 1 from ${shops} s where s.id = o.shop_id))
        + (select count(*) from ${orderLineItems} li where not exists (select 1 from ${orders} o where o.id = li.order_id))
        + (select count(*) from ${orderPackages} l where not exists (select 1 from ${orders} o where o.id = l.order_id)
            or not exists (select 1 from ${packages} p where p.id = l.package_id))
        + (select count(*) from ${packages} p where not exists (select 1 from ${shops} s where s.id = p.shop_id)) as n`,
    )
    expect(Number(orphans[0].n)).toBe(0)
    const [{ n: written }] = await rows<{ n: number }>(db, sql`select count(*) as n from ${orderLineItems} li join ${orderPackages} l using (order_id)`)
    expect(Number(written)).toBeGreaterThan(100)
  })
})
