/**
 * Shipping labels (R4). Where the shop ships with the platform (shipping_type TIKTOK) the label is the
 * platform's document (reference §4.1: GET …/packages/{id}/shipping_documents, `doc_url` valid 24 h,
 * only between arranging shipment and carrier collection); we fetch the PDF and hand it over as a
 * file, or hand over the link when it cannot be fetched. For seller shipping we draw our own label.
 * Handing a label over marks the label printed for the orders it covers.
 */
import { and, eq, inArray, ne } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import { orderLineItems, orderPackages, orders, shops } from '../../db/schema.js'
import type { Locale, OutgoingFile } from '../assistant/types.js'
import { HOUR } from '../shared/clock.js'
import { isAppError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import type { ShopPort } from '../shop/port.js'
import { fulfilmentError } from './errors.js'
import { renderSellerLabelPdf, type SellerLabel } from './label-pdf.js'
import { discardOutgoingFile, writeOutgoingFile } from './out-file.js'
import { recordPrint } from './print-marks.js'

/** Platform codes for "no label yet: ship the package first" (reference §4.1). */
const NOT_ARRANGED_CODES = new Set([11034002, 21008017])
/** Platform code for "FBT packages cannot print" (reference §4.1). */
const FBT_CODE = 21008043
/** The platform's doc_url lives 24 h (reference §4.1). */
export const DOC_URL_LIFETIME_MS = 24 * HOUR

export interface LabelInput {
  shopIds: string[]
  orderId: string
  actor: string
  actorName?: string
  channelId?: number | null
  locale: Locale
  timeZone: string
  now: Date
  /** how to fetch the platform's document (default: global fetch) */
  fetch?: typeof fetch
  fetchTimeoutMs?: number
  maxDocBytes?: number
  logger?: Logger
}

export interface LabelLink {
  packageId: string
  url: string
  validUntil: Date
  trackingNumber: string
  /** why the file could not be attached */
  problem: string
}

export interface LabelResult {
  orderId: string
  source: 'platform' | 'seller'
  files: OutgoingFile[]
  links: LabelLink[]
  trackingNumbers: string[]
  /** orders whose label was marked printed (a combined package covers several) */
  orderIds: string[]
  newlyMarked: string[]
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/

export async function shippingLabel(db: Db, shop: ShopPort, input: LabelInput): Promise<LabelResult> {
  if (!input.shopIds.length) throw fulfilmentError('forbidden', 'not_linked')
  const id = input.orderId.trim()
  if (!ORDER_ID.test(id)) throw fulfilmentError('bad_input', 'bad_order_id', { id: id.slice(0, 40) })
  const [o] = await db
    .select({ order: orders, shopName: shops.name })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, id), inArray(orders.shopId, input.shopIds)))
  if (!o) throw fulfilmentError('not_found', 'order_not_found', { id })
  const order = o.order
  if (order.status === 'unpaid') throw fulfilmentError('conflict', 'unpaid', { id })
  if (order.status === 'cancelled') throw fulfilmentError('conflict', 'cancelled', { id })
  if (order.platformStatus === 'ON_HOLD') throw fulfilmentError('conflict', 'on_hold', { id })
  if (order.fulfillmentType === 'FULFILLMENT_BY_TIKTOK') throw fulfilmentError('conflict', 'fbt', { id })

  const items = await db
    .select({ sellerSku: orderLineItems.sellerSku, productName: orderLineItems.productName, skuName: orderLineItems.skuName, packageId: orderLineItems.packageId })
    .from(orderLineItems)
    .where(and(eq(orderLineItems.orderId, id), ne(orderLineItems.displayStatus, 'CANCELLED')))

  const files: OutgoingFile[] = []
  try {
    if (order.shippingType.toUpperCase() === 'TIKTOK') {
      const linked = await db.select({ packageId: orderPackages.packageId }).from(orderPackages).where(eq(orderPackages.orderId, id))
      const packageIds = [...new Set([...linked.map((r) => r.packageId), ...items.map((i) => i.packageId).filter((p): p is string => !!p)])].sort()
      if (!packageIds.length) throw fulfilmentError('conflict', 'no_package', { id })
      const links: LabelLink[] = []
      const tracking: string[] = []
      for (const packageId of packageIds) {
        const doc = await platformDocument(shop, order.shopId, packageId, id)
        if (doc.trackingNumber) tracking.push(doc.trackingNumber)
        const validUntil = new Date(input.now.getTime() + DOC_URL_LIFETIME_MS)
        try {
          const pdf = await fetchPdf(doc.docUrl, input.fetch ?? fetch, input.fetchTimeoutMs ?? 15_000, input.maxDocBytes ?? 20 * 1024 * 1024)
          const suffix = packageIds.length > 1 ? `-${packageId}` : ''
          files.push(await writeOutgoingFile(pdf, `label-${id}${suffix}.pdf`, 'application/pdf', doc.trackingNumber || undefined))
        } catch (err) {
          const problem = err instanceof Error ? err.message : String(err)
          input.logger?.warn('shipping label could not be fetched; handing over the link', { orderId: id, packageId, problem })
          links.push({ packageId, url: doc.docUrl, validUntil, trackingNumber: doc.trackingNumber, problem })
        }
      }
      // a combined package's label covers every order in it
      const together = await db
        .select({ orderId: orderPackages.orderId })
        .from(orderPackages)
        .innerJoin(orders, eq(orders.id, orderPackages.orderId))
        .where(and(inArray(orderPackages.packageId, packageIds), inArray(orders.shopId, input.shopIds)))
      const orderIds = [...new Set([id, ...together.map((r) => r.orderId)])]
      const newlyMarked = await mark(db, input, orderIds, { source: 'platform', packageIds, linksOnly: files.length === 0 })
      return { orderId: id, source: 'platform', files, links, trackingNumbers: tracking, orderIds, newlyMarked }
    }

    if (!order.recipientFullAddress && !order.recipientAddressDetail) throw fulfilmentError('conflict', 'no_address', { id })
    const label: SellerLabel = {
      orderId: id,
      shopName: o.shopName,
      recipientName: order.recipientName,
      recipientPhone: order.recipientPhone,
      address: addressLines(order),
      postalCode: order.recipientPostalCode,
      items: items.length,
      skuLines: skuLines(items),
      deliveryOption: [order.deliveryOptionName, order.shippingProvider].filter(Boolean).join(' · '),
      packBy: order.packByAt,
    }
    const pdf = await renderSellerLabelPdf(label, { locale: input.locale, timeZone: input.timeZone })
    files.push(await writeOutgoingFile(pdf, `label-${id}.pdf`, 'application/pdf'))
    const newlyMarked = await mark(db, input, [id], { source: 'seller' })
    return { orderId: id, source: 'seller', files, links: [], trackingNumbers: order.trackingNumber ? [order.trackingNumber] : [], orderIds: [id], newlyMarked }
  } catch (err) {
    for (const f of files) await discardOutgoingFile(f)
    throw err
  }
}

async function mark(db: Db, input: LabelInput, orderIds: string[], details: Record<string, unknown>): Promise<string[]> {
  return db.transaction((tx) =>
    recordPrint(tx, { orderIds, step: 'label', actor: input.actor, actorName: input.actorName, channelId: input.channelId, at: input.now, details }),
  )
}

async function platformDocument(shop: ShopPort, shopId: string, packageId: string, orderId: string) {
  try {
    return await shop.shippingDocument(shopId, packageId, 'SHIPPING_LABEL')
  } catch (err) {
    if (isAppError(err, 'shop_error')) {
      const code = Number(err.params.platformCode)
      if (NOT_ARRANGED_CODES.has(code)) throw fulfilmentError('conflict', 'not_arranged', { id: orderId })
      if (code === FBT_CODE) throw fulfilmentError('conflict', 'fbt', { id: orderId })
    }
    throw err
  }
}

/** The document behind a platform doc_url, checked to be a PDF, within a size and time limit. */
export async function fetchPdf(url: string, fetchImpl: typeof fetch, timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error('the platform returned a malformed document link')
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`unsupported document link scheme ${u.protocol}`)
  const res = await fetchImpl(u, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    throw new Error(`the document server answered HTTP ${res.status}`)
  }
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {})
    throw new Error(`the document is larger than ${Math.round(maxBytes / 1048576)} MB`)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = res.body?.getReader()
  if (!reader) throw new Error('the document server sent no body')
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new Error(`the document is larger than ${Math.round(maxBytes / 1048576)} MB`)
    }
    chunks.push(value)
  }
  const bytes = Buffer.concat(chunks)
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('the document link did not return a PDF')
  return bytes
}

function addressLines(o: { recipientFullAddress: string; recipientAddressDetail: string; recipientLevels: string[] }): string[] {
  if (o.recipientFullAddress) return [o.recipientFullAddress]
  return [o.recipientAddressDetail, [...o.recipientLevels].reverse().filter(Boolean).join(', ')]
}

function skuLines(items: { sellerSku: string; productName: string; skuName: string }[]): string[] {
  const counts = new Map<string, number>()
  for (const i of items) {
    const key = [i.sellerSku || i.productName, i.skuName].filter(Boolean).join(' · ')
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`)
}
