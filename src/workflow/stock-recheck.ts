/**
 * After a change of stock on hand: the open orders whose cover it changed (they can be packed now,
 * or no longer) get their stock check again, as stock goes out (first paid first), and their "new
 * order" post is edited to show it, in every chat that shows it. A post that said "Stock problem"
 * then says the items are in stock, and the other way round.
 */
import { randomUUID } from 'node:crypto'
import type { Executor } from '../../db/database.js'
import { storeStockCheck } from '../inventory/stock-check.js'
import { enqueueEditForShop } from '../notifications/outbox.js'
import { newOrderMessage } from './order-messages.js'
import { loadOrderView } from './order-view.js'
import { orderRefKey } from './process-order.js'

/** the orders one change re-checks at most (their posts are edited one by one through the outbox) */
export const RECHECK_LIMIT = 100

/** Re-checks these orders of the shop (the first RECHECK_LIMIT) and edits their posts; returns how many posts were edited. */
export async function recheckOrders(tx: Executor, shopId: string, orderIds: string[], now: Date): Promise<number> {
  // each change edits anew, even one made in the same millisecond
  const change = randomUUID().slice(0, 8)
  let edited = 0
  for (const id of orderIds.slice(0, RECHECK_LIMIT)) {
    await storeStockCheck(tx, id, now, 'first_paid')
    const view = await loadOrderView(tx, id)
    if (!view) continue
    edited += await enqueueEditForShop(tx, shopId, `order:${id}:stock:${now.getTime()}:${change}`, orderRefKey(id), (ch) => ({ ...newOrderMessage(ch, view), kind: 'order_update' }))
  }
  return edited
}
