/** Test data builders: a shop, and platform orders in the TikTok Shop shape (reference §2.4). */
import type { Executor } from '../../db/database.js'
import { shops } from '../../db/schema.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import type { PlatformCancellation } from '../../src/shop/port.js'

let seq = 0
export const uniqueId = (prefix = '') => `${prefix}${Date.now()}${String(++seq).padStart(5, '0')}`

export async function seedShop(db: Executor, over: Partial<typeof shops.$inferInsert> = {}) {
  const id = over.id ?? uniqueId('7495')
  const [row] = await db
    .insert(shops)
    .values({ id, name: `Shop ${id}`, region: 'US', currency: 'USD', timeZone: 'UTC', source: 'simulator', ...over })
    .returning()
  return row
}

const s = (d: Date | string | number) => Math.floor(new Date(d).getTime() / 1000)

/** A paid order awaiting shipment, two units of SKU A and one of SKU B, unless overridden. */
export function platformOrder(over: Partial<PlatformOrder> & { at?: Date | string } = {}): PlatformOrder {
  const at = over.at ?? '2026-11-20T08:00:00Z'
  const id = over.id ?? uniqueId('5766')
  const { at: _at, ...rest } = over
  return {
    id,
    status: 'AWAITING_SHIPMENT',
    create_time: s(at) - 60,
    paid_time: s(at),
    update_time: s(at),
    user_id: '7494726673780148744',
    buyer_message: '',
    payment: {
      currency: 'USD',
      sub_total: '45.00',
      shipping_fee: '5.00',
      seller_discount: '0',
      platform_discount: '0',
      total_amount: '50.00',
      original_total_product_price: '45.00',
      original_shipping_fee: '5.00',
      shipping_fee_seller_discount: '0',
      shipping_fee_platform_discount: '0',
      tax: '0',
    },
    recipient_address: {
      name: 'Ada Buyer',
      phone_number: '(+1)213-***-1234',
      full_address: '1 Main St, Los Angeles, CA 90001, US',
      address_detail: '1 Main St',
      postal_code: '90001',
      region_code: 'US',
      district_info: [
        { address_level: 'L0', address_level_name: 'Country', address_name: 'United States' },
        { address_level: 'L1', address_level_name: 'State', address_name: 'California' },
        { address_level: 'L2', address_level_name: 'County', address_name: 'Los Angeles' },
        { address_level: 'L3', address_level_name: 'City', address_name: 'Los Angeles' },
      ],
    },
    shipping_type: 'TIKTOK',
    fulfillment_type: 'FULFILLMENT_BY_SELLER',
    delivery_option_name: 'Standard Shipping',
    line_items: [
      { id: `${id}01`, sku_id: '1729001', seller_sku: 'SKU-A', product_name: 'Phone case 手机壳', sku_name: 'Black', sale_price: '15.00', original_price: '15.00', currency: 'USD' },
      { id: `${id}02`, sku_id: '1729001', seller_sku: 'SKU-A', product_name: 'Phone case 手机壳', sku_name: 'Black', sale_price: '15.00', original_price: '15.00', currency: 'USD' },
      { id: `${id}03`, sku_id: '1729002', seller_sku: 'SKU-B', product_name: 'Cable', sku_name: '1m', sale_price: '15.00', original_price: '15.00', currency: 'USD' },
    ],
    ...rest,
  }
}

export const unix = s

/** A buyer's cancellation request on `orderId`, made at `at` and waiting for the seller's answer, unless overridden. */
export function buyerRequest(orderId: string, at: Date | string, over: Partial<PlatformCancellation> = {}): PlatformCancellation {
  return {
    cancel_id: uniqueId('4035'),
    order_id: orderId,
    cancel_type: 'BUYER_CANCEL',
    cancel_status: 'CANCELLATION_REQUEST_PENDING',
    role: 'BUYER',
    create_time: s(at),
    update_time: s(at),
    ...over,
  }
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
