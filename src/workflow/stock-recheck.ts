/**
 * After a change of stock on hand: the open orders whose cover it changed (they can be packed now,
 * or no longer) get their stock check again, as stock goes out (first paid first), and their "new
 * order" post is edited to show it, in every chat that shows it. A post that said "Stock problem"
 * then says the items are in stock, and the other way round.
 */
import { randomUUID } from 'node:crypto'
import type { Executor } from '../../db/database.js'
import type { CoreDeps } from '../assistant/context.js'
import { ordersCoverMoved, storeStockCheck, type OnHandChange } from '../inventory/stock-check.js'
import { enqueueEditForShop } from '../notifications/outbox.js'
import { newOrderMessage } from './order-messages.js'
import { loadOrderView } from './order-view.js'
import { orderRefKey } from './process-order.js'

/**
 * the orders one change re-checks at most: their posts are edited one by one through the outbox,
 * ahead of the chat's next messages (a chat takes a few edits a second)
 */
export const RECHECK_LIMIT = 100

/** What a re-check did: the orders checked again (all items in stock now, or short), the posts edited. */
export interface Recheck {
  inStock: number
  short: number
  edited: number
}

/** Re-checks these orders of the shop (the first RECHECK_LIMIT) and edits their posts. */
export async function recheckOrders(tx: Executor, shopId: string, orderIds: string[], now: Date): Promise<Recheck> {
  // each change edits anew, even one made in the same millisecond
  const change = randomUUID().slice(0, 8)
  const done: Recheck = { inStock: 0, short: 0, edited: 0 }
  for (const id of [...new Set(orderIds)].slice(0, RECHECK_LIMIT)) {
    const check = await storeStockCheck(tx, id, now, 'first_paid')
    done[check.ok ? 'inStock' : 'short']++
    const view = await loadOrderView(tx, id)
    if (!view) continue
    done.edited += await enqueueEditForShop(tx, shopId, `order:${id}:stock:${now.getTime()}:${change}`, orderRefKey(id), (ch) => ({ ...newOrderMessage(ch, view), kind: 'order_update' }))
  }
  return done
}

/**
 * recheckOrders once a change of stock is made, in a transaction of its own: it locks stock rows in
 * SKU order as every check does (inside the change's transaction, which holds the changed rows, it
 * could deadlock with the sync). The change stands whatever becomes of it: a failure is logged, and
 * null returned.
 */
export async function recheckAfterChange(
  deps: Pick<CoreDeps, 'db' | 'logger'>,
  shopId: string,
  orderIds: string[],
  now: Date,
  about: Record<string, unknown>,
): Promise<Recheck | null> {
  if (!orderIds.length) return { inStock: 0, short: 0, edited: 0 }
  try {
    return await deps.db.transaction((tx) => recheckOrders(tx, shopId, orderIds, now))
  } catch (err) {
    deps.logger.warn('order posts not updated after a stock change', { shopId, ...about, err })
    return null
  }
}

/**
 * After changes of stock on hand to any number of SKUs (a stock file, the CLI's stock set): the open
 * orders whose cover they moved (`orders`, each once) are re-checked, first paid first, and their
 * posts edited (recheckAfterChange: the first RECHECK_LIMIT; null when that failed).
 */
export async function recheckStockChanges(
  deps: Pick<CoreDeps, 'db' | 'logger'>,
  shopId: string,
  changes: OnHandChange[],
  now: Date,
): Promise<{ orders: number; recheck: Recheck | null }> {
  const ids = [...new Set((await ordersCoverMoved(deps.db, shopId, changes)).map((m) => m.orderId))]
  return { orders: ids.length, recheck: await recheckAfterChange(deps, shopId, ids, now, { skus: changes.length }) }
}
