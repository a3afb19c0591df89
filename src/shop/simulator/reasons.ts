/**
 * Cancellation reason names (reference §3.5). Reject reasons and seller-cancel reasons depend on
 * the market; UK names carry a `_uk` suffix (except "product has been packed").
 */
export interface ReasonDef {
  name: string
  text: { 'en-US': string; 'zh-CN': string }
}

const REJECT_BASE: ReasonDef[] = [
  {
    name: 'order_manage_list_action_respond_popup_reject_reason_invalid_cancellation_reason',
    text: { 'en-US': 'Invalid cancellation reason', 'zh-CN': '取消原因无效' },
  },
  {
    name: 'order_manage_list_action_respond_popup_reject_reason_delivered',
    text: { 'en-US': 'Order will be delivered on schedule', 'zh-CN': '订单将按时送达' },
  },
  {
    name: 'order_manage_list_action_respond_popup_reject_reason_buyer_agree',
    text: { 'en-US': 'Agreement reached with the buyer', 'zh-CN': '已与买家协商一致' },
  },
]
const PACKED: ReasonDef = {
  name: 'seller_reject_apply_product_has_been_packed',
  text: { 'en-US': 'Product has been packed', 'zh-CN': '商品已打包' },
}

export function rejectReasons(region: string): ReasonDef[] {
  const uk = region === 'GB' || region === 'UK'
  return [...REJECT_BASE.map((r) => (uk ? { ...r, name: `${r.name}_uk` } : r)), PACKED]
}

const UNPAID_REASONS: ReasonDef[] = [
  { name: 'seller_cancel_unpaid_reason_out_of_stock', text: { 'en-US': 'Out of stock', 'zh-CN': '缺货' } },
  { name: 'seller_cancel_unpaid_reason_wrong_price', text: { 'en-US': 'Wrong price', 'zh-CN': '价格错误' } },
  {
    name: 'seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed',
    text: { 'en-US': "Buyer hasn't paid within the time allowed", 'zh-CN': '买家未在规定时间内付款' },
  },
  {
    name: 'seller_cancel_unpaid_reason_buyer_requested_cancellation',
    text: { 'en-US': 'Buyer requested cancellation', 'zh-CN': '买家要求取消' },
  },
]
const PAID_REASONS: ReasonDef[] = [
  { name: 'seller_cancel_reason_out_of_stock', text: { 'en-US': 'Out of stock', 'zh-CN': '缺货' } },
  { name: 'seller_cancel_reason_wrong_price', text: { 'en-US': 'Wrong price', 'zh-CN': '价格错误' } },
  {
    name: 'seller_cancel_paid_reason_address_not_deliver',
    text: { 'en-US': 'Unable to deliver to this address', 'zh-CN': '无法配送至该地址' },
  },
  {
    name: 'seller_cancel_paid_reason_buyer_requested_cancellation',
    text: { 'en-US': 'Buyer requested cancellation', 'zh-CN': '买家要求取消' },
  },
]

/** Reasons a seller may give to cancel an order in this status (empty: the status cannot be cancelled). */
export function sellerCancelReasons(status: string, region: string): ReasonDef[] {
  if (status === 'UNPAID') return UNPAID_REASONS
  if (status === 'ON_HOLD' || status === 'AWAITING_SHIPMENT') return PAID_REASONS
  if (status === 'AWAITING_COLLECTION' && region === 'US') return PAID_REASONS
  return []
}

/** Is `name` valid for the status? UK names may carry the `_uk` suffix. */
export function isSellerCancelReason(name: string, status: string, region: string): ReasonDef | undefined {
  const base = name.endsWith('_uk') ? name.slice(0, -3) : name
  return sellerCancelReasons(status, region).find((r) => r.name === base)
}

export const BUYER_CANCEL_REASONS: ReasonDef[] = [
  {
    name: 'ecom_order_to_ship_canceled_reason_no_longer_needed',
    text: { 'en-US': 'No longer needed', 'zh-CN': '不再需要' },
  },
  {
    name: 'ecom_order_to_ship_canceled_reason_created_by_mistakes',
    text: { 'en-US': 'Ordered by mistake', 'zh-CN': '误下单' },
  },
  { name: 'ecom_order_to_ship_canceled_reason_better_price', text: { 'en-US': 'Found a better price', 'zh-CN': '找到更优惠的价格' } },
  {
    name: 'ecom_order_to_ship_canceled_reason_wrong_delivery_info',
    text: { 'en-US': 'Wrong delivery information', 'zh-CN': '收货信息有误' },
  },
  {
    name: 'ecom_order_to_ship_canceled_reason_not_shipped_on_time',
    text: { 'en-US': 'Not shipped on time', 'zh-CN': '未按时发货' },
  },
]

export const SYSTEM_REASONS = {
  unpaidTimeout: { name: 'system_cancel_unpaid_time_out', text: { 'en-US': 'Payment not completed in time', 'zh-CN': '超时未付款' } },
  shippingTimeout: {
    name: 'system_cancel_order_reason_shipping_timeout',
    text: { 'en-US': 'Package not shipped in time', 'zh-CN': '超时未发货' },
  },
} satisfies Record<string, ReasonDef>

export function reasonText(r: ReasonDef, locale: string | undefined): string {
  return locale?.toLowerCase().startsWith('zh') ? r.text['zh-CN'] : r.text['en-US']
}
