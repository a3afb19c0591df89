/**
 * Flow 1 (R1): a platform order in. In ONE transaction: ingest (idempotent), and when it became paid
 * and is still to be shipped: the stock check and a "new order" message for every following channel.
 * Later status changes that matter update that message (cancelled, shipped) and close what they end.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { cancellations } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import { cancelRefKey, outcomeMessage } from '../cancellations/messages.js'
import { applyPlatformMarks } from '../fulfilment/marks.js'
import { storeStockCheck } from '../inventory/stock-check.js'
import { enqueueEditForShop, enqueueForShop } from '../notifications/outbox.js'
import { ingestOrder, type IngestResult } from '../orders/ingest.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import { newOrderMessage, orderUpdateMessage } from './order-messages.js'
import { loadOrderView } from './order-view.js'

export const orderRefKey = (orderId: string) => `order:${orderId}`

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

export async function processPlatformOrder(deps: Deps, shopId: string, platformOrder: PlatformOrder | unknown): Promise<IngestResult> {
  const now = deps.clock.now()
  const result = await deps.db.transaction(async (tx) => {
    const res = await ingestOrder(tx, shopId, platformOrder, now)
    if (res.outcome === 'stale' || res.outcome === 'unchanged') return res
    const id = res.orderId
    await applyPlatformMarks(tx, id, res.current.platformStatus, now)
    const open = res.current.status === 'awaiting_shipment' || res.current.status === 'cancelling'

    if (res.becamePaid && open) {
      await storeStockCheck(tx, id, now)
      const view = (await loadOrderView(tx, id))!
      await enqueueForShop(tx, shopId, `order:${id}:new`, orderRefKey(id), (ch) => newOrderMessage(ch, view))
      return res
    }
    if (!res.statusChanged || !res.previous || !res.previous.paidTime) return res

    const prev = res.previous
    const st = res.current.status
    if (st === 'cancelled' || st === 'shipped' || st === 'completed') {
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
      const wasOpen = prev.status === 'awaiting_shipment' || prev.status === 'cancelling'
      if (wasOpen || st === 'cancelled')
        await enqueueEditForShop(tx, shopId, `order:${id}:status:${st}`, orderRefKey(id), (ch) => orderUpdateMessage(ch, view))
      return res
    }
    if (prev.platformStatus === 'ON_HOLD' && res.current.platformStatus !== 'ON_HOLD' && open) {
      // Out of the remorse window: the message loses its "on hold" note and gets its buttons.
      const view = (await loadOrderView(tx, id))!
      await enqueueEditForShop(tx, shopId, `order:${id}:released`, orderRefKey(id), (ch) => orderUpdateMessage(ch, view))
    }
    return res
  })
  deps.kick?.()
  return result
}
