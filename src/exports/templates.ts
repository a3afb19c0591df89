/**
 * The three export templates (R6) as data: per template an ordered column list with a header in
 * English and Chinese, a cell type, and which field of the export row it shows (as it is, as a
 * label, or with a fallback field). Headers follow the Seller Center "all orders" export (reference §7).
 *
 * Values are as the database gives them: money as exact decimal strings, times as wall-clock
 * strings "YYYY-MM-DD HH:MM:SS" already in the channel's zone, IDs as strings. The writers turn
 * them into typed cells (xlsx) or text (CSV).
 */
import type { Locale } from '../assistant/types.js'
import type { TemplateName } from './filters.js'
import { sqlLiteral } from './sql-text.js'

export type CellType = 'text' | 'money' | 'int' | 'datetime' | 'id'
export type CellValue = string | number | null

/** One row from the export query (src/exports/query.ts). The export reads only the fields its
 * template shows (and order_id, k_t): the others are absent from its rows. */
export interface ExportRow {
  order_id: string
  shop_id: string
  status: string
  platform_status: string
  order_type: string
  buyer_user_id: string | null
  buyer_message: string
  seller_note: string
  payment_method_name: string
  currency: string
  sub_total: string | null
  shipping_fee: string | null
  seller_discount: string | null
  platform_discount: string | null
  total_amount: string | null
  original_total_product_price: string | null
  original_shipping_fee: string | null
  shipping_fee_seller_discount: string | null
  shipping_fee_platform_discount: string | null
  tax: string | null
  retail_delivery_fee: string | null
  created_at: string | null
  paid_at: string | null
  rts_at: string | null
  shipped_at: string | null
  delivered_at: string | null
  cancelled_at: string | null
  cancel_reason: string
  cancellation_initiator: string
  fulfillment_type: string
  shipping_type: string
  delivery_option_name: string
  shipping_provider: string
  tracking_number: string
  warehouse_id: string
  recipient_name: string
  recipient_phone: string
  recipient_full_address: string
  recipient_address_detail: string
  recipient_postal_code: string
  l0: string | null
  l1: string | null
  l2: string | null
  l3: string | null
  l4: string | null
  pick_list_printed: boolean
  label_printed: boolean
  item_count: number
  // order_sku_list
  sku_id?: string | null
  seller_sku?: string | null
  product_name?: string | null
  sku_name?: string | null
  quantity?: number | null
  unit_original_price?: string | null
  sku_subtotal_before?: string | null
  sku_seller_discount?: string | null
  sku_platform_discount?: string | null
  sku_subtotal_after?: string | null
  sku_package_ids?: string | null
  sku_package_status?: string | null
  sku_tracking?: string | null
  sku_carrier?: string | null
  // package_list
  package_id?: string | null
  package_status?: string | null
  package_tracking?: string | null
  package_carrier?: string | null
  package_items?: number | null
  /** keyset position (the chosen time as text); not a column */
  k_t: string
}

/** A text in both languages of the files. */
export interface Label {
  en: string
  zh: string
}

/** A field of the export row (the names of the export query's values). */
export type Field = Exclude<keyof ExportRow, 'k_t'>

/**
 * What a column holds, as data: a field of the row, optionally shown as a label in the file's
 * language, or replaced by another field when empty. One description gives both the value the
 * writers put in a cell (`Column.value`) and the SQL text expression the CSV COPY path selects
 * (`columnSql`), so the two paths cannot drift apart.
 */
export interface ValueSpec {
  field: Field
  /** the value (as text: 'true' / 'false' for a flag) → its label; other values stay as they are */
  labels?: Record<string, Label>
  /** with `labels`: the label of every value not in `labels` (instead of the value itself) */
  otherwise?: Label
  /** when the field is empty or null, this field instead */
  orElse?: Field
}

export interface Column {
  key: string
  header: Label
  type: CellType
  /** width in characters for xlsx */
  width?: number
  spec: ValueSpec
  /** the cell value of a row, derived from `spec` */
  value(row: ExportRow, locale: Locale): CellValue
}

export interface Template {
  name: TemplateName
  title: Label
  /** what one row is */
  rowIs: 'order' | 'package' | 'sku'
  columns: Column[]
}

const SELLER_STATUS: Record<string, Label> = {
  unpaid: { en: 'Unpaid', zh: '未支付' },
  awaiting_shipment: { en: 'Awaiting shipment', zh: '待发货' },
  shipped: { en: 'Shipped', zh: '已发货' },
  completed: { en: 'Completed', zh: '已完成' },
  cancelling: { en: 'Cancelling', zh: '取消中' },
  cancelled: { en: 'Cancelled', zh: '已取消' },
}
const CANCEL: Label = { en: 'Cancel', zh: '取消' }
const CANCEL_TYPE: Record<string, Label> = { cancelled: CANCEL, cancelling: CANCEL }
const NONE: Label = { en: '', zh: '' }
const PRINTED: Record<string, Label> = { true: { en: 'Printed', zh: '已打印' }, false: { en: 'Not printed', zh: '未打印' } }

export const pick = (t: Label, locale: Locale) => (locale === 'zh-CN' ? t.zh : t.en)
export const sellerStatusText = (status: string, locale: Locale): string =>
  SELLER_STATUS[status] ? pick(SELLER_STATUS[status], locale) : status

/** The JS reading of a value spec (what `Column.value` does). */
function reader(spec: ValueSpec): (row: ExportRow, locale: Locale) => CellValue {
  const { field, labels, otherwise, orElse } = spec
  if (orElse) return (r) => ((r[field] as CellValue) || (r[orElse] as CellValue)) ?? null
  if (labels)
    return (r, l) => {
      const v = r[field] as CellValue | boolean
      const label = labels[String(v)] ?? otherwise
      return label ? pick(label, l) : ((v as CellValue) ?? null)
    }
  return (r) => (r[field] as CellValue) ?? null
}

/** The SQL reading of a value spec: the same value as `reader`, as a text expression over the
 * export query's field expressions (`fieldSql`), with the labels of `locale` as literals. */
export function valueSql(spec: ValueSpec, locale: Locale, fieldSql: (f: Field) => string): string {
  const { field, labels, otherwise, orElse } = spec
  const v = fieldSql(field)
  if (orElse) return `coalesce(nullif(${v}, ''), ${fieldSql(orElse)})`
  if (labels) {
    const whens = Object.entries(labels).map(([k, l]) => `when ${sqlLiteral(k)} then ${sqlLiteral(pick(l, locale))}`)
    return `case (${v})::text ${whens.join(' ')} else ${otherwise ? sqlLiteral(pick(otherwise, locale)) : `(${v})::text`} end`
  }
  return v
}

const col = (key: string, en: string, zh: string, type: CellType, spec: Partial<ValueSpec> = {}, width?: number): Column => {
  const full: ValueSpec = { field: key as Field, ...spec }
  return { key, header: { en, zh }, type, width, spec: full, value: reader(full) }
}

// Columns shared by the templates.
const C = {
  orderId: col('order_id', 'Order ID', '订单号', 'id', {}, 21),
  shopId: col('shop_id', 'Shop ID', '店铺 ID', 'id'),
  status: col('status', 'Order Status', '订单状态', 'text', { labels: SELLER_STATUS }, 18),
  substatus: col('platform_status', 'Order Substatus', '订单子状态', 'text', {}, 20),
  cancelType: col('cancel_type', 'Cancelation/Return Type', '取消/退货类型', 'text', { field: 'status', labels: CANCEL_TYPE, otherwise: NONE }),
  orderType: col('order_type', 'Normal or Pre-order', '订单类型', 'text'),
  buyerId: col('buyer_user_id', 'Buyer ID', '买家 ID', 'id', {}, 21),
  items: col('item_count', 'Items', '商品件数', 'int'),
  subtotalBefore: col('original_total_product_price', 'Subtotal Before Discount', '折扣前商品小计', 'money'),
  sellerDiscount: col('seller_discount', 'Seller Discount', '卖家折扣', 'money'),
  platformDiscount: col('platform_discount', 'Platform Discount', '平台折扣', 'money'),
  subtotal: col('sub_total', 'Subtotal After Discount', '折扣后商品小计', 'money'),
  shippingAfter: col('shipping_fee', 'Shipping Fee After Discount', '折扣后运费', 'money'),
  shippingOriginal: col('original_shipping_fee', 'Original Shipping Fee', '原始运费', 'money'),
  shippingSeller: col('shipping_fee_seller_discount', 'Shipping Fee Seller Discount', '运费卖家折扣', 'money'),
  shippingPlatform: col('shipping_fee_platform_discount', 'Shipping Fee Platform Discount', '运费平台折扣', 'money'),
  retailDelivery: col('retail_delivery_fee', 'Retail Delivery Fee', '零售配送费', 'money'),
  taxes: col('tax', 'Taxes', '税费', 'money'),
  total: col('total_amount', 'Order Amount', '订单金额', 'money'),
  currency: col('currency', 'Currency', '币种', 'text', {}, 9),
  paymentMethod: col('payment_method_name', 'Payment Method', '支付方式', 'text'),
  created: col('created_at', 'Created Time', '创建时间', 'datetime'),
  paid: col('paid_at', 'Paid Time', '付款时间', 'datetime'),
  rts: col('rts_at', 'RTS Time', '备货完成时间', 'datetime'),
  shipped: col('shipped_at', 'Shipped Time', '发货时间', 'datetime'),
  delivered: col('delivered_at', 'Delivered Time', '送达时间', 'datetime'),
  cancelled: col('cancelled_at', 'Cancelled Time', '取消时间', 'datetime'),
  cancelBy: col('cancellation_initiator', 'Cancel By', '取消方', 'text'),
  cancelReason: col('cancel_reason', 'Cancel Reason', '取消原因', 'text', {}, 24),
  fulfillmentType: col('fulfillment_type', 'Fulfillment Type', '履约方式', 'text', {}, 22),
  shippingType: col('shipping_type', 'Shipping Type', '物流方式', 'text'),
  warehouse: col('warehouse_id', 'Warehouse ID', '仓库 ID', 'id'),
  deliveryOption: col('delivery_option_name', 'Delivery Option', '配送选项', 'text', {}, 18),
  buyerMessage: col('buyer_message', 'Buyer Message', '买家留言', 'text', {}, 30),
  sellerNote: col('seller_note', 'Seller Note', '卖家备注', 'text', {}, 30),
  recipient: col('recipient_name', 'Recipient', '收件人', 'text', {}, 18),
  phone: col('recipient_phone', 'Phone #', '电话', 'id', {}, 18),
  country: col('l0', 'Country', '国家/地区', 'text'),
  state: col('l1', 'State/Province', '省/州', 'text'),
  l2: col('l2', 'County/City', '市/县', 'text'),
  l3: col('l3', 'City/District', '城市/区', 'text'),
  l4: col('l4', 'Town', '乡镇/街道', 'text'),
  zipcode: col('recipient_postal_code', 'Zipcode', '邮编', 'id', {}, 10),
  detailAddress: col('recipient_address_detail', 'Detail Address', '详细地址', 'text', {}, 30),
  fullAddress: col('recipient_full_address', 'Full Address', '完整地址', 'text', {}, 40),
  pickList: col('pick_list_printed', 'Pick List Status', '拣货单打印状态', 'text', { labels: PRINTED }),
  label: col('label_printed', 'Shipping Label Status', '面单打印状态', 'text', { labels: PRINTED }),
}

const orderList: Template = {
  name: 'order_list',
  title: { en: 'Order list', zh: '订单清单' },
  rowIs: 'order',
  columns: [
    C.orderId,
    C.status,
    C.substatus,
    C.cancelType,
    C.orderType,
    C.shopId,
    C.buyerId,
    C.items,
    C.subtotalBefore,
    C.sellerDiscount,
    C.platformDiscount,
    C.subtotal,
    C.shippingOriginal,
    C.shippingSeller,
    C.shippingPlatform,
    C.shippingAfter,
    C.retailDelivery,
    C.taxes,
    C.total,
    C.currency,
    C.paymentMethod,
    C.created,
    C.paid,
    C.rts,
    C.shipped,
    C.delivered,
    C.cancelled,
    C.cancelBy,
    C.cancelReason,
    C.buyerMessage,
    C.sellerNote,
  ],
}

const packageList: Template = {
  name: 'package_list',
  title: { en: 'Package list', zh: '包裹清单' },
  rowIs: 'package',
  columns: [
    col('package_id', 'Package ID', '包裹号', 'id', {}, 21),
    C.orderId,
    col('package_status', 'Package Status', '包裹状态', 'text', {}, 16),
    C.status,
    C.substatus,
    C.shopId,
    col('package_items', 'Items in Package', '包裹商品件数', 'int'),
    C.recipient,
    C.phone,
    C.country,
    C.state,
    C.l2,
    C.l3,
    C.l4,
    C.zipcode,
    C.detailAddress,
    C.fullAddress,
    col('package_carrier', 'Shipping Provider Name', '物流商', 'text', { orElse: 'shipping_provider' }, 18),
    col('package_tracking', 'Tracking ID', '运单号', 'id', { orElse: 'tracking_number' }, 22),
    C.deliveryOption,
    C.shippingType,
    C.fulfillmentType,
    C.warehouse,
    C.created,
    C.paid,
    C.rts,
    C.shipped,
    C.delivered,
    C.pickList,
    C.label,
    C.buyerMessage,
  ],
}

const orderSkuList: Template = {
  name: 'order_sku_list',
  title: { en: 'Order SKU list', zh: '订单商品列表' },
  rowIs: 'sku',
  columns: [
    C.orderId,
    C.status,
    C.substatus,
    C.cancelType,
    C.orderType,
    col('sku_id', 'SKU ID', 'SKU ID', 'id', {}, 21),
    col('seller_sku', 'Seller SKU', '卖家 SKU', 'text', {}, 16),
    col('product_name', 'Product Name', '商品名称', 'text', {}, 36),
    col('sku_name', 'Variation', '规格', 'text', {}, 16),
    col('quantity', 'Quantity', '数量', 'int'),
    col('unit_original_price', 'SKU Unit Original Price', 'SKU 原始单价', 'money'),
    col('sku_subtotal_before', 'SKU Subtotal Before Discount', 'SKU 折扣前小计', 'money'),
    col('sku_platform_discount', 'SKU Platform Discount', 'SKU 平台折扣', 'money'),
    col('sku_seller_discount', 'SKU Seller Discount', 'SKU 卖家折扣', 'money'),
    col('sku_subtotal_after', 'SKU Subtotal After Discount', 'SKU 折扣后小计', 'money'),
    C.shippingAfter,
    C.shippingOriginal,
    C.shippingSeller,
    C.shippingPlatform,
    C.retailDelivery,
    C.taxes,
    C.total,
    C.currency,
    C.created,
    C.paid,
    C.rts,
    C.shipped,
    C.delivered,
    C.cancelled,
    C.cancelBy,
    C.cancelReason,
    C.fulfillmentType,
    C.warehouse,
    col('sku_tracking', 'Tracking ID', '运单号', 'id', { orElse: 'tracking_number' }, 22),
    C.deliveryOption,
    col('sku_carrier', 'Shipping Provider Name', '物流商', 'text', { orElse: 'shipping_provider' }, 18),
    C.buyerMessage,
    C.buyerId,
    C.recipient,
    C.phone,
    C.country,
    C.state,
    C.l2,
    C.l3,
    C.l4,
    C.zipcode,
    C.detailAddress,
    C.fullAddress,
    C.paymentMethod,
    col('sku_package_ids', 'Package ID', '包裹号', 'id', {}, 21),
    col('sku_package_status', 'Package Status', '包裹状态', 'text', {}, 16),
    C.pickList,
    C.label,
    C.sellerNote,
    C.shopId,
  ],
}

export const TEMPLATES: Record<TemplateName, Template> = {
  order_list: orderList,
  package_list: packageList,
  order_sku_list: orderSkuList,
}

export const headerOf = (c: Column, locale: Locale) => pick(c.header, locale)
export const templateTitle = (t: Template, locale: Locale) => pick(t.title, locale)
