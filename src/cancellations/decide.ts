/**
 * Accept or reject a buyer's cancellation request (R3). One decision per request, decided by the
 * database: the press that moves the row from `pending` to `deciding` calls the shop; every other
 * press is told who decided (or is deciding) and when. Shop failure puts the row back to `pending`.
 */
import { and, eq, inArray, lt, or } from 'drizzle-orm'
import { cancellations, shops } from '../../db/schema.js'
import { audit } from '../audit/audit.js'
import type { CommandContext } from '../assistant/context.js'
import { choiceReply, okReply } from '../assistant/replies.js'
import type { Reply } from '../assistant/types.js'
import { userError } from '../assistant/user-error.js'
import { formatInstant } from '../i18n/format.js'
import type { MessageKey } from '../i18n/index.js'
import { enqueueEditForShop } from '../notifications/outbox.js'
import { isAppError } from '../shared/errors.js'
import { MINUTE } from '../shared/clock.js'
import { loadOrderView, type CancellationRow } from '../workflow/order-view.js'
import { cancelRefKey, outcomeMessage } from './messages.js'
import { isUs, rejectReasons } from './reasons.js'

/** A claim older than this is considered abandoned (the process died mid-call) and may be taken over. */
export const CLAIM_TIMEOUT_MS = 5 * MINUTE

async function loadForChannel(ctx: CommandContext, cancelId: string) {
  const [row] = /^\w{1,64}$/.test(cancelId)
    ? await ctx.deps.db
        .select({ c: cancellations, region: shops.region })
        .from(cancellations)
        .innerJoin(shops, eq(shops.id, cancellations.shopId))
        .where(and(eq(cancellations.id, cancelId), inArray(cancellations.shopId, ctx.shopIds.length ? ctx.shopIds : [''])))
    : []
  if (!row) throw userError('not_found', 'cancel.not_found', { id: cancelId.slice(0, 64) })
  return row
}

/** The refusal for a request that is not pending: who decided and when, who is deciding, or why it is closed. */
function notPending(ctx: CommandContext, c: CancellationRow): Error {
  const tz = ctx.channel.timeZone
  if (c.state === 'deciding')
    return userError('already_decided', 'cancel.deciding', { name: c.decidedByName || c.claimedBy || '?', at: c.claimedAt ? formatInstant(c.claimedAt, tz) : '' })
  if ((c.state === 'accepted' || c.state === 'rejected') && c.decision)
    return userError('already_decided', 'cancel.already_decided', {
      decision: ctx.t(`cancel.decision.${c.decision}` as MessageKey),
      name: c.decidedByName || c.decidedBy || '?',
      at: c.decidedAt ? formatInstant(c.decidedAt, tz) : '',
    })
  return userError('already_decided', 'cancel.closed', { state: ctx.t(`cancel.state.${c.state}` as MessageKey) })
}

/** Reject pressed: offer the platform's reasons (as indexes). US shops are told to ship instead. */
export async function startReject(ctx: CommandContext, cancelId: string): Promise<Reply> {
  ctx.require('operator')
  const { c, region } = await loadForChannel(ctx, cancelId)
  if (c.state !== 'pending') throw notPending(ctx, c)
  if (isUs(region)) throw userError('conflict', 'cancel.us_reject', { by: c.respondBy ? formatInstant(c.respondBy, ctx.channel.timeZone) : '—' })
  const reasons = await rejectReasons(ctx.deps.shop, ctx.deps.logger, { shopId: c.shopId, cancelId: c.id, region, locale: ctx.channel.locale })
  return choiceReply(
    ctx.t('cancel.pick_reason', { id: c.orderId }),
    reasons.map((r, i) => ({ label: r.text, action: { type: 'cancel.reject', cancelId: c.id, reason: i } })),
  )
}

export async function decideCancellation(ctx: CommandContext, cancelId: string, decision: 'accept' | 'reject', reasonIndex?: number): Promise<Reply> {
  ctx.require('operator')
  const { deps } = ctx
  const { c, region } = await loadForChannel(ctx, cancelId)
  if (c.state !== 'pending' && c.state !== 'deciding') throw notPending(ctx, c)

  let reason: { name: string; text: string } | null = null
  if (decision === 'reject') {
    if (isUs(region)) throw userError('conflict', 'cancel.us_reject', { by: c.respondBy ? formatInstant(c.respondBy, ctx.channel.timeZone) : '—' })
    const reasons = await rejectReasons(deps.shop, deps.logger, { shopId: c.shopId, cancelId: c.id, region, locale: ctx.channel.locale })
    reason = reasonIndex !== undefined && Number.isInteger(reasonIndex) ? (reasons[reasonIndex] ?? null) : null
    if (!reason) throw userError('bad_input', 'cancel.bad_reason')
  }

  // The claim: exactly one press moves the row out of `pending`.
  const now = deps.clock.now()
  const [claimed] = await deps.db
    .update(cancellations)
    .set({ state: 'deciding', claimedBy: ctx.actorKey, claimedAt: now, decidedByName: ctx.actor.displayName, updatedAt: now })
    .where(
      and(
        eq(cancellations.id, c.id),
        or(eq(cancellations.state, 'pending'), and(eq(cancellations.state, 'deciding'), lt(cancellations.claimedAt, new Date(now.getTime() - CLAIM_TIMEOUT_MS)))),
      ),
    )
    .returning()
  if (!claimed) {
    const [again] = await deps.db.select().from(cancellations).where(eq(cancellations.id, c.id))
    throw notPending(ctx, again)
  }
  const mine = and(eq(cancellations.id, c.id), eq(cancellations.state, 'deciding'), eq(cancellations.claimedBy, ctx.actorKey), eq(cancellations.claimedAt, now))

  const idempotencyKey = `${c.id}-${decision}`
  try {
    if (decision === 'accept') await deps.shop.approveCancellation(c.shopId, c.id, idempotencyKey)
    else await deps.shop.rejectCancellation(c.shopId, c.id, reason!.name, '', idempotencyKey)
  } catch (err) {
    await deps.db.update(cancellations).set({ state: 'pending', claimedBy: null, claimedAt: null, decidedByName: null }).where(mine)
    const detail = isAppError(err) ? err.message : 'no answer from TikTok Shop'
    if (!isAppError(err)) deps.logger.error('cancellation decision failed', { cancelId: c.id, err })
    throw userError(isAppError(err) ? err.code : 'shop_unavailable', 'cancel.shop_failed', { detail })
  }

  const decidedAt = deps.clock.now()
  const view = await loadOrderView(deps.db, c.orderId)
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(cancellations)
      .set({
        state: decision === 'accept' ? 'accepted' : 'rejected',
        decision,
        decidedBy: ctx.actorKey,
        decidedByName: ctx.actor.displayName,
        decidedAt,
        rejectReason: reason?.name ?? null,
        updatedAt: decidedAt,
      })
      .where(mine)
      .returning()
    if (!row) return // the platform closed it meanwhile (webhook); its own update told the channel
    await audit(tx, {
      actor: ctx.actorKey,
      actorName: ctx.actor.displayName,
      channelId: ctx.channel.id,
      action: decision === 'accept' ? 'cancel.accept' : 'cancel.reject',
      subject: `cancel:${c.id}`,
      details: { orderId: c.orderId, ...(reason ? { reason: reason.name } : {}) },
      at: decidedAt,
    })
    await enqueueEditForShop(tx, c.shopId, `cancel:${c.id}:outcome`, cancelRefKey(c.id), (ch) => outcomeMessage(ch, row, view))
  })
  return okReply(ctx.t(decision === 'accept' ? 'cancel.accept_done' : 'cancel.reject_done', { id: c.orderId }), [], { ephemeral: true })
}

