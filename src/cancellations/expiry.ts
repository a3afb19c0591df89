/**
 * Past the answer-by time with no answer, the platform cancels the order (R3). We record the same:
 * the request ends `expired`, the order ends cancelled, and every following channel is told.
 */
import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import { cancellations, orders } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import { audit } from '../audit/audit.js'
import { translator } from '../i18n/index.js'
import { formatInstant } from '../i18n/format.js'
import { message } from '../notifications/message.js'
import { enqueueEditForShop, enqueueForShop } from '../notifications/outbox.js'
import { loadOrderView } from '../workflow/order-view.js'
import { cancelRefKey, outcomeMessage } from './messages.js'

type Deps = Pick<CoreDeps, 'db' | 'logger'>

/** Expires every pending request past its answer-by time; returns how many. Safe to run concurrently. */
export async function expireCancellations(deps: Deps, now: Date, limit = 200): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: cancellations.id })
      .from(cancellations)
      .where(and(eq(cancellations.state, 'pending'), lte(cancellations.respondBy, now)))
      .orderBy(cancellations.respondBy)
      .limit(limit)
      .for('update', { skipLocked: true })
    if (!due.length) return 0
    const expired = await tx
      .update(cancellations)
      .set({ state: 'expired', decidedAt: sql`${cancellations.respondBy}`, decidedBy: 'platform', decidedByName: 'TikTok Shop', updatedAt: now })
      .where(and(inArray(cancellations.id, due.map((d) => d.id)), eq(cancellations.state, 'pending')))
      .returning()
    for (const c of expired) {
      await tx
        .update(orders)
        .set({ status: 'cancelled', cancelTime: sql`coalesce(${orders.cancelTime}, ${c.respondBy!.toISOString()}::timestamptz)`, updatedAt: now })
        .where(and(eq(orders.id, c.orderId), inArray(orders.status, ['awaiting_shipment', 'cancelling'])))
      await audit(tx, { actor: 'system', actorName: 'deadline', action: 'cancel.expired', subject: `cancel:${c.id}`, details: { orderId: c.orderId, respondBy: c.respondBy }, at: now })
      const view = await loadOrderView(tx, c.orderId)
      await enqueueEditForShop(tx, c.shopId, `cancel:${c.id}:expired`, cancelRefKey(c.id), (ch) => outcomeMessage(ch, c, view))
      await enqueueForShop(tx, c.shopId, `cancel:${c.id}:expired-notice`, undefined, (ch) => {
        const t = translator(ch.locale)
        return message({
          kind: 'cancel_expired',
          tone: 'danger',
          title: t('cancel.expired_title', { id: c.orderId }),
          lines: [[t('cancel.expired', { by: formatInstant(c.respondBy!, ch.timeZone) })]],
        })
      })
    }
    if (expired.length) deps.logger.info('cancellation requests expired', { count: expired.length })
    return expired.length
  })
}
