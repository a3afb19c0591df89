/**
 * What an export should contain, computed from the database by a path independent of the export's
 * SQL: plain drizzle selects, grouping and decimal sums in JS, time zones through Intl.
 * Values: text/id as stored, money as the exact decimal text, int as number, datetime as the wall
 * clock "YYYY-MM-DD HH:MM:SS" in the zone, null when the database has none.
 */
import { and, asc, gte, inArray, lt, eq } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { orderLineItems, orderPackages, orders, packages } from '../../db/schema.js'
import type { Locale } from '../../src/assistant/types.js'
import type { ExportFilter } from '../../src/exports/filters.js'

type Order = typeof orders.$inferSelect
type Item = typeof orderLineItems.$inferSelect
type Pkg = typeof packages.$inferSelect
export type Expected = string | number | null

const LABELS: Record<Locale, Record<string, string>> = {
  en: { unpaid: 'Unpaid', awaiting_shipment: 'Awaiting shipment', shipped: 'Shipped', completed: 'Completed', cancelling: 'Cancelling', cancelled: 'Cancelled' },
  'zh-CN': { unpaid: '未支付', awaiting_shipment: '待发货', shipped: '已发货', completed: '已完成', cancelling: '取消中', cancelled: '已取消' },
}

function wall(d: Date | null, tz: string): string | null {
  if (!d) return null
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** Exact decimal sum of numeric texts, scale = the largest input scale (as PostgreSQL's sum). */
export function decSum(values: (string | null)[]): string | null {
  const xs = values.filter((v): v is string => v !== null)
  if (!xs.length) return null
  const scale = Math.max(...xs.map((v) => (v.split('.')[1] ?? '').length))
  let total = 0n
  for (const v of xs) {
    const neg = v.startsWith('-')
    const [i, f = ''] = v.replace('-', '').split('.')
    const n = BigInt(i + f.padEnd(scale, '0'))
    total += neg ? -n : n
  }
  const neg = total < 0n
  const s = (neg ? -total : total).toString().padStart(scale + 1, '0')
  return (neg ? '-' : '') + (scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s)
}

const distinctJoined = (xs: (string | null)[]) => {
  const u = [...new Set(xs.filter((x): x is string => !!x))].sort()
  return u.length ? u.join(',') : null
}

interface Ctx {
  o: Order
  items: Item[]
  sku?: Item[]
  pkg?: Pkg | null
  tz: string
  locale: Locale
}

const printed = (d: Date | null, l: Locale) => (l === 'zh-CN' ? (d ? '已打印' : '未打印') : d ? 'Printed' : 'Not printed')

function value(key: string, c: Ctx): Expected {
  const { o, tz, locale } = c
  const lv = (i: number) => o.recipientLevels[i] ?? null
  switch (key) {
    case 'order_id': return o.id
    case 'shop_id': return o.shopId
    case 'status': return LABELS[locale][o.status]
    case 'platform_status': return o.platformStatus
    case 'cancel_type': return o.status === 'cancelled' || o.status === 'cancelling' ? (locale === 'zh-CN' ? '取消' : 'Cancel') : ''
    case 'order_type': return o.orderType
    case 'buyer_user_id': return o.buyerUserId
    case 'item_count': return c.items.length
    case 'original_total_product_price': return o.originalTotalProductPrice
    case 'seller_discount': return o.sellerDiscount
    case 'platform_discount': return o.platformDiscount
    case 'sub_total': return o.subTotal
    case 'shipping_fee': return o.shippingFee
    case 'original_shipping_fee': return o.originalShippingFee
    case 'shipping_fee_seller_discount': return o.shippingFeeSellerDiscount
    case 'shipping_fee_platform_discount': return o.shippingFeePlatformDiscount
    case 'retail_delivery_fee': return o.retailDeliveryFee
    case 'tax': return o.tax
    case 'total_amount': return o.totalAmount
    case 'currency': return o.currency
    case 'payment_method_name': return o.paymentMethodName
    case 'created_at': return wall(o.createTime, tz)
    case 'paid_at': return wall(o.paidTime, tz)
    case 'rts_at': return wall(o.rtsTime, tz)
    case 'shipped_at': return wall(o.collectionTime, tz)
    case 'delivered_at': return wall(o.deliveryTime, tz)
    case 'cancelled_at': return wall(o.cancelTime, tz)
    case 'cancellation_initiator': return o.cancellationInitiator
    case 'cancel_reason': return o.cancelReason
    case 'fulfillment_type': return o.fulfillmentType
    case 'shipping_type': return o.shippingType
    case 'warehouse_id': return o.warehouseId
    case 'delivery_option_name': return o.deliveryOptionName
    case 'buyer_message': return o.buyerMessage
    case 'seller_note': return o.sellerNote
    case 'recipient_name': return o.recipientName
    case 'recipient_phone': return o.recipientPhone
    case 'l0': return lv(0)
    case 'l1': return lv(1)
    case 'l2': return lv(2)
    case 'l3': return lv(3)
    case 'l4': return lv(4)
    case 'recipient_postal_code': return o.recipientPostalCode
    case 'recipient_address_detail': return o.recipientAddressDetail
    case 'recipient_full_address': return o.recipientFullAddress
    case 'pick_list_printed': return printed(o.pickListPrintedAt, locale)
    case 'label_printed': return printed(o.labelPrintedAt, locale)
  }
  if (c.sku !== undefined) {
    const s = c.sku
    const none = s.length === 0
    switch (key) {
      case 'sku_id': return none ? null : s[0].skuId
      case 'seller_sku': return none ? null : s.map((x) => x.sellerSku).sort()[0]
      case 'product_name': return none ? null : s.map((x) => x.productName).sort()[0]
      case 'sku_name': return none ? null : s.map((x) => x.skuName).sort()[0]
      case 'quantity': return none ? null : s.length
      case 'unit_original_price': {
        const ps = s.map((x) => x.originalPrice).filter((x): x is string => x !== null)
        return ps.length ? ps.reduce((a, b) => (Number(b) > Number(a) ? b : a)) : null
      }
      case 'sku_subtotal_before': return decSum(s.map((x) => x.originalPrice))
      case 'sku_seller_discount': return decSum(s.map((x) => x.sellerDiscount))
      case 'sku_platform_discount': return decSum(s.map((x) => x.platformDiscount))
      case 'sku_subtotal_after': return decSum(s.map((x) => x.salePrice))
      case 'sku_package_ids': return distinctJoined(s.map((x) => x.packageId))
      case 'sku_package_status': return distinctJoined(s.map((x) => x.packageStatus))
      case 'sku_tracking': return distinctJoined(s.map((x) => x.trackingNumber)) || o.trackingNumber
      case 'sku_carrier': return distinctJoined(s.map((x) => x.shippingProviderName)) || o.shippingProvider
    }
  }
  if (c.pkg !== undefined) {
    const p = c.pkg
    switch (key) {
      case 'package_id': return p?.id ?? null
      case 'package_status': return p ? p.status : null
      case 'package_items': return p ? c.items.filter((i) => i.packageId === p.id).length : null
      case 'package_carrier': return p?.shippingProviderName || o.shippingProvider
      case 'package_tracking': return p?.trackingNumber || o.trackingNumber
    }
  }
  throw new Error(`the test does not know column ${key}: add it to test/exports/expected.ts`)
}

/** Expected rows (arrays by column key) of the export for this filter. */
export async function expectedRows(db: Executor, f: ExportFilter, keys: string[], locale: Locale): Promise<Expected[][]> {
  const t = f.timeField === 'paid' ? orders.paidTime : orders.createTime
  const where = [inArray(orders.shopId, f.shopIds), gte(t, f.from), lt(t, f.to)]
  if (f.status !== 'all') where.push(eq(orders.status, f.status))
  const os = await db.select().from(orders).where(and(...where)).orderBy(asc(t), asc(orders.id))
  const ids = os.map((o) => o.id)
  const items = ids.length ? await db.select().from(orderLineItems).where(inArray(orderLineItems.orderId, ids)) : []
  const links = ids.length ? await db.select().from(orderPackages).where(inArray(orderPackages.orderId, ids)) : []
  const pkgIds = [...new Set(links.map((l) => l.packageId))]
  const pkgs = pkgIds.length ? await db.select().from(packages).where(inArray(packages.id, pkgIds)) : []
  const out: Expected[][] = []
  for (const o of os) {
    const its = items.filter((i) => i.orderId === o.id).sort((a, b) => (a.id < b.id ? -1 : 1))
    const base = { o, items: its, tz: f.timeZone, locale }
    if (f.template === 'order_list') out.push(keys.map((k) => value(k, base)))
    else if (f.template === 'package_list') {
      const ps = links.filter((l) => l.orderId === o.id).map((l) => pkgs.find((p) => p.id === l.packageId)!).sort((a, b) => (a.id < b.id ? -1 : 1))
      if (!ps.length) out.push(keys.map((k) => value(k, { ...base, pkg: null })))
      for (const p of ps) out.push(keys.map((k) => value(k, { ...base, pkg: p })))
    } else {
      const groups = new Map<string, Item[]>()
      for (const i of its) groups.set(i.skuId, [...(groups.get(i.skuId) ?? []), i])
      if (!groups.size) out.push(keys.map((k) => value(k, { ...base, sku: [] })))
      for (const g of groups.values()) out.push(keys.map((k) => value(k, { ...base, sku: g })))
    }
  }
  return out
}
