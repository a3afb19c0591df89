/**
 * An order named by less than its whole number, as a team names it in chat: the last digits of the
 * order number ("the one ending 1667"), a parcel's tracking number (what the carrier or the buyer
 * quotes), or a package ID (what the package list shows). Only the given shops' orders are searched.
 */
import { and, desc, inArray, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { orders } from '../../db/schema.js'

/** the fewest trailing digits searched for: fewer name too many orders to be of use */
export const MIN_SUFFIX_DIGITS = 4

/** What a list of orders shows of each. */
export interface OrderListRow {
  id: string
  shopId: string
  status: string
  isOnHold: boolean
  total: string | null
  currency: string
  createTime: Date
}

export const orderListColumns = {
  id: orders.id,
  shopId: orders.shopId,
  status: orders.status,
  isOnHold: orders.isOnHold,
  total: orders.totalAmount,
  currency: orders.currency,
  createTime: orders.createTime,
}

/** A reference that may name orders: letters, digits, dashes (what order, tracking and package numbers are made of). */
export const ORDER_REF = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The orders of `shopIds` whose number ends in `ref` (when it is at least MIN_SUFFIX_DIGITS digits),
 * or whose tracking number or package ID is `ref` (letters in any case); newest first, at most `limit`.
 */
export async function findOrders(db: Executor, shopIds: string[], ref: string, limit: number): Promise<OrderListRow[]> {
  if (!shopIds.length || !ORDER_REF.test(ref)) return []
  const upper = ref.toUpperCase()
  const suffix = /^\d+$/.test(ref) && ref.length >= MIN_SUFFIX_DIGITS ? sql`${orders.id} like ${`%${ref}`} or ` : sql``
  return db
    .select(orderListColumns)
    .from(orders)
    .where(
      and(
        inArray(orders.shopId, shopIds),
        // the packages' side is read once (a hashed subplan), not once per order
        sql`(${suffix}upper(${orders.trackingNumber}) = ${upper} or ${orders.id} in (
          select op.order_id from order_packages op join packages p on p.id = op.package_id
          where p.id = ${ref} or upper(p.tracking_number) = ${upper}))`,
      ),
    )
    .orderBy(desc(orders.createTime))
    .limit(limit)
}
