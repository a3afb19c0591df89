/** Seller cancellation (R2): an operator cancels an order it cannot fulfil, with a reason valid for its status. */
import { cancellations } from '../../db/schema.js'
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
import { statusLabel } from '../workflow/order-messages.js'
import { loadOrderView } from '../workflow/order-view.js'
import { reasonText, sellerCancelReasons } from './reasons.js'

/** `reason`: an index into the list (from a button), a reason name, or a typed text matching one. */
export async function sellerCancelOrder(ctx: CommandContext, orderId: string, reason?: string | number): Promise<Reply> {
  ctx.require('operator')
  const { deps, t } = ctx
  const id = orderId.trim()
  const view = /^\w{1,64}$/.test(id) ? await loadOrderView(deps.db, id, ctx.shopIds) : null
  if (!view) throw userError('not_found', 'order.not_found', { id: id.slice(0, 64) })
  const o = view.order
  if (view.openRequest) throw userError('conflict', 'sellercancel.pending_request', { id })
  const reasons = sellerCancelReasons(o.platformStatus, view.shopRegion, ctx.channel.locale)
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

  let result: { cancelId: string; cancelStatus: string }
  try {
    result = await deps.shop.cancelOrder(o.shopId, id, chosen.name)
  } catch (err) {
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

