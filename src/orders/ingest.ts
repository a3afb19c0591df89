/**
 * Idempotent order ingest (flow 1). The same order twice changes nothing and raises no event;
 * a newer `update_time` wins; an older one is ignored. Runs inside the caller's transaction so the
 * follow-ups (stock check, notifications) commit together with the order.
 */
import { eq } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { orderLineItems, orderPackages, orders, packages, shops } from '../../db/schema.js'
import { badInput, notFound } from '../shared/errors.js'
import { DEFAULT_DEADLINES, orderDueTimes } from './due-times.js'
import type { PlatformOrder } from './platform-order.js'
import { isHandedOver, normalizePlatformStatus, sellerStatusOf, type SellerStatus } from './status.js'

export type OrderRow = typeof orders.$inferSelect
export type NewOrderRow = typeof orders.$inferInsert
export type LineItemRow = typeof orderLineItems.$inferSelect

export interface OrderSnapshot {
  status: SellerStatus
  platformStatus: string
  isBuyerRequestCancel: boolean
  paidTime: Date | null
  updateTime: Date
}

export interface IngestResult {
  outcome: 'inserted' | 'updated' | 'unchanged' | 'stale'
  orderId: string
  shopId: string
  previous: OrderSnapshot | null
  current: OrderSnapshot
  /** true when this ingest is the first time we see the order paid */
  becamePaid: boolean
  statusChanged: boolean
  /** the platform status was a word we do not know (kept as is, status inferred) */
  unknownStatus: boolean
}

const sec = (v: unknown): Date | null => {
  if (v === null || v === undefined || v === '' || v === 0 || v === '0') return null
  const n = typeof v === 'string' ? Number(v) : (v as number)
  if (!Number.isFinite(n) || n <= 0) return null
  return new Date(n * 1000)
}
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v))
const dec = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null
  const s = String(v).trim()
  return /^-?\d+(\.\d+)?$/.test(s) ? s : null
}

/** Checks the fields without which an order cannot be stored. */
export function validatePlatformOrder(o: unknown): asserts o is PlatformOrder {
  const x = o as Partial<PlatformOrder> | null
  const problems: string[] = []
  if (!x || typeof x !== 'object') throw badInput('order: expected an object')
  if (typeof x.id !== 'string' || !/^\w{1,64}$/.test(x.id)) problems.push('id must be a string of digits/letters')
  if (typeof x.status !== 'string' || !x.status) problems.push('status is missing')
  if (!sec(x.create_time)) problems.push('create_time must be Unix seconds')
  if (!sec(x.update_time)) problems.push('update_time must be Unix seconds')
  if (x.line_items !== undefined && !Array.isArray(x.line_items)) problems.push('line_items must be a list')
  for (const li of x.line_items ?? []) {
    if (!li || typeof li.id !== 'string' || typeof li.sku_id !== 'string') {
      problems.push('each line item needs id and sku_id strings')
      break
    }
  }
  if (problems.length) throw badInput(`order ${str(x.id) || '?'}: ${problems.join('; ')}`, { problems })
}

/** Platform order → our row (without the marks and stock check, which are ours). */
export function toOrderRow(shopId: string, o: PlatformOrder, settings = DEFAULT_DEADLINES): NewOrderRow {
  const p = o.payment ?? {}
  const a = o.recipient_address ?? {}
  const paidTime = sec(o.paid_time)
  const facts = {
    isBuyerRequestCancel: o.is_buyer_request_cancel === true,
    paidTime,
    rtsTime: sec(o.rts_time),
    collectionTime: sec(o.collection_time),
    deliveryTime: sec(o.delivery_time),
    cancelTime: sec(o.cancel_time),
  }
  const rtsSlaTime = sec(o.rts_sla_time)
  const ttsSlaTime = sec(o.tts_sla_time)
  const due = orderDueTimes({ paidTime, rtsSlaTime, ttsSlaTime }, settings)
  const levels = (a.district_info ?? [])
    .slice()
    .sort((x, y) => str(x.address_level).localeCompare(str(y.address_level)))
    .map((d) => str(d.address_name))
  const name = a.name || [a.first_name, a.last_name].filter(Boolean).join(' ')
  return {
    id: o.id,
    shopId,
    platformStatus: normalizePlatformStatus(o.status) ?? o.status.trim().toUpperCase(),
    status: sellerStatusOf(o.status, facts),
    isOnHold: normalizePlatformStatus(o.status) === 'ON_HOLD',
    isBuyerRequestCancel: facts.isBuyerRequestCancel,
    buyerUserId: o.user_id ? str(o.user_id) : null,
    buyerMessage: str(o.buyer_message),
    sellerNote: str(o.seller_note),
    orderType: str(o.order_type),
    paymentMethodName: str(o.payment_method_name),
    currency: str(p.currency),
    subTotal: dec(p.sub_total),
    shippingFee: dec(p.shipping_fee),
    sellerDiscount: dec(p.seller_discount),
    platformDiscount: dec(p.platform_discount),
    totalAmount: dec(p.total_amount),
    originalTotalProductPrice: dec(p.original_total_product_price),
    originalShippingFee: dec(p.original_shipping_fee),
    shippingFeeSellerDiscount: dec(p.shipping_fee_seller_discount),
    shippingFeePlatformDiscount: dec(p.shipping_fee_platform_discount),
    tax: dec(p.tax),
    retailDeliveryFee: dec(p.retail_delivery_fee),
    createTime: sec(o.create_time)!,
    paidTime,
    updateTime: sec(o.update_time)!,
    rtsTime: facts.rtsTime,
    collectionTime: facts.collectionTime,
    deliveryTime: facts.deliveryTime,
    cancelTime: facts.cancelTime,
    requestCancelTime: sec(o.request_cancel_time),
    rtsSlaTime,
    ttsSlaTime,
    shippingDueTime: sec(o.shipping_due_time),
    collectionDueTime: sec(o.collection_due_time),
    deliveryDueTime: sec(o.delivery_due_time),
    packByAt: due.packByAt,
    handoverByAt: due.handoverByAt,
    cancelReason: str(o.cancel_reason),
    cancellationInitiator: str(o.cancellation_initiator),
    fulfillmentType: str(o.fulfillment_type),
    shippingType: str(o.shipping_type),
    deliveryType: str(o.delivery_type),
    deliveryOptionName: str(o.delivery_option_name),
    shippingProvider: str(o.shipping_provider),
    trackingNumber: str(o.tracking_number),
    warehouseId: str(o.warehouse_id),
    recipientName: str(name),
    recipientPhone: str(a.phone_number),
    recipientFullAddress: str(a.full_address),
    recipientAddressDetail: str(a.address_detail || [a.address_line1, a.address_line2].filter(Boolean).join(', ')),
    recipientPostalCode: str(a.postal_code),
    recipientRegionCode: str(a.region_code),
    recipientLevels: levels,
  }
}

export function toLineItemRows(orderId: string, o: PlatformOrder) {
  return (o.line_items ?? []).map((li) => ({
    id: li.id,
    orderId,
    skuId: li.sku_id,
    sellerSku: str(li.seller_sku),
    productId: str(li.product_id),
    productName: str(li.product_name),
    skuName: str(li.sku_name),
    skuImage: str(li.sku_image),
    currency: str(li.currency),
    salePrice: dec(li.sale_price),
    originalPrice: dec(li.original_price),
    sellerDiscount: dec(li.seller_discount),
    platformDiscount: dec(li.platform_discount),
    displayStatus: str(li.display_status),
    packageId: li.package_id ? str(li.package_id) : null,
    packageStatus: str(li.package_status),
    trackingNumber: str(li.tracking_number),
    shippingProviderName: str(li.shipping_provider_name),
    rtsTime: sec(li.rts_time),
    isGift: li.is_gift === true,
    cancelReason: str(li.cancel_reason),
    cancelUser: str(li.cancel_user),
  }))
}

const snapshot = (r: Pick<OrderRow, 'status' | 'platformStatus' | 'isBuyerRequestCancel' | 'paidTime' | 'updateTime'>): OrderSnapshot => ({
  status: r.status as SellerStatus,
  platformStatus: r.platformStatus,
  isBuyerRequestCancel: r.isBuyerRequestCancel,
  paidTime: r.paidTime,
  updateTime: r.updateTime,
})

/** What an order row we hold looks like to ingest (the columns it compares and keeps). */
export type HeldOrder = Pick<OrderRow, 'shopId' | 'status' | 'platformStatus' | 'isBuyerRequestCancel' | 'paidTime' | 'updateTime' | 'handedOverAt'>

/**
 * What storing `row` over `held` (the row we hold, if any) means: inserted, updated, unchanged or
 * stale, and the events it raises. Pure: the caller writes. An order of another shop is refused.
 */
export function judgeIngest(shopId: string, row: NewOrderRow, held: HeldOrder | undefined, unknownStatus: boolean): IngestResult {
  const current = snapshot(row as OrderRow)
  if (!held) return { outcome: 'inserted', orderId: row.id, shopId, previous: null, current, becamePaid: row.paidTime != null, statusChanged: true, unknownStatus }
  if (held.shopId !== shopId) throw badInput(`order ${row.id} belongs to another shop`, { orderId: row.id })
  const previous = snapshot(held)
  const base = { orderId: row.id, shopId, previous, unknownStatus }
  if (row.updateTime!.getTime() < held.updateTime.getTime()) return { ...base, outcome: 'stale', current: previous, becamePaid: false, statusChanged: false }
  if (row.updateTime!.getTime() === held.updateTime.getTime()) return { ...base, outcome: 'unchanged', current: previous, becamePaid: false, statusChanged: false }
  return {
    ...base,
    outcome: 'updated',
    current,
    becamePaid: held.paidTime == null && row.paidTime != null,
    statusChanged: held.status !== row.status || held.platformStatus !== row.platformStatus,
  }
}

/** The hand-over time to store: ours stays; a platform status that proves collection sets it. */
export const handedOverAtFor = (row: NewOrderRow, held: Pick<HeldOrder, 'handedOverAt'> | undefined, now: Date): Date | null =>
  held?.handedOverAt ?? (isHandedOver(row.platformStatus!) ? (row.collectionTime ?? now) : null)

/** The shop's deadline settings (for the due times of its orders); not found → error. */
export async function shopDeadlineSettings(tx: Executor, shopId: string) {
  const [shop] = await tx
    .select({ packByHours: shops.packByHours, handoverByHours: shops.handoverByHours, cancelAnswerHours: shops.cancelAnswerHours })
    .from(shops)
    .where(eq(shops.id, shopId))
  if (!shop) throw notFound(`shop ${shopId} is not known`, { shopId })
  return shop
}

/**
 * Stores a platform order for a shop. Call inside a transaction: the row is locked while it is
 * compared, so a webhook and a sync racing on one order decide once.
 */
export async function ingestOrder(tx: Executor, shopId: string, input: unknown, now: Date = new Date()): Promise<IngestResult> {
  validatePlatformOrder(input)
  const o = input
  const row = toOrderRow(shopId, o, await shopDeadlineSettings(tx, shopId))
  const unknownStatus = normalizePlatformStatus(o.status) === null

  let [existing] = await tx.select().from(orders).where(eq(orders.id, o.id)).for('update')
  if (!existing) {
    row.handedOverAt = handedOverAtFor(row, undefined, now)
    const inserted = await tx.insert(orders).values(row).onConflictDoNothing().returning({ id: orders.id })
    if (inserted.length) {
      await writeChildren(tx, shopId, o, true)
      return judgeIngest(shopId, row, undefined, unknownStatus)
    }
    ;[existing] = await tx.select().from(orders).where(eq(orders.id, o.id)).for('update')
  }
  const result = judgeIngest(shopId, row, existing, unknownStatus)
  if (result.outcome !== 'updated') return result

  // Our own marks stay; a platform fact may set a mark we did not have.
  const { id: _id, shopId: _shop, ...changes } = row
  await tx
    .update(orders)
    .set({ ...changes, handedOverAt: handedOverAtFor(row, existing, now), updatedAt: now })
    .where(eq(orders.id, o.id))
  await writeChildren(tx, shopId, o, false)
  return result
}

export type PackageRow = typeof packages.$inferInsert

/** The line items and packages of a platform order, as rows (one package row per package id). */
export function childRows(shopId: string, o: PlatformOrder): { items: ReturnType<typeof toLineItemRows>; packages: PackageRow[] } {
  const items = toLineItemRows(o.id, o)
  const packageIds = new Set<string>([
    ...(o.packages ?? []).map((p) => str(p?.id)).filter(Boolean),
    ...items.map((i) => i.packageId).filter((x): x is string => !!x),
  ])
  const pkgs = [...packageIds].map((pid): PackageRow => {
    const li = items.find((i) => i.packageId === pid)
    return {
      id: pid,
      shopId,
      status: li?.packageStatus ?? '',
      trackingNumber: li?.trackingNumber || str(o.tracking_number),
      shippingProviderName: li?.shippingProviderName || str(o.shipping_provider),
    }
  })
  return { items, packages: pkgs }
}

async function writeChildren(tx: Executor, shopId: string, o: PlatformOrder, fresh: boolean): Promise<void> {
  const { items, packages: pkgs } = childRows(shopId, o)
  if (!fresh) await tx.delete(orderLineItems).where(eq(orderLineItems.orderId, o.id))
  if (items.length) {
    await tx
      .insert(orderLineItems)
      .values(items)
      .onConflictDoUpdate({ target: orderLineItems.id, set: { orderId: o.id } })
  }
  for (const pkg of pkgs) {
    await tx
      .insert(packages)
      .values(pkg)
      .onConflictDoUpdate({
        target: packages.id,
        set: { status: pkg.status, trackingNumber: pkg.trackingNumber, shippingProviderName: pkg.shippingProviderName, updatedAt: new Date() },
      })
    await tx.insert(orderPackages).values({ orderId: o.id, packageId: pkg.id }).onConflictDoNothing()
  }
}
