import { decideCancellation, startReject } from '../../cancellations/decide.js'
import { sellerCancelOrder } from '../../cancellations/seller-cancel.js'
import type { Command } from '../types.js'
import type { CommandHandler } from '../context.js'
import { markStep } from './mark.js'
import { resolveOrderRef, showOrder } from './orders.js'
import { userError } from '../user-error.js'

export const cancelOrder: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'cancel_order' }>
  ctx.require('operator')
  // the order as the team names it (its number, or the end of it, a tracking number): see resolveOrderRef
  const ref = await resolveOrderRef(ctx, c.orderId ?? '')
  return ref.reply ?? sellerCancelOrder(ctx, ref.id, c.reason)
}

/** A button press. Who may press is decided in each use case before any side effect. */
export const action: CommandHandler = async (ctx, command) => {
  const a = (command as Extract<Command, { name: 'action' }>).action
  switch (a?.type) {
    case 'cancel.accept':
      return decideCancellation(ctx, a.cancelId, 'accept')
    case 'cancel.reject_start':
      return startReject(ctx, a.cancelId)
    case 'cancel.reject':
      return decideCancellation(ctx, a.cancelId, 'reject', a.reason)
    case 'order.cancel_start':
      return sellerCancelOrder(ctx, a.orderId)
    case 'order.cancel':
      return sellerCancelOrder(ctx, a.orderId, a.reason)
    case 'order.mark':
      return markStep(ctx, a.orderId, a.step)
    case 'order.show':
      return showOrder(ctx, a.orderId)
    default:
      throw userError('bad_input', 'error.unknown_action')
  }
}
