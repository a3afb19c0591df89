/**
 * Flow 1 (R1): a platform order in. In ONE transaction: ingest (idempotent), and when it became paid
 * and is still to be shipped: the stock check and a "new order" message for every following channel.
 * Later status changes that matter update that message (cancelled, shipped) and close what they end.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { cancellations } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import type { ChannelInfo } from '../assistant/types.js'
import { cancelRefKey, outcomeMessage } from '../cancellations/messages.js'
import { applyPlatformMarks } from '../fulfilment/marks.js'
import { storeStockCheck } from '../inventory/stock-check.js'
import { channelsFollowing, enqueueEditForShop, enqueueManyForShop } from '../notifications/outbox.js'
import { ingestOrder, type IngestResult } from '../orders/ingest.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import { historyBefore, isHistory } from './history.js'
import { newOrderMessage, orderUpdateMessage } from './order-messages.js'
import { loadOrderView, loadOrderViews, type OrderView } from './order-view.js'

export const orderRefKey = (orderId: string) => `order:${orderId}`

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

/** What a stored order change calls for beyond storing it. */
export type FollowUp =
  /** nothing (a repeat, an older version, a change nobody needs to hear about) */
  | 'none'
  /** it became paid and is to be shipped: stock check and a "new order" message */
  | 'new_order'
  /** a paid order was cancelled or shipped: close its pending request, update its message */
  | 'closed'
  /** out of the remorse window (on hold → to ship): the message gets its buttons */
  | 'released'

const isOpen = (status: string) => status === 'awaiting_shipment' || status === 'cancelling'

export function followUpOf(res: IngestResult): FollowUp {
  if (res.outcome === 'stale' || res.outcome === 'unchanged') return 'none'
  const open = isOpen(res.current.status)
  if (res.becamePaid && open) return 'new_order'
  if (!res.statusChanged || !res.previous || !res.previous.paidTime) return 'none'
  const st = res.current.status
  if (st === 'cancelled' || st === 'shipped' || st === 'completed') return 'closed'
  if (res.previous.platformStatus === 'ON_HOLD' && res.current.platformStatus !== 'ON_HOLD' && open) return 'released'
  return 'none'
}

/**
 * The "new order" message of each of these orders, for every channel following the shop. The caller
 * may hand over what it holds (the page use case): the orders' views as stored, and the shop's
 * followers; what it does not hold is read. Nothing is read or built when no channel follows the shop.
 */
export async function enqueueNewOrderMessages(
  tx: Executor,
  shopId: string,
  orderIds: string[],
  held: { views?: () => Map<string, OrderView>; following?: ChannelInfo[] } = {},
): Promise<void> {
  const following = held.following ?? (await channelsFollowing(tx, shopId))
  if (!following.length) return // no channel follows the shop (yet): nobody to tell
  const views = held.views ? held.views() : await loadOrderViews(tx, orderIds)
  await enqueueManyForShop(
    tx,
    shopId,
    orderIds.map((id) => ({ dedupeKeyBase: `order:${id}:new`, refKey: orderRefKey(id), build: (ch) => newOrderMessage(ch, views.get(id)!) })),
    'post',
    following,
  )
}

export async function processPlatformOrder(deps: Deps, shopId: string, platformOrder: PlatformOrder | unknown): Promise<IngestResult> {
  const now = deps.clock.now()
  const result = await deps.db.transaction(async (tx) => {
    const res = await ingestOrder(tx, shopId, platformOrder, now)
    if (res.outcome === 'stale' || res.outcome === 'unchanged') return res
    const id = res.orderId
    await applyPlatformMarks(tx, id, res.current.platformStatus, now)
    const follow = followUpOf(res)
    if (follow === 'new_order') {
      await storeStockCheck(tx, id, now)
      // history (paid before the shop's first sync began) is summed up once, not posted order by order
      if (!isHistory(res.current.paidTime, await historyBefore(tx, shopId))) await enqueueNewOrderMessages(tx, shopId, [id])
    } else if (follow === 'closed') {
      const prev = res.previous!
      const st = res.current.status
      // Close what the new status ends: a pending buyer request (shipping rejects it; cancelling completes it).
      const closed = await tx
        .update(cancellations)
        .set(
          st === 'cancelled'
            ? { state: 'completed', updatedAt: now }
            : { state: 'rejected', decision: 'reject', decidedBy: 'platform', decidedByName: 'TikTok Shop', decidedAt: now, rejectReason: 'shipped', updatedAt: now },
        )
        .where(and(eq(cancellations.orderId, id), inArray(cancellations.state, ['pending'])))
        .returning()
      const view = (await loadOrderView(tx, id))!
      for (const c of closed) await enqueueEditForShop(tx, shopId, `cancel:${c.id}:closed:${c.state}`, cancelRefKey(c.id), (ch) => outcomeMessage(ch, c, view))
      if (isOpen(prev.status) || st === 'cancelled')
        await enqueueEditForShop(tx, shopId, `order:${id}:status:${st}`, orderRefKey(id), (ch) => orderUpdateMessage(ch, view))
    } else if (follow === 'released') {
      const view = (await loadOrderView(tx, id))!
      await enqueueEditForShop(tx, shopId, `order:${id}:released`, orderRefKey(id), (ch) => orderUpdateMessage(ch, view))
    }
    return res
  })
  deps.kick?.()
  return result
}
