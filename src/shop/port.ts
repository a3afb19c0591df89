/**
 * What the core needs from a shop. One implementation: the signed TikTok Shop API client
 * (src/shop/tiktok/), which talks to the real platform or, over HTTP too, to the simulator.
 * Methods take our shop id; the implementation finds the shop cipher and a fresh access token.
 *
 * Errors: AppError 'shop_error' when the platform refuses (params.platformCode holds its code,
 * e.g. 25011011 "cannot be rejected"); AppError 'shop_unavailable' for outages, timeouts and
 * throttling that outlasted the retries. Both carry a message a seller can read.
 */
import type { PlatformOrder } from '../orders/platform-order.js'

/** A cancellation record as Search Cancellations returns it (reference §3.2). */
export interface PlatformCancellation {
  cancel_id: string
  order_id: string
  cancel_type?: string
  cancel_status: string
  role?: string
  cancel_reason?: string
  cancel_reason_text?: string
  create_time: number
  update_time?: number
  seller_next_action_response?: { action: string; deadline: number }[]
  cancel_line_items?: { order_line_item_id?: string; sku_id?: string; seller_sku?: string; product_name?: string }[]
  [k: string]: unknown
}

export interface Page<T> {
  items: T[]
  nextPageToken: string
  totalCount?: number
}

export interface OrderSearch {
  updateTimeGe?: number
  updateTimeLt?: number
  createTimeGe?: number
  createTimeLt?: number
  status?: string
  pageSize?: number
  pageToken?: string
}

export interface CancellationSearch {
  cancelIds?: string[]
  orderIds?: string[]
  cancelStatus?: string[]
  updateTimeGe?: number
  updateTimeLt?: number
  pageSize?: number
  pageToken?: string
}

export interface Reason {
  name: string
  text: string
}

export type ShippingDocumentType = 'SHIPPING_LABEL' | 'PACKING_SLIP' | 'SHIPPING_LABEL_AND_PACKING_SLIP'

export interface ShopPort {
  searchOrders(shopId: string, q: OrderSearch): Promise<Page<PlatformOrder>>
  getOrders(shopId: string, ids: string[]): Promise<PlatformOrder[]>
  searchCancellations(shopId: string, q: CancellationSearch): Promise<Page<PlatformCancellation>>
  approveCancellation(shopId: string, cancelId: string, idempotencyKey: string): Promise<void>
  rejectCancellation(shopId: string, cancelId: string, reason: string, comment: string, idempotencyKey: string): Promise<void>
  rejectReasons(shopId: string, cancelId: string, locale?: string): Promise<Reason[]>
  /** seller-initiated cancellation (R2) */
  cancelOrder(shopId: string, orderId: string, reason: string): Promise<{ cancelId: string; cancelStatus: string }>
  shippingDocument(shopId: string, packageId: string, type: ShippingDocumentType): Promise<{ docUrl: string; trackingNumber: string }>
  /** The shop's authorisation changed (a deauthorisation was stored): drop anything cached about it. */
  shopChanged?(shopId: string): void
}
