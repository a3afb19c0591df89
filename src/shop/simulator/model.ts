/** The simulator's stored shapes: plain JSON so a whole shop can be saved and restored. */
import type { PlatformAddress, PlatformOrder } from '../../orders/platform-order.js'
import type { PlatformCancellation } from '../port.js'
import type { SimProduct } from './catalog.js'

export interface SimOrder {
  /** the order exactly as the API returns it (wire shape) */
  o: PlatformOrder
  /** recipient address, hidden from the API while UNPAID / ON_HOLD */
  address: PlatformAddress
  /** goes through ON_HOLD when paid */
  hold: boolean
  /** the buyer's pending cancellation request, if any */
  pendingCancelId?: string
  /** timers (Unix seconds) */
  payAt?: number
  holdUntil?: number
  collectAt?: number
  deliverAt?: number
  completeAt?: number
}

export interface SimPackage {
  id: string
  order_id: string
  package_status: 'TO_FULFILL' | 'PROCESSING' | 'FULFILLING' | 'COMPLETED' | 'CANCELLED'
  shipping_type: string
  tracking_number: string
  shipping_provider_id: string
  shipping_provider_name: string
  handover_method?: string
  create_time: number
  update_time: number
}

export interface SimCancellation extends PlatformCancellation {
  /** when SUCCESS turns into COMPLETE (refund done) */
  completeAt?: number
  /** idempotency keys already answered, per action */
  keys?: string[]
}

export interface SimToken {
  openId: string
  expiresAt: number
}

export interface SimShop {
  id: string
  name: string
  region: string
  seller_type: 'CROSS_BORDER' | 'LOCAL'
  cipher: string
  code: string
  currency: string
}

export interface SimData {
  shop: SimShop
  seller: { openId: string; name: string; region: string }
  products: SimProduct[]
  orders: Record<string, SimOrder>
  packages: Record<string, SimPackage>
  cancellations: Record<string, SimCancellation>
  authCodes: Record<string, { expiresAt: number; used: boolean }>
  accessTokens: Record<string, SimToken>
  refreshTokens: Record<string, SimToken>
  /** id counter (ids stay unique and, for one seed, the same on every run) */
  seq: number
}

/** What the simulator tells webhook subscribers (reference §5.3). */
export type SimEvent =
  | { type: 1; data: { order_id: string; order_status: string; is_on_hold_order: boolean; update_time: number } }
  | {
      type: 11
      data: { order_id: string; cancellations_role: string; cancel_status: string; cancel_id: string; create_time: number }
    }
  | { type: 6; data: { message: string } }
  | { type: 7; data: { message: string; expiration_time: string } }
