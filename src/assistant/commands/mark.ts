import { inArray, and, eq } from 'drizzle-orm'
import { orders } from '../../../db/schema.js'
import { markOrder, parseMarkStep } from '../../fulfilment/marks.js'
import { formatInstant } from '../../i18n/format.js'
import type { MessageKey } from '../../i18n/index.js'
import type { MarkStep } from '../../notifications/actions.js'
import { statusLabel } from '../../workflow/order-messages.js'
import type { Command } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { okReply } from '../replies.js'
import { resolveOrderRef } from './orders.js'
import { userError } from '../user-error.js'

export async function markStep(ctx: CommandContext, orderId: string, step: MarkStep) {
  ctx.require('operator')
  const t = ctx.t
  const id = orderId.trim()
  const now = ctx.deps.clock.now()
  const result = await ctx.deps.db.transaction(async (tx) => {
    const [o] = /^\w{1,64}$/.test(id)
      ? await tx.select({ status: orders.status, isOnHold: orders.isOnHold }).from(orders).where(and(eq(orders.id, id), inArray(orders.shopId, ctx.shopIds)))
      : []
    if (!o) throw userError('not_found', 'order.not_found', { id: id.slice(0, 64) })
    if (o.status !== 'awaiting_shipment' && o.status !== 'cancelling' && !(step === 'handed_over' && o.status === 'shipped'))
      throw userError('conflict', 'mark.not_open', { id, status: statusLabel(t, o) })
    return markOrder(tx, { orderId: id, step, actor: { key: ctx.actorKey, name: ctx.actor.displayName, channelId: ctx.channel.id }, at: now })
  })
  const stepText = t(`mark.${step}` as MessageKey)
  if (!result.changed) return okReply(t('mark.already', { id, step: stepText, at: formatInstant(result.at!, ctx.channel.timeZone) }), [], { ephemeral: true })
  return okReply(t('mark.done', { id, step: stepText, name: ctx.actor.displayName }))
}

export const mark: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'mark' }>
  ctx.require('operator')
  const step = parseMarkStep(c.step ?? '')
  if (!step) throw userError('bad_input', 'mark.bad_step', { step: c.step ?? '' })
  const ref = await resolveOrderRef(ctx, c.orderId ?? '')
  return ref.reply ?? markStep(ctx, ref.id, step)
}
