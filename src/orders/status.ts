/**
 * Platform order statuses (reference §2.3) and the statuses sellers filter by (R5).
 * Seller Center's tabs are the model: "to ship" holds on-hold, awaiting shipment, partially
 * shipping and awaiting collection; "shipped" is in transit and delivered.
 */
export const PLATFORM_STATUSES = [
  'UNPAID',
  'ON_HOLD',
  'AWAITING_SHIPMENT',
  'PARTIALLY_SHIPPING',
  'AWAITING_COLLECTION',
  'IN_TRANSIT',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const
export type PlatformStatus = (typeof PLATFORM_STATUSES)[number]

/** The statuses of R5, without "all". */
export const SELLER_STATUSES = ['unpaid', 'awaiting_shipment', 'shipped', 'completed', 'cancelling', 'cancelled'] as const
export type SellerStatus = (typeof SELLER_STATUSES)[number]
/** What a filter may ask for (R5). */
export const STATUS_FILTERS = ['all', ...SELLER_STATUSES] as const
export type StatusFilter = (typeof STATUS_FILTERS)[number]

/** Webhook and legacy spellings that mean a known status. */
const ALIASES: Record<string, PlatformStatus> = {
  CANCEL: 'CANCELLED',
  CANCELED: 'CANCELLED',
  AWAITING_SHIPPING: 'AWAITING_SHIPMENT',
  TO_SHIP: 'AWAITING_SHIPMENT',
}

/** The platform word in canonical form, or null when we do not know it. */
export function normalizePlatformStatus(value: string | null | undefined): PlatformStatus | null {
  const v = String(value ?? '').trim().toUpperCase()
  if ((PLATFORM_STATUSES as readonly string[]).includes(v)) return v as PlatformStatus
  return ALIASES[v] ?? null
}

const BASE: Record<PlatformStatus, SellerStatus> = {
  UNPAID: 'unpaid',
  ON_HOLD: 'awaiting_shipment',
  AWAITING_SHIPMENT: 'awaiting_shipment',
  PARTIALLY_SHIPPING: 'awaiting_shipment',
  AWAITING_COLLECTION: 'awaiting_shipment',
  IN_TRANSIT: 'shipped',
  DELIVERED: 'shipped',
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
}

export interface StatusFacts {
  isBuyerRequestCancel?: boolean
  paidTime?: Date | null
  rtsTime?: Date | null
  collectionTime?: Date | null
  deliveryTime?: Date | null
  cancelTime?: Date | null
}

/**
 * The seller-facing status. A pending buyer cancellation request on an unshipped paid order is
 * "cancelling". An unknown platform word is placed by what the order's own timestamps say.
 */
export function sellerStatusOf(platformStatus: string, facts: StatusFacts = {}): SellerStatus {
  const known = normalizePlatformStatus(platformStatus)
  const base: SellerStatus = known ? BASE[known] : inferFromTimes(facts)
  if (base === 'awaiting_shipment' && facts.isBuyerRequestCancel) return 'cancelling'
  return base
}

function inferFromTimes(f: StatusFacts): SellerStatus {
  if (f.cancelTime) return 'cancelled'
  if (f.deliveryTime || f.collectionTime) return 'shipped'
  if (f.paidTime) return 'awaiting_shipment'
  return 'unpaid'
}

/** Paid and not yet handed to the carrier: the orders that have pack / hand-over deadlines. */
export function isOpenForFulfilment(platformStatus: string): boolean {
  const s = normalizePlatformStatus(platformStatus)
  return s === 'ON_HOLD' || s === 'AWAITING_SHIPMENT' || s === 'PARTIALLY_SHIPPING' || s === 'AWAITING_COLLECTION'
}

/** Has the seller arranged shipment (label printed / packed, waiting for or past collection)? */
export function isShipmentArranged(platformStatus: string): boolean {
  const s = normalizePlatformStatus(platformStatus)
  return s === 'AWAITING_COLLECTION' || s === 'IN_TRANSIT' || s === 'DELIVERED' || s === 'COMPLETED'
}

/** Has the carrier taken the package (hand-over done)? */
export function isHandedOver(platformStatus: string): boolean {
  const s = normalizePlatformStatus(platformStatus)
  return s === 'IN_TRANSIT' || s === 'DELIVERED' || s === 'COMPLETED'
}

export function isSellerStatus(v: string): v is SellerStatus {
  return (SELLER_STATUSES as readonly string[]).includes(v)
}
