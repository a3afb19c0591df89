/**
 * Seller cancellation (R2): an operator cancels an order it cannot fulfil, with a reason valid for its
 * status. Decided once by the database, as buyer requests are: the press that claims the order row
 * calls the shop; every other press is told who is cancelling it, or who cancelled it and when.
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import { cancellations, orders } from '../../db/schema.js'
import { audit } from '../audit/audit.js'
import type { CommandContext } from '../assistant/context.js'
import { choiceReply, okReply } from '../assistant/replies.js'
import type { Reply } from '../assistant/types.js'
import { userError } from '../assistant/user-error.js'
import { formatInstant } from '../i18n/format.js'
import { translator } from '../i18n/index.js'
import { message } from '../notifications/message.js'
import { enqueueForShop } from '../notifications/outbox.js'
import { isAppError } from '../shared/errors.js'
import { normalizePlatformStatus } from '../orders/status.js'
import { statusLabel } from '../workflow/order-messages.js'
import { loadOrderView } from '../workflow/order-view.js'
import { CLAIM_TIMEOUT_MS } from './decide.js'
import { reasonText, sellerCancelReasons } from './reasons.js'

/** The seller cancellation of the order we recorded (who, when), if it is done. */
async function doneBy(ctx: CommandContext, orderId: string) {
  const [c] = await ctx.deps.db
    .select({ name: cancellations.decidedByName, at: cancellations.decidedAt })
    .from(cancellations)
    .where(and(eq(cancellations.orderId, orderId), eq(cancellations.role, 'SELLER'), eq(cancellations.state, 'completed')))
    .limit(1)
  return c ?? null
}

/** The refusal when another press holds the claim: already cancelled by whom and when, or being cancelled. */
async function claimedElsewhere(ctx: CommandContext, orderId: string): Promise<Error> {
  const tz = ctx.channel.timeZone
  const done = await doneBy(ctx, orderId)
  if (done) return userError('already_decided', 'sellercancel.already', { id: orderId, name: done.name ?? '?', at: done.at ? formatInstant(done.at, tz) : '' })
  const [o] = await ctx.deps.db.select({ name: orders.sellerCancelByName, at: orders.sellerCancelAt }).from(orders).where(eq(orders.id, orderId))
  return userError('already_decided', 'sellercancel.in_progress', { id: orderId, name: o?.name ?? '?', at: o?.at ? formatInstant(o.at, tz) : '' })
}

/** `reason`: an index into the list (from a button), a reason name, or a typed text matching one. */
export async function sellerCancelOrder(ctx: CommandContext, orderId: string, reason?: string | number): Promise<Reply> {
  ctx.require('operator')
  const { deps, t } = ctx
  const id = orderId.trim()
  const view = /^\w{1,64}$/.test(id) ? await loadOrderView(deps.db, id, ctx.shopIds) : null
  if (!view) throw userError('not_found', 'order.not_found', { id: id.slice(0, 64) })
  const o = view.order
  if (o.sellerCancelAt && (await doneBy(ctx, id))) throw await claimedElsewhere(ctx, id)
  if (view.openRequest) throw userError('conflict', 'sellercancel.pending_request', { id })
  const reasons = sellerCancelReasons(o.platformStatus, view.shopRegion, ctx.channel.locale)
  // shipment arranged (outside the US): still on our shelves, but past where the platform lets a seller cancel
  if (!reasons && !o.handedOverAt && normalizePlatformStatus(o.platformStatus) === 'AWAITING_COLLECTION') throw userError('conflict', 'sellercancel.arranged', { id })
  if (!reasons || o.handedOverAt) throw userError('conflict', 'sellercancel.not_allowed', { id, status: statusLabel(t, o) })

  if (reason === undefined || reason === '')
    return choiceReply(
      t('sellercancel.pick_reason', { id }),
      reasons.map((r, i) => ({ label: r.text, action: { type: 'order.cancel', orderId: id, reason: i } })),
    )
  const typed = String(reason).trim().toLowerCase()
  const chosen =
    typeof reason === 'number'
      ? reasons[reason]
      : (/^\d{1,2}$/.test(typed) ? reasons[Number(typed)] : undefined) ??
        reasons.find((r) => r.name.toLowerCase() === typed || r.text.toLowerCase() === typed || r.name.toLowerCase().endsWith(typed.replace(/\s+/g, '_')))
  if (!chosen) throw userError('bad_input', 'sellercancel.bad_reason', { reason: String(reason).slice(0, 60), allowed: reasons.map((r, i) => `${i} ${r.text}`).join('; ') })

  // The claim: exactly one press calls the shop (a claim older than CLAIM_TIMEOUT_MS was abandoned).
  // A done cancellation keeps its claim, so later presses are told who cancelled and when.
  const claimedAt = deps.clock.now()
  const [claimed] = await deps.db
    .update(orders)
    .set({ sellerCancelBy: ctx.actorKey, sellerCancelByName: ctx.actor.displayName, sellerCancelAt: claimedAt })
    .where(and(eq(orders.id, id), or(isNull(orders.sellerCancelAt), lt(orders.sellerCancelAt, new Date(claimedAt.getTime() - CLAIM_TIMEOUT_MS)))))
    .returning({ id: orders.id })
  if (!claimed) throw await claimedElsewhere(ctx, id)
  const mine = and(eq(orders.id, id), eq(orders.sellerCancelBy, ctx.actorKey), eq(orders.sellerCancelAt, claimedAt))

  let result: { cancelId: string; cancelStatus: string }
  try {
    result = await deps.shop.cancelOrder(o.shopId, id, chosen.name)
  } catch (err) {
    await deps.db.update(orders).set({ sellerCancelBy: null, sellerCancelByName: null, sellerCancelAt: null }).where(mine)
    if (isAppError(err)) throw err
    deps.logger.error('seller cancellation failed', { orderId: id, err })
    throw userError('shop_unavailable', 'error.shop_unavailable', { detail: 'no answer from TikTok Shop' })
  }
  const now = deps.clock.now()
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(cancellations)
      .values({
        id: result.cancelId,
        shopId: o.shopId,
        orderId: id,
        cancelType: 'CANCEL',
        platformStatus: result.cancelStatus,
        role: 'SELLER',
        reason: chosen.name,
        reasonText: chosen.text,
        requestedAt: now,
        state: 'completed',
        decision: 'accept',
        decidedBy: ctx.actorKey,
        decidedByName: ctx.actor.displayName,
        decidedAt: now,
      })
      .onConflictDoNothing()
    await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'order.cancel', subject: `order:${id}`, details: { reason: chosen.name, cancelId: result.cancelId }, at: now })
    await enqueueForShop(tx, o.shopId, `order:${id}:seller-cancel:${result.cancelId}`, undefined, (ch) => {
      const tt = translator(ch.locale)
      return message({
        kind: 'seller_cancel',
        tone: 'danger',
        title: tt('sellercancel.title', { id }),
        lines: [[tt('sellercancel.line', { name: ctx.actor.displayName, at: formatInstant(now, ch.timeZone), reason: reasonText(chosen.name, ch.locale) })]],
      })
    })
  })
  return okReply(t('sellercancel.done', { id, reason: chosen.text }), [], { ephemeral: true })
}

