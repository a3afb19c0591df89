/**
 * How fast SKUs sell: units a day over the last SALES_DAYS days (line items of the shop's orders
 * paid then and not cancelled), and how many days the stock available lasts at that pace: what
 * `/stock` warns of before a SKU runs short.
 */
import { sql, type SQL } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import { rows, type Executor } from '../../db/database.js'
import { orderLineItems, orders, stockLevels } from '../../db/schema.js'
import { HOLDS_STOCK, LINE_SKU } from './stock-check.js'

/** the days the pace is read over */
export const SALES_DAYS = 14
/** a SKU with fewer days of sales left than this is running low */
export const LOW_DAYS = 3

/** Units sold a day per shop and SKU (`shop_id`, `sku`, `per_day`) over the SALES_DAYS before `now`, of the shops `which` lets through. */
const soldPerDay = (now: Date, which: SQL) =>
  sql`select o.shop_id, ${LINE_SKU} as sku, count(*)::float8 / ${SALES_DAYS} as per_day
      from ${orderLineItems} li join ${orders} o on o.id = li.order_id
      where ${which} and o.paid_time >= ${new Date(now.getTime() - SALES_DAYS * 86_400_000).toISOString()}::timestamptz and o.status <> 'cancelled'
      group by 1, 2`

/** Units a day of each of these SKUs (SKUs that did not sell are left out). */
export async function dailySales(db: Executor, shopId: string, skus: string[], now: Date): Promise<Map<string, number>> {
  if (!skus.length) return new Map()
  const res = await rows<{ sku: string; per_day: number | string }>(db, sql`select sku, per_day from (${soldPerDay(now, sql`o.shop_id = ${shopId} and ${anyOf(LINE_SKU, skus)}`)}) s`)
  return new Map(res.map((r) => [r.sku, Number(r.per_day)]))
}

/** Days the units available last at `perDay` (Infinity for a SKU that did not sell). */
export const daysLeft = (available: number, perDay: number | undefined): number => (perDay ? Math.max(0, available) / perDay : Infinity)

/** A pace or a number of days as a person reads it: one decimal below 10, whole above. */
export const roughly = (n: number): string => (n < 10 ? String(Math.round(n * 10) / 10) : String(Math.round(n)))

/**
 * Per shop, how many SKUs with stock recorded are running low: enough for the open orders that hold
 * them, but not for LOW_DAYS more at the pace of the last SALES_DAYS (as /stock lists them).
 */
export async function lowStockCounts(db: Executor, shopIds: string[], now: Date): Promise<Map<string, number>> {
  if (!shopIds.length) return new Map()
  const res = await rows<{ shopId: string; n: number }>(
    db,
    sql`with sold as (${soldPerDay(now, anyOf(sql`o.shop_id`, shopIds))}),
        held as (
          select o.shop_id, ${LINE_SKU} as sku, count(*) as n
          from ${orderLineItems} li join ${orders} o on o.id = li.order_id
          where ${anyOf(sql`o.shop_id`, shopIds)} and ${HOLDS_STOCK}
          group by 1, 2)
        select s.shop_id as "shopId", count(*)::int as n
        from sold s
        join ${stockLevels} st on st.shop_id = s.shop_id and st.seller_sku = s.sku
        left join held h on h.shop_id = s.shop_id and h.sku = s.sku
        where st.on_hand - coalesce(h.n, 0) >= 0 and st.on_hand - coalesce(h.n, 0) < ${LOW_DAYS} * s.per_day
        group by 1`,
  )
  return new Map(res.map((r) => [r.shopId, r.n]))
}
