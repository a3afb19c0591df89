/**
 * The stock check of an order (R1): per SKU, available = on hand − units reserved by the shop's
 * other paid, unshipped orders. Each SKU is in stock, short by N, or unknown (no stock recorded).
 * Concurrent checks on the same SKUs are serialised by locking their stock rows.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import type { Executor } from '../../db/database.js'
import { rows } from '../../db/database.js'
import { orderLineItems, orders, stockLevels } from '../../db/schema.js'

export interface StockLine {
  sellerSku: string
  skuId: string
  name: string
  quantity: number
  result: 'in_stock' | 'short' | 'unknown'
  onHand: number | null
  available: number | null
  shortBy: number
}

export interface StockCheck {
  ok: boolean
  lines: StockLine[]
}

/** Seller SKU, or the platform SKU id when the seller gave none. */
export const skuKey = (li: { sellerSku: string; skuId: string }) => li.sellerSku || li.skuId

/** skuKey in SQL, of a line item aliased `li`. */
export const LINE_SKU = sql`coalesce(nullif(li.seller_sku, ''), li.sku_id)`

/** Line items in line-item id order (the order an order's items are read and checked in). */
export const inLineItemOrder = <T extends { id: string }>(items: T[]): T[] => [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/** Statuses whose units are still on our shelves, reserved for the buyer. */
export const RESERVING_STATUSES = ['awaiting_shipment', 'cancelling'] as const

/** An order `o` (as aliased in the query) holds units on our shelves: reservesStock, in SQL. */
export const HOLDS_STOCK = sql.raw(`o.status in (${RESERVING_STATUSES.map((st) => `'${st}'`).join(', ')}) and o.handed_over_at is null`)

/** Units reserved per SKU by the shop's paid, not handed-over orders that `which` (on `o`) lets through. */
async function reservedWhere(tx: Executor, shopId: string, skus: string[], which: SQL): Promise<Map<string, number>> {
  if (!skus.length) return new Map()
  const res = await rows<{ sku: string; n: number | string }>(
    tx,
    sql`select ${LINE_SKU} as sku, count(*) as n
        from ${orderLineItems} li join ${orders} o on o.id = li.order_id
        where o.shop_id = ${shopId} and ${HOLDS_STOCK} and ${which}
          and ${anyOf(LINE_SKU, skus)}
        group by 1`,
  )
  return new Map(res.map((r) => [r.sku, Number(r.n)]))
}

/** Units reserved per SKU by the shop's paid, not handed-over orders (except `exceptOrderId`). */
export const reservedUnits = (tx: Executor, shopId: string, skus: string[], exceptOrderId?: string): Promise<Map<string, number>> =>
  reservedWhere(tx, shopId, skus, sql`o.id <> ${exceptOrderId ?? ''}`)

/**
 * Units per SKU held by the shop's open orders paid before this one: what stock goes to first, as
 * ordersHolding counts it (an order paid later does not take this one's units).
 */
const reservedBefore = (tx: Executor, shopId: string, skus: string[], orderId: string): Promise<Map<string, number>> =>
  reservedWhere(tx, shopId, skus, sql`(o.paid_time, o.create_time, o.id) < (select paid_time, create_time, id from ${orders} where id = ${orderId})`)

/** An open order holding units of a SKU, in the order stock goes out: first paid, first served. */
export interface HoldingOrder {
  orderId: string
  units: number
  packByAt: Date | null
  /** `cancelling`: the buyer asked to cancel (accepting frees its units) */
  status: string
  /** units of the SKU held by this order and the ones before it */
  running: number
}

/**
 * The shop's open orders holding units of the SKUs `which` lets through (on LINE_SKU), per SKU and order,
 * first paid first, with the units held by the order and those before it (`running`) and how many
 * orders hold the SKU (`total`): stock goes to the first paid.
 */
const holdingRuns = (shopId: string, which: SQL) =>
  sql`select h.*, sum(units) over w as running, count(*) over (partition by sku) as total
      from (select ${LINE_SKU} as sku, o.id, count(*) as units, o.paid_time, o.create_time, o.pack_by_at, o.status
            from ${orderLineItems} li join ${orders} o on o.id = li.order_id
            where o.shop_id = ${shopId} and ${HOLDS_STOCK} and ${which}
            group by 1, o.id) h
      window w as (partition by sku order by paid_time nulls last, create_time, id)`

type HoldingRow = { id: string; units: number | string; pack_by_at: Date | string | null; status: string; running: number | string }
const toHolding = (r: HoldingRow): HoldingOrder => ({
  orderId: r.id,
  units: Number(r.units),
  packByAt: r.pack_by_at === null ? null : new Date(r.pack_by_at),
  status: r.status,
  running: Number(r.running),
})

/**
 * The shop's open orders that hold units of `sku` (the ones reservedUnits counts), first paid first,
 * at most `limit`, and how many there are in all: which ones the stock on hand covers, and which not.
 */
export async function ordersHolding(db: Executor, shopId: string, sku: string, limit: number): Promise<{ list: HoldingOrder[]; total: number }> {
  const res = await rows<HoldingRow & { total: number | string }>(
    db,
    sql`select * from (${holdingRuns(shopId, sql`${LINE_SKU} = ${sku}`)}) r order by paid_time nulls last, create_time, id limit ${limit}`,
  )
  return { list: res.map(toHolding), total: res.length ? Number(res[0].total) : 0 }
}

/** A SKU's units on hand before and after a change. */
export interface OnHandChange {
  sku: string
  before: number
  after: number
}

/** An open order whose cover a change moved: covered now (`gained`), or no longer. */
export interface CoverMoved extends HoldingOrder {
  sku: string
  gained: boolean
}

/**
 * The shop's open orders whose cover these changes of the units on hand moved, first paid first:
 * stock goes to the first paid (ordersHolding), so for a SKU from `before` to `after` units they are
 * those whose running total lies between the two (units came in: they can be packed now; went out:
 * no longer). An order moved on two SKUs comes once per SKU.
 */
export async function ordersCoverMoved(db: Executor, shopId: string, changes: OnHandChange[]): Promise<CoverMoved[]> {
  const moved = changes.filter((c) => c.before !== c.after).map((c) => ({ sku: c.sku, lo: Math.min(c.before, c.after), hi: Math.max(c.before, c.after), gained: c.after > c.before }))
  if (!moved.length) return []
  const res = await rows<HoldingRow & { sku: string; gained: boolean }>(
    db,
    sql`with ch as (select * from jsonb_to_recordset(${JSON.stringify(moved)}::jsonb) as c(sku text, lo int, hi int, gained boolean))
        select r.*, ch.gained
        from (${holdingRuns(shopId, sql`${LINE_SKU} in (select sku from ch)`)}) r join ch on ch.sku = r.sku
        where r.running > ch.lo and r.running <= ch.hi
        order by r.paid_time nulls last, r.create_time, r.id, r.sku`,
  )
  return res.map((r) => ({ ...toHolding(r), sku: r.sku, gained: r.gained }))
}

/** A line item as the stock check reads it. */
export type StockItem = { id: string; sellerSku: string; skuId: string; productName: string }

/** Does an order in this state hold units on our shelves for its buyer? */
export const reservesStock = (status: string, handedOverAt: Date | null | undefined): boolean =>
  (RESERVING_STATUSES as readonly string[]).includes(status) && !handedOverAt

/** Units per SKU of a list of line items. */
export function unitsBySku(items: { sellerSku: string; skuId: string }[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const li of items) m.set(skuKey(li), (m.get(skuKey(li)) ?? 0) + 1)
  return m
}

/** The check itself: the order's items (in line-item id order) against stock on hand and units reserved by other orders. */
export function evaluateStock(items: StockItem[], onHand: Map<string, number>, reserved: Map<string, number>): StockCheck {
  const wanted = new Map<string, StockLine>()
  for (const li of inLineItemOrder(items)) {
    const key = skuKey(li)
    const line = wanted.get(key) ?? { sellerSku: key, skuId: li.skuId, name: li.productName, quantity: 0, result: 'unknown', onHand: null, available: null, shortBy: 0 }
    line.quantity++
    wanted.set(key, line)
  }
  let ok = true
  for (const line of wanted.values()) {
    const have = onHand.get(line.sellerSku)
    if (have === undefined) {
      ok = false
      continue
    }
    line.onHand = have
    line.available = have - (reserved.get(line.sellerSku) ?? 0)
    line.shortBy = Math.max(0, line.quantity - Math.max(0, line.available))
    line.result = line.shortBy > 0 ? 'short' : 'in_stock'
    if (line.shortBy > 0) ok = false
  }
  return { ok, lines: [...wanted.values()] }
}

/** Stock on hand of the shop's SKUs, the rows locked (in SKU order) so concurrent checks serialise. */
async function lockOnHand(tx: Executor, shopId: string, skus: string[]): Promise<Map<string, number>> {
  if (!skus.length) return new Map()
  const levels = await tx
    .select({ sellerSku: stockLevels.sellerSku, onHand: stockLevels.onHand })
    .from(stockLevels)
    .where(and(eq(stockLevels.shopId, shopId), anyOf(stockLevels.sellerSku, skus)))
    .orderBy(stockLevels.sellerSku)
    .for('update')
  return new Map(levels.map((l) => [l.sellerSku, l.onHand]))
}

/**
 * How the units an order needs stand: `others` (when it arrives) counts what every other open order
 * holds; `first_paid` (after a change of stock) what the orders paid before it hold.
 */
export type CheckBasis = 'others' | 'first_paid'

export async function checkOrderStock(tx: Executor, orderId: string, basis: CheckBasis = 'others'): Promise<StockCheck> {
  const [order] = await tx.select({ shopId: orders.shopId }).from(orders).where(eq(orders.id, orderId))
  if (!order) return { ok: false, lines: [] }
  const items = await tx.select().from(orderLineItems).where(eq(orderLineItems.orderId, orderId))
  const skus = [...unitsBySku(items).keys()]
  const onHand = await lockOnHand(tx, order.shopId, skus)
  const reserved = basis === 'others' ? await reservedUnits(tx, order.shopId, skus, orderId) : await reservedBefore(tx, order.shopId, skus, orderId)
  return evaluateStock(items, onHand, reserved)
}

/** Runs the check and stores it on the order. */
export async function storeStockCheck(tx: Executor, orderId: string, now: Date, basis: CheckBasis = 'others'): Promise<StockCheck> {
  const check = await checkOrderStock(tx, orderId, basis)
  await tx.update(orders).set({ stockCheck: check, stockCheckedAt: now }).where(eq(orders.id, orderId))
  return check
}

/** One order of a page, for checks made as if the page were stored one order after another. */
export interface PageStockEntry {
  orderId: string
  /** its line items after the page */
  items: StockItem[]
  /** units per SKU it reserved before the page, and reserves after it */
  before: Map<string, number>
  after: Map<string, number>
  /** check this order (it became paid and is to be shipped) */
  check: boolean
}

/**
 * Stock checks for the orders of a page that need one, each seeing what it would have seen had the
 * page been stored one order at a time in page order: the orders before it as they are now, the
 * orders after it as they were. Call after the page is written; locks the stock rows of the page's
 * SKUs until the transaction ends. storeStockChecks stores them.
 */
export async function pageStockChecks(tx: Executor, shopId: string, page: PageStockEntry[]): Promise<Map<string, StockCheck>> {
  const out = new Map<string, StockCheck>()
  const skus = [...new Set(page.filter((e) => e.check).flatMap((e) => e.items.map(skuKey)))]
  if (!skus.length) return out
  // sent together, run in turn: the database reads the reservations once it holds the stock rows' locks
  const [onHand, reservedNow] = await Promise.all([lockOnHand(tx, shopId, skus), reservedUnits(tx, shopId, skus)])
  // walking back from the end: `later` = what the orders after this one changed (after − before)
  const later = new Map<string, number>()
  for (let i = page.length - 1; i >= 0; i--) {
    const e = page[i]
    if (e.check) {
      const reserved = new Map<string, number>()
      for (const sku of unitsBySku(e.items).keys()) reserved.set(sku, (reservedNow.get(sku) ?? 0) - (e.after.get(sku) ?? 0) - (later.get(sku) ?? 0))
      out.set(e.orderId, evaluateStock(e.items, onHand, reserved))
    }
    for (const [sku, n] of e.after) later.set(sku, (later.get(sku) ?? 0) + n)
    for (const [sku, n] of e.before) later.set(sku, (later.get(sku) ?? 0) - n)
  }
  return out
}

/** Stores stock checks on their orders (one statement). */
export async function storeStockChecks(tx: Executor, checks: Map<string, StockCheck>, now: Date): Promise<void> {
  if (!checks.size) return
  const list = [...checks].map(([id, c]) => ({ id, c }))
  await tx.execute(sql`update ${orders} o set stock_check = v.c, stock_checked_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(list)}::jsonb) as v(id text, c jsonb) where o.id = v.id`)
}

/** Units per SKU each of these orders reserves now (read before a page rewrites their items). */
export async function reservedByOrders(tx: Executor, orderIds: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>()
  if (!orderIds.length) return out
  const res = await tx
    .select({ orderId: orderLineItems.orderId, sellerSku: orderLineItems.sellerSku, skuId: orderLineItems.skuId })
    .from(orderLineItems)
    .where(anyOf(orderLineItems.orderId, orderIds))
  const byOrder = new Map<string, typeof res>()
  for (const r of res) {
    const list = byOrder.get(r.orderId)
    if (list) list.push(r)
    else byOrder.set(r.orderId, [r])
  }
  for (const [id, items] of byOrder) out.set(id, unitsBySku(items))
  return out
}
