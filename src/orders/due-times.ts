/**
 * Due times of a paid order (R4) and of a buyer cancellation request (R3). The platform's own
 * per-order deadlines win when present; otherwise the shop's settings (defaults 48 h / 72 h / 48 h).
 */
import { HOUR } from '../shared/clock.js'

export interface ShopDeadlineSettings {
  packByHours: number
  handoverByHours: number
  cancelAnswerHours: number
}

export const DEFAULT_DEADLINES: ShopDeadlineSettings = { packByHours: 48, handoverByHours: 72, cancelAnswerHours: 48 }

export interface OrderDueTimes {
  packByAt: Date | null
  handoverByAt: Date | null
}

export function orderDueTimes(
  o: { paidTime: Date | null; rtsSlaTime?: Date | null; ttsSlaTime?: Date | null },
  shop: ShopDeadlineSettings = DEFAULT_DEADLINES,
): OrderDueTimes {
  if (!o.paidTime) return { packByAt: null, handoverByAt: null }
  const paid = o.paidTime.getTime()
  return {
    packByAt: o.rtsSlaTime ?? new Date(paid + shop.packByHours * HOUR),
    handoverByAt: o.ttsSlaTime ?? new Date(paid + shop.handoverByHours * HOUR),
  }
}

/** The answer-by time of a buyer cancellation request: the platform's deadline, else request + setting. */
export function cancellationRespondBy(
  requestedAt: Date,
  platformDeadline: Date | null | undefined,
  shop: ShopDeadlineSettings = DEFAULT_DEADLINES,
): Date {
  return platformDeadline ?? new Date(requestedAt.getTime() + shop.cancelAnswerHours * HOUR)
}
