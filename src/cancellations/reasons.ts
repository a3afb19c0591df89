/**
 * Reason lists (reference §3.5). Reject reasons come from the shop (Get Reject Reasons) and fall back
 * to the platform's documented list; seller-cancel reasons depend on the order's status. A reason
 * travels in a button as its index into the list, so the list must be rebuilt the same way.
 */
import type { Locale } from '../assistant/types.js'
import { isMessageKey, t } from '../i18n/index.js'
import { normalizePlatformStatus } from '../orders/status.js'
import type { Reason, ShopPort } from '../shop/port.js'
import type { Logger } from '../shared/logger.js'

export const FALLBACK_REJECT_REASONS = [
  'order_manage_list_action_respond_popup_reject_reason_invalid_cancellation_reason',
  'order_manage_list_action_respond_popup_reject_reason_delivered',
  'order_manage_list_action_respond_popup_reject_reason_buyer_agree',
  'seller_reject_apply_product_has_been_packed',
]

export const SELLER_CANCEL_UNPAID = [
  'seller_cancel_unpaid_reason_out_of_stock',
  'seller_cancel_unpaid_reason_wrong_price',
  'seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed',
  'seller_cancel_unpaid_reason_buyer_requested_cancellation',
]

export const SELLER_CANCEL_PAID = [
  'seller_cancel_reason_out_of_stock',
  'seller_cancel_reason_wrong_price',
  'seller_cancel_paid_reason_address_not_deliver',
  'seller_cancel_paid_reason_buyer_requested_cancellation',
]

const isUk = (region: string) => ['GB', 'UK'].includes(region.toUpperCase())
export const isUs = (region: string) => region.toUpperCase() === 'US'

/** A reason's text for people: the catalogue's, else its machine name made readable. */
export function reasonText(name: string, locale: Locale): string {
  const base = name.replace(/_uk$/, '')
  const key = `reason.${base}`
  return isMessageKey(key) ? t(locale, key) : base.replace(/_/g, ' ')
}

function fallbackReject(region: string, locale: Locale): Reason[] {
  return FALLBACK_REJECT_REASONS.map((n, i) => {
    const name = isUk(region) && i < 3 ? `${n}_uk` : n
    return { name, text: reasonText(name, locale) }
  })
}

/** The platform's reject reasons for this request, or the documented list when the shop cannot say. */
export async function rejectReasons(
  shop: ShopPort,
  logger: Logger,
  input: { shopId: string; cancelId: string; region: string; locale: Locale },
): Promise<Reason[]> {
  try {
    const live = await shop.rejectReasons(input.shopId, input.cancelId, input.locale === 'zh-CN' ? 'zh-CN' : 'en-US')
    const usable = live.filter((r) => r && typeof r.name === 'string' && r.name)
    if (usable.length) return usable.slice(0, 25).map((r) => ({ name: r.name, text: r.text || reasonText(r.name, input.locale) }))
  } catch (err) {
    logger.warn('reject reasons unavailable, using the documented list', { shopId: input.shopId, error: (err as Error).message })
  }
  return fallbackReject(input.region, input.locale)
}

/** Seller-cancel reasons valid for the order's platform status, or null when it cannot be cancelled. */
export function sellerCancelReasons(platformStatus: string, region: string, locale: Locale): Reason[] | null {
  const s = normalizePlatformStatus(platformStatus)
  let names: string[] | null = null
  if (s === 'UNPAID') names = SELLER_CANCEL_UNPAID
  else if (s === 'ON_HOLD' || s === 'AWAITING_SHIPMENT') names = SELLER_CANCEL_PAID
  else if (s === 'AWAITING_COLLECTION' && isUs(region)) names = SELLER_CANCEL_PAID
  if (!names) return null
  return names.map((name) => ({ name, text: reasonText(name, locale) }))
}
