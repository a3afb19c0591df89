/**
 * The TikTok Shop order object (API 202309+, reference §2.4) as the core receives it from the shop
 * connection or the simulator. Times are Unix seconds, money values are decimal strings, IDs are
 * strings. Only the fields the product uses are typed (and stored, as columns); for anything else the
 * platform stays the source (Get Order Detail).
 */
export interface PlatformLineItem {
  id: string
  sku_id: string
  seller_sku?: string
  product_id?: string
  product_name?: string
  sku_name?: string
  sku_image?: string
  currency?: string
  sale_price?: string
  original_price?: string
  seller_discount?: string
  platform_discount?: string
  display_status?: string
  package_id?: string
  package_status?: string
  tracking_number?: string
  shipping_provider_name?: string
  rts_time?: number
  is_gift?: boolean
  cancel_reason?: string
  cancel_user?: string
  [k: string]: unknown
}

export interface PlatformAddress {
  name?: string
  first_name?: string
  last_name?: string
  phone_number?: string
  full_address?: string
  address_detail?: string
  address_line1?: string
  address_line2?: string
  postal_code?: string
  region_code?: string
  district_info?: { address_level?: string; address_level_name?: string; address_name?: string }[]
  [k: string]: unknown
}

export interface PlatformPayment {
  currency?: string
  sub_total?: string
  shipping_fee?: string
  seller_discount?: string
  platform_discount?: string
  total_amount?: string
  original_total_product_price?: string
  original_shipping_fee?: string
  shipping_fee_seller_discount?: string
  shipping_fee_platform_discount?: string
  tax?: string
  retail_delivery_fee?: string
  [k: string]: unknown
}

export interface PlatformOrder {
  id: string
  status: string
  create_time: number
  update_time: number
  paid_time?: number
  rts_time?: number
  collection_time?: number
  delivery_time?: number
  cancel_time?: number
  request_cancel_time?: number
  rts_sla_time?: number
  tts_sla_time?: number
  shipping_due_time?: number
  collection_due_time?: number
  delivery_due_time?: number
  user_id?: string
  buyer_message?: string
  seller_note?: string
  order_type?: string
  payment_method_name?: string
  is_on_hold_order?: boolean
  is_buyer_request_cancel?: boolean
  cancel_reason?: string
  cancellation_initiator?: string
  fulfillment_type?: string
  shipping_type?: string
  delivery_type?: string
  delivery_option_name?: string
  shipping_provider?: string
  tracking_number?: string
  warehouse_id?: string
  payment?: PlatformPayment
  recipient_address?: PlatformAddress
  line_items?: PlatformLineItem[]
  packages?: { id: string }[]
  [k: string]: unknown
}
