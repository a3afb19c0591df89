/**
 * A platform cancellation record in (webhook type 11 or the cancellation sync). Upsert by cancel_id.
 * A new pending buyer request gets its answer-by time and a message with Accept / Reject; later
 * platform statuses close it and edit that message. Repeats change nothing and post nothing.
 */
import { eq } from 'drizzle-orm'
import { cancellations, shops } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import { cancelRefKey, outcomeMessage, requestMessage } from '../cancellations/messages.js'
import { enqueueManyForShop, type ShopMessage } from '../notifications/outbox.js'
import { cancellationRespondBy, type ShopDeadlineSettings } from '../orders/due-times.js'
import { badInput, notFound } from '../shared/errors.js'
import type { PlatformCancellation } from '../shop/port.js'
import { loadOrderView, type CancellationRow, type OrderView } from './order-view.js'

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

/** A record that passed validation, with its times read. */
export interface CheckedCancellation {
  c: PlatformCancellation
  requestedAt: Date
  /** the platform's update time (its create time when absent) */
  updateTime: Date
  /** the platform's answer-by time, if it gives one */
  deadline: Date | null
  phase: PlatformCancelPhase
}

/** Validates a platform cancellation record; a malformed one is a bad_input error. */
export function checkPlatformCancellation(input: unknown): CheckedCancellation {
  const c = input as PlatformCancellation
  if (!c || typeof c.cancel_id !== 'string' || !/^\w{1,64}$/.test(c.cancel_id)) throw badInput('cancellation: cancel_id must be a string of digits/letters')
  if (typeof c.order_id !== 'string' || !/^\w{1,64}$/.test(c.order_id)) throw badInput(`cancellation ${c.cancel_id}: order_id must be a string of digits/letters`)
  const requestedAt = sec(c.create_time)
  if (!requestedAt) throw badInput(`cancellation ${c.cancel_id}: create_time must be Unix seconds`)
  return { c, requestedAt, updateTime: sec(c.update_time) ?? requestedAt, deadline: platformDeadline(c), phase: cancelPhase(c.cancel_status) }
}

export type NewCancellationRow = typeof cancellations.$inferInsert
/** The columns an update writes (the others stay as they are). */
export type CancellationUpdate = Partial<CancellationRow> & Pick<CancellationRow, 'platformStatus' | 'platformUpdateTime' | 'updatedAt'>

/** The message that follows a write; it shows the row as written. */
export interface CancellationFollowUp {
  kind: 'post' | 'edit'
  /** per channel: `${dedupeKeyBase}@${channelId}` */
  dedupeKeyBase: string
  /** the request with its buttons and answer-by time, or the outcome */
  show: 'request' | 'outcome'
}

export type CancellationPlan =
  /** a record we do not hold: this row (every column given, so rows of a page have the same keys) */
  | { outcome: 'insert'; row: NewCancellationRow; followUp: CancellationFollowUp | null }
  /** a record we hold, newer and different: these columns */
  | { outcome: 'update'; id: string; set: CancellationUpdate; followUp: CancellationFollowUp | null }
  /** a repeat or an older version: nothing to write */
  | { outcome: 'unchanged' }

/**
 * What storing a platform record does, given the row we hold for its cancel_id (if any): insert with
 * which state and answer-by time, update which columns, or nothing; and which message follows. Pure:
 * processPlatformCancellation and processPlatformCancellationPage both write what it says.
 * A record whose cancel_id another shop holds is a bad_input error.
 */
export function planCancellation(
  shopId: string,
  v: CheckedCancellation,
  existing: CancellationRow | undefined,
  shop: ShopDeadlineSettings,
  now: Date,
): CancellationPlan {
  const { c, phase, requestedAt, updateTime, deadline } = v
  if (!existing) {
    const buyer = isBuyerRequest(c)
    const state = phase === 'pending' ? (buyer ? 'pending' : 'completed') : phase === 'success' ? 'accepted' : phase === 'closed' ? 'withdrawn' : phase === 'complete' ? 'completed' : 'pending'
    const respondBy = state === 'pending' ? cancellationRespondBy(requestedAt, deadline, shop) : deadline
    const accepted = state === 'accepted'
    const row: NewCancellationRow = {
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
      decision: accepted ? 'accept' : null,
      decidedBy: accepted ? 'platform' : null,
      decidedByName: accepted ? 'TikTok Shop' : null,
      decidedAt: accepted ? updateTime : null,
      platformUpdateTime: updateTime,
    }
    const followUp: CancellationFollowUp | null = state === 'pending' ? { kind: 'post', dedupeKeyBase: `cancel:${c.cancel_id}:request`, show: 'request' } : null
    return { outcome: 'insert', row, followUp }
  }

  if (existing.shopId !== shopId) throw badInput(`cancellation ${c.cancel_id} belongs to another shop`)
  if (existing.platformUpdateTime && updateTime.getTime() < existing.platformUpdateTime.getTime()) return { outcome: 'unchanged' }
  const samePlatformState = existing.platformStatus === String(c.cancel_status ?? '')
  const newDeadline = deadline && existing.state === 'pending' && existing.respondBy?.getTime() !== deadline.getTime() ? deadline : null
  if (samePlatformState && !newDeadline) return { outcome: 'unchanged' }

  // Our state after the platform's word. A decision we made stays; an open request closes.
  const open = existing.state === 'pending' || existing.state === 'deciding' || existing.state === 'expired'
  let next: Partial<CancellationRow> = {}
  if (open && phase === 'success')
    next = { state: 'accepted', decision: 'accept', decidedBy: existing.state === 'expired' ? existing.decidedBy : 'platform', decidedByName: existing.state === 'expired' ? existing.decidedByName : 'TikTok Shop', decidedAt: existing.decidedAt ?? updateTime }
  else if (open && phase === 'closed') next = { state: 'withdrawn', decidedAt: updateTime }
  else if (phase === 'complete' && existing.state !== 'rejected') next = { state: existing.state === 'accepted' ? 'accepted' : 'completed' }
  if (existing.state === 'expired' && next.state === 'accepted') next = { state: 'expired' } // the platform confirmed what we said
  const set: CancellationUpdate = {
    platformStatus: String(c.cancel_status ?? ''),
    platformUpdateTime: updateTime,
    ...(newDeadline ? { respondBy: newDeadline } : {}),
    ...next,
    updatedAt: now,
  }
  const state = next.state ?? existing.state
  const followUp: CancellationFollowUp | null =
    next.state !== undefined && next.state !== existing.state
      ? { kind: 'edit', dedupeKeyBase: `cancel:${existing.id}:closed:${state}`, show: 'outcome' }
      : newDeadline && state === 'pending'
        ? { kind: 'edit', dedupeKeyBase: `cancel:${existing.id}:deadline:${newDeadline.getTime()}`, show: 'request' }
        : null
  return { outcome: 'update', id: existing.id, set, followUp }
}

/** The follow-up message for every channel of the shop, showing `row` (as written) and its order (null: an order we do not hold). */
export function followUpMessage(f: CancellationFollowUp, row: CancellationRow, view: OrderView | null): ShopMessage {
  return { dedupeKeyBase: f.dedupeKeyBase, refKey: cancelRefKey(row.id), build: (ch) => (f.show === 'request' ? requestMessage(ch, row, view) : outcomeMessage(ch, row, view)) }
}

export interface CancellationResult {
  outcome: 'inserted' | 'updated' | 'unchanged'
  cancelId: string
  state: string
  /** true when this call posted the Accept / Reject message */
  announced: boolean
}

/** Stores one platform cancellation record (webhook, or a sync page stored one by one), with its message, in one transaction. */
export async function processPlatformCancellation(deps: Deps, shopId: string, c: PlatformCancellation): Promise<CancellationResult> {
  const v = checkPlatformCancellation(c)
  const now = deps.clock.now()

  const result = await deps.db.transaction(async (tx): Promise<CancellationResult> => {
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId))
    if (!shop) throw notFound(`shop ${shopId} is not known`, { shopId })
    const [existing] = await tx.select().from(cancellations).where(eq(cancellations.id, c.cancel_id)).for('update')
    const plan = planCancellation(shopId, v, existing, shop, now)
    if (plan.outcome === 'unchanged') return { outcome: 'unchanged', cancelId: existing!.id, state: existing!.state, announced: false }
    const [row] =
      plan.outcome === 'insert'
        ? await tx.insert(cancellations).values(plan.row).onConflictDoNothing().returning()
        : await tx.update(cancellations).set(plan.set).where(eq(cancellations.id, plan.id)).returning()
    if (!row) return { outcome: 'unchanged', cancelId: c.cancel_id, state: 'unknown', announced: false }
    let posted = 0
    if (plan.followUp) {
      const view = await loadOrderView(tx, row.orderId)
      posted = await enqueueManyForShop(tx, shopId, [followUpMessage(plan.followUp, row, view)], plan.followUp.kind)
    }
    const announced = plan.outcome === 'insert' && posted > 0
    return { outcome: plan.outcome === 'insert' ? 'inserted' : 'updated', cancelId: row.id, state: row.state, announced }
  })
  deps.kick?.()
  return result
}
