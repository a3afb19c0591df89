/**
 * A platform cancellation record in (webhook type 11 or the cancellation sync). Upsert by cancel_id.
 * A new pending buyer request gets its answer-by time and a message with Accept / Reject; later
 * platform statuses close it and edit that message. Repeats change nothing and post nothing.
 */
import { eq } from 'drizzle-orm'
import { cancellations, shops } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import { cancelRefKey, outcomeMessage, requestMessage } from '../cancellations/messages.js'
import { enqueueEditForShop, enqueueForShop } from '../notifications/outbox.js'
import { cancellationRespondBy } from '../orders/due-times.js'
import { badInput, notFound } from '../shared/errors.js'
import type { PlatformCancellation } from '../shop/port.js'
import { loadOrderView, type CancellationRow } from './order-view.js'

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

export type PlatformCancelPhase = 'pending' | 'success' | 'closed' | 'complete' | 'unknown'

/** Both spellings of the closed status (CANCELLED / CANCEL) are accepted (reference §3.2). */
export function cancelPhase(status: string): PlatformCancelPhase {
  const s = String(status ?? '').trim().toUpperCase()
  if (s === 'CANCELLATION_REQUEST_PENDING') return 'pending'
  if (s === 'CANCELLATION_REQUEST_SUCCESS') return 'success'
  if (s === 'CANCELLATION_REQUEST_CANCELLED' || s === 'CANCELLATION_REQUEST_CANCEL' || s === 'CANCELLATION_REQUEST_CANCELED') return 'closed'
  if (s === 'CANCELLATION_REQUEST_COMPLETE') return 'complete'
  return 'unknown'
}

const sec = (v: unknown): Date | null => {
  const n = typeof v === 'string' ? Number(v) : (v as number)
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : null
}

/** A buyer's request that needs the seller's answer (not a direct cancel by seller or system). */
export function isBuyerRequest(c: PlatformCancellation): boolean {
  const role = String(c.role ?? '').toUpperCase()
  const type = String(c.cancel_type ?? '').toUpperCase()
  if (role && role !== 'BUYER') return false
  return type !== 'CANCEL'
}

export function platformDeadline(c: PlatformCancellation): Date | null {
  const list = Array.isArray(c.seller_next_action_response) ? c.seller_next_action_response : []
  const hit = list.find((a) => String(a?.action ?? '').toUpperCase() === 'SELLER_RESPOND_CANCEL') ?? list[0]
  return hit ? sec(hit.deadline) : null
}

export interface CancellationResult {
  outcome: 'inserted' | 'updated' | 'unchanged'
  cancelId: string
  state: string
  /** true when this call posted the Accept / Reject message */
  announced: boolean
}

export async function processPlatformCancellation(deps: Deps, shopId: string, c: PlatformCancellation): Promise<CancellationResult> {
  if (!c || typeof c.cancel_id !== 'string' || !/^\w{1,64}$/.test(c.cancel_id)) throw badInput('cancellation: cancel_id must be a string of digits/letters')
  if (typeof c.order_id !== 'string' || !/^\w{1,64}$/.test(c.order_id)) throw badInput(`cancellation ${c.cancel_id}: order_id must be a string of digits/letters`)
  const requestedAt = sec(c.create_time)
  if (!requestedAt) throw badInput(`cancellation ${c.cancel_id}: create_time must be Unix seconds`)
  const now = deps.clock.now()
  const phase = cancelPhase(c.cancel_status)
  const updateTime = sec(c.update_time) ?? requestedAt
  const deadline = platformDeadline(c)

  const result = await deps.db.transaction(async (tx): Promise<CancellationResult> => {
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId))
    if (!shop) throw notFound(`shop ${shopId} is not known`, { shopId })
    const [existing] = await tx.select().from(cancellations).where(eq(cancellations.id, c.cancel_id)).for('update')
    const buyer = isBuyerRequest(c)

    if (!existing) {
      const state = phase === 'pending' ? (buyer ? 'pending' : 'completed') : phase === 'success' ? 'accepted' : phase === 'closed' ? 'withdrawn' : phase === 'complete' ? 'completed' : 'pending'
      const respondBy = state === 'pending' ? cancellationRespondBy(requestedAt, deadline, shop) : deadline
      const [row] = await tx
        .insert(cancellations)
        .values({
          id: c.cancel_id,
          shopId,
          orderId: c.order_id,
          cancelType: String(c.cancel_type ?? ''),
          platformStatus: String(c.cancel_status ?? ''),
          role: String(c.role ?? ''),
          reason: String(c.cancel_reason ?? ''),
          reasonText: String(c.cancel_reason_text ?? ''),
          requestedAt,
          respondBy,
          state,
          ...(state === 'accepted' ? { decision: 'accept', decidedBy: 'platform', decidedByName: 'TikTok Shop', decidedAt: updateTime } : {}),
          platformUpdateTime: updateTime,
        })
        .onConflictDoNothing()
        .returning()
      if (!row) return { outcome: 'unchanged', cancelId: c.cancel_id, state: 'unknown', announced: false }
      let announced = false
      if (state === 'pending') {
        const view = await loadOrderView(tx, c.order_id)
        announced = (await enqueueForShop(tx, shopId, `cancel:${row.id}:request`, cancelRefKey(row.id), (ch) => requestMessage(ch, row, view))) > 0
      }
      return { outcome: 'inserted', cancelId: row.id, state, announced }
    }

    if (existing.shopId !== shopId) throw badInput(`cancellation ${c.cancel_id} belongs to another shop`)
    if (existing.platformUpdateTime && updateTime.getTime() < existing.platformUpdateTime.getTime())
      return { outcome: 'unchanged', cancelId: existing.id, state: existing.state, announced: false }
    const samePlatformState = existing.platformStatus === String(c.cancel_status ?? '')
    const newDeadline = deadline && existing.state === 'pending' && existing.respondBy?.getTime() !== deadline.getTime() ? deadline : null
    if (samePlatformState && !newDeadline) return { outcome: 'unchanged', cancelId: existing.id, state: existing.state, announced: false }

    // Our state after the platform's word. A decision we made stays; an open request closes.
    const open = existing.state === 'pending' || existing.state === 'deciding' || existing.state === 'expired'
    let next: Partial<CancellationRow> = {}
    if (open && phase === 'success')
      next = { state: 'accepted', decision: 'accept', decidedBy: existing.state === 'expired' ? existing.decidedBy : 'platform', decidedByName: existing.state === 'expired' ? existing.decidedByName : 'TikTok Shop', decidedAt: existing.decidedAt ?? updateTime }
    else if (open && phase === 'closed') next = { state: 'withdrawn', decidedAt: updateTime }
    else if (phase === 'complete' && existing.state !== 'rejected') next = { state: existing.state === 'accepted' ? 'accepted' : 'completed' }
    if (existing.state === 'expired' && next.state === 'accepted') next = { state: 'expired' } // the platform confirmed what we said
    const [row] = await tx
      .update(cancellations)
      .set({
        platformStatus: String(c.cancel_status ?? ''),
        platformUpdateTime: updateTime,
        ...(newDeadline ? { respondBy: newDeadline } : {}),
        ...next,
        updatedAt: now,
      })
      .where(eq(cancellations.id, existing.id))
      .returning()
    const stateChanged = next.state !== undefined && next.state !== existing.state
    if (stateChanged) {
      const view = await loadOrderView(tx, row.orderId)
      await enqueueEditForShop(tx, shopId, `cancel:${row.id}:closed:${row.state}`, cancelRefKey(row.id), (ch) => outcomeMessage(ch, row, view))
    } else if (newDeadline && row.state === 'pending') {
      const view = await loadOrderView(tx, row.orderId)
      await enqueueEditForShop(tx, shopId, `cancel:${row.id}:deadline:${newDeadline.getTime()}`, cancelRefKey(row.id), (ch) => requestMessage(ch, row, view))
    }
    return { outcome: 'updated', cancelId: row.id, state: row.state, announced: false }
  })
  deps.kick?.()
  return result
}
