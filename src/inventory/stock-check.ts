/**
 * The stock check of an order (R1): per SKU, available = on hand − units reserved by the shop's
 * other paid, unshipped orders. Each SKU is in stock, short by N, or unknown (no stock recorded).
 * Concurrent checks on the same SKUs are serialised by locking their stock rows.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
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

/** Statuses whose units are still on our shelves, reserved for the buyer. */
export const RESERVING_STATUSES = ['awaiting_shipment', 'cancelling'] as const

/** Units reserved per SKU by the shop's paid, not handed-over orders (except `exceptOrderId`). */
export async function reservedUnits(tx: Executor, shopId: string, skus: string[], exceptOrderId?: string): Promise<Map<string, number>> {
  if (!skus.length) return new Map()
  const res = await rows<{ sku: string; n: number | string }>(
    tx,
    sql`select coalesce(nullif(li.seller_sku, ''), li.sku_id) as sku, count(*) as n
        from ${orderLineItems} li join ${orders} o on o.id = li.order_id
        where o.shop_id = ${shopId} and o.status in ('awaiting_shipment', 'cancelling') and o.handed_over_at is null
          and o.id <> ${exceptOrderId ?? ''}
          and coalesce(nullif(li.seller_sku, ''), li.sku_id) in (${sql.join(skus.map((s) => sql`${s}`), sql`, `)})
        group by 1`,
  )
  return new Map(res.map((r) => [r.sku, Number(r.n)]))
}

export async function checkOrderStock(tx: Executor, orderId: string): Promise<StockCheck> {
  const [order] = await tx.select({ shopId: orders.shopId }).from(orders).where(eq(orders.id, orderId))
  if (!order) return { ok: false, lines: [] }
  const items = await tx.select().from(orderLineItems).where(eq(orderLineItems.orderId, orderId)).orderBy(orderLineItems.id)
  const wanted = new Map<string, StockLine>()
  for (const li of items) {
    const key = skuKey(li)
    const line = wanted.get(key) ?? { sellerSku: key, skuId: li.skuId, name: li.productName, quantity: 0, result: 'unknown', onHand: null, available: null, shortBy: 0 }
    line.quantity++
    wanted.set(key, line)
  }
  const skus = [...wanted.keys()].sort()
  const levels = skus.length
    ? await tx
        .select()
        .from(stockLevels)
        .where(and(eq(stockLevels.shopId, order.shopId), inArray(stockLevels.sellerSku, skus)))
        .orderBy(stockLevels.sellerSku)
        .for('update')
    : []
  const onHand = new Map(levels.map((l) => [l.sellerSku, l.onHand]))
  const reserved = await reservedUnits(tx, order.shopId, skus, orderId)
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

/** Runs the check and stores it on the order. */
export async function storeStockCheck(tx: Executor, orderId: string, now: Date): Promise<StockCheck> {
  const check = await checkOrderStock(tx, orderId)
  await tx.update(orders).set({ stockCheck: check, stockCheckedAt: now }).where(eq(orders.id, orderId))
  return check
}
