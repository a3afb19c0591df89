/**
 * The API subset the simulator answers (reference §2–§5), as route → handler returning `data`.
 * Handlers throw SimError for refusals. Checks common to every call (sign, timestamp, token,
 * shop_cipher, throttling) happen before, in server.ts.
 */
import { randomBytes } from 'node:crypto'
import { CODES, SimError, badParam } from './errors.js'
import type { SimOrder } from './model.js'
import { filterHash, page, pageSize } from './paging.js'
import { reasonText, rejectReasons } from './reasons.js'
import type { ShopState } from './state.js'

export interface RouteCtx {
  query: URLSearchParams
  body: Record<string, unknown>
  params: string[]
  state: ShopState
  baseUrl: string
  docs: Map<string, { packageId: string; type: string; expiresAt: number }>
  subscriptions: Map<string, { address: string; create_time: number; update_time: number }>
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** path with `{v}` for the version segment and `:p` for parameters */
  path: string
  versions: string[]
  /** 'seller': no shop_cipher allowed; 'shop': shop_cipher required */
  scope: 'seller' | 'shop'
  handler: (c: RouteCtx) => unknown
}

const ORDER_STATUSES = new Set([
  'UNPAID',
  'ON_HOLD',
  'AWAITING_SHIPMENT',
  'PARTIALLY_SHIPPING',
  'AWAITING_COLLECTION',
  'IN_TRANSIT',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
])

const int = (body: Record<string, unknown>, key: string): number | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badParam(`${key} must be a Unix time in seconds (integer)`)
  return v
}
const strList = (body: Record<string, unknown>, key: string): string[] | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badParam(`${key} must be an array of strings`)
  return v as string[]
}
const sortOrder = (raw: string | null, dflt: 'ASC' | 'DESC'): 'ASC' | 'DESC' => {
  if (raw === null || raw === '') return dflt
  if (raw !== 'ASC' && raw !== 'DESC') throw badParam('sort_order must be ASC or DESC')
  return raw
}
const sortField = (raw: string | null): 'create_time' | 'update_time' => {
  if (raw === null || raw === '') return 'create_time'
  if (raw !== 'create_time' && raw !== 'update_time') throw badParam('sort_field must be create_time or update_time')
  return raw
}
const window = (ge: number | undefined, lt: number | undefined, now: number) =>
  ge === undefined && lt === undefined ? null : { ge: ge ?? 0, lt: lt ?? now + 1 }

function searchOrders(c: RouteCtx) {
  const size = pageSize(c.query.get('page_size'), 100, 20)
  const field = sortField(c.query.get('sort_field'))
  const order = sortOrder(c.query.get('sort_order'), 'DESC')
  const b = c.body
  const status = b.order_status
  if (status !== undefined && (typeof status !== 'string' || !ORDER_STATUSES.has(status)))
    throw badParam(`order_status must be one of ${[...ORDER_STATUSES].join(', ')}`)
  const now = c.state.now()
  const cw = window(int(b, 'create_time_ge'), int(b, 'create_time_lt'), now)
  const uw = window(int(b, 'update_time_ge'), int(b, 'update_time_lt'), now)
  const shippingType = b.shipping_type
  const buyer = b.buyer_user_id
  const cancelReq = b.is_buyer_request_cancel
  const all = () => [...c.state.orders.values()].filter((r) => {
    const o = r.o
    if (status !== undefined && o.status !== status) return false
    if (cw && !(o.create_time >= cw.ge && o.create_time < cw.lt)) return false
    if (uw && !(o.update_time >= uw.ge && o.update_time < uw.lt)) return false
    if (shippingType !== undefined && o.shipping_type !== shippingType) return false
    if (buyer !== undefined && o.user_id !== buyer) return false
    if (cancelReq === true && !o.is_buyer_request_cancel) return false
    return true
  })
  // the filters as sent (a defaulted "now" must not change the hash between pages)
  const times = ['create_time_ge', 'create_time_lt', 'update_time_ge', 'update_time_lt'].map((k) => b[k] ?? null)
  const hash = filterHash({ kind: 'orders', status, times, shippingType, buyer, cancelReq, field, order })
  const p = page(c.state, all, (r: SimOrder) => r.o[field], (r) => r.o.id, order, size, c.query.get('page_token'), hash)
  return { orders: p.items.map((r) => c.state.wire(r)), next_page_token: p.next, total_count: p.total }
}

function orderDetail(c: RouteCtx) {
  const raw = c.query.get('ids')
  if (!raw) throw badParam('ids is required')
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean)
  if (ids.length === 0) throw badParam('ids is required')
  if (ids.length > 50) throw badParam('ids accepts at most 50 order ids')
  const orders = ids.map((id) => c.state.orders.get(id)).filter((r): r is SimOrder => Boolean(r))
  return { orders: orders.map((r) => c.state.wire(r)) }
}

const CANCEL_STATUS_ALIASES: Record<string, string> = { CANCELLATION_REQUEST_CANCEL: 'CANCELLATION_REQUEST_CANCELLED' }

function searchCancellations(c: RouteCtx) {
  const size = pageSize(c.query.get('page_size'), 50, 10)
  const field = sortField(c.query.get('sort_field'))
  const order = sortOrder(c.query.get('sort_order'), 'ASC')
  const b = c.body
  const ids = strList(b, 'cancel_ids')
  const orderIds = strList(b, 'order_ids')
  const buyers = strList(b, 'buyer_user_ids')
  const types = strList(b, 'cancel_types')
  const statuses = strList(b, 'cancel_status')?.map((s) => CANCEL_STATUS_ALIASES[s] ?? s)
  const now = c.state.now()
  const cw = window(int(b, 'create_time_ge'), int(b, 'create_time_lt'), now)
  const uw = window(int(b, 'update_time_ge'), int(b, 'update_time_lt'), now)
  const locale = typeof b.locale === 'string' ? b.locale : 'en-US'
  const all = () => [...c.state.cancellations.values()].filter((x) => {
    if (ids && !ids.includes(x.cancel_id)) return false
    if (orderIds && !orderIds.includes(x.order_id)) return false
    if (buyers && !buyers.includes(String(c.state.orders.get(x.order_id)?.o.user_id))) return false
    if (types && !types.includes(String(x.cancel_type))) return false
    if (statuses && !statuses.includes(x.cancel_status)) return false
    if (cw && !(x.create_time >= cw.ge && x.create_time < cw.lt)) return false
    if (uw && !((x.update_time ?? 0) >= uw.ge && (x.update_time ?? 0) < uw.lt)) return false
    return true
  })
  const times = ['create_time_ge', 'create_time_lt', 'update_time_ge', 'update_time_lt'].map((k) => b[k] ?? null)
  const hash = filterHash({ kind: 'cancellations', ids, orderIds, buyers, types, statuses, times, field, order })
  const p = page(c.state, all, (x) => (field === 'create_time' ? x.create_time : (x.update_time ?? 0)), (x) => x.cancel_id, order, size, c.query.get('page_token'), hash)
  return {
    cancellations: p.items.map(({ completeAt: _c, keys: _k, ...x }) => ({
      ...structuredClone(x),
      cancel_reason_text: localiseReason(x.cancel_reason_text ?? '', locale),
    })),
    next_page_token: p.next,
    total_count: p.total,
  }
}

const localiseReason = (text: string, _locale: string) => text

function idempotencyKey(c: RouteCtx): string | undefined {
  const k = c.query.get('idempotency_key') ?? undefined
  if (k !== undefined && (k.length === 0 || k.length > 255)) throw badParam('idempotency_key must be 1–255 characters')
  return k
}

function approve(c: RouteCtx) {
  c.state.approveCancellation(c.params[0], 'SELLER', idempotencyKey(c))
  return {}
}

function reject(c: RouteCtx) {
  const reason = c.body.reject_reason
  if (typeof reason !== 'string' || !reason) throw badParam('reject_reason is required')
  const comment = c.body.comment
  if (comment !== undefined && typeof comment !== 'string') throw badParam('comment must be a string')
  c.state.rejectCancellation(c.params[0], reason, comment ?? '', idempotencyKey(c))
  return {}
}

function rejectReasonList(c: RouteCtx) {
  const id = c.query.get('return_or_cancel_id')
  if (id) c.state.cancellation(id)
  const locale = c.query.get('locale') ?? 'en-US'
  return { reasons: rejectReasons(c.state.region).map((r) => ({ name: r.name, text: reasonText(r, locale) })) }
}

function sellerCancel(c: RouteCtx) {
  const orderId = c.body.order_id
  const reason = c.body.cancel_reason
  if (typeof orderId !== 'string' || !orderId) throw badParam('order_id is required (string)')
  if (typeof reason !== 'string' || !reason) throw badParam('cancel_reason is required')
  const x = c.state.sellerCancel(orderId, reason)
  return { cancel_id: x.cancel_id, cancel_status: x.cancel_status }
}

const DOC_TYPES = new Set(['SHIPPING_LABEL', 'PACKING_SLIP', 'SHIPPING_LABEL_AND_PACKING_SLIP', 'SHIPPING_LABEL_PICTURE', 'HAZMAT_LABEL', 'INVOICE_LABEL'])

function shippingDocument(c: RouteCtx) {
  const type = c.query.get('document_type')
  if (!type || !DOC_TYPES.has(type)) throw badParam(`document_type must be one of ${[...DOC_TYPES].join(', ')}`)
  const size = c.query.get('document_size')
  if (size && size !== 'A6' && size !== 'A5') throw badParam('document_size must be A6 or A5')
  const p = c.state.pkg(c.params[0])
  if (p.shipping_type !== 'TIKTOK')
    throw new SimError(400, CODES.shippingDocNotAllowed, 'Shipping documents are only available for TikTok shipping packages')
  if (p.package_status === 'TO_FULFILL' || p.package_status === 'CANCELLED')
    throw new SimError(400, CODES.shippingDocNotAllowed, 'Shipping documents are only available after the package has been shipped')
  const token = randomBytes(16).toString('hex')
  c.docs.set(token, { packageId: p.id, type, expiresAt: c.state.now() + 86_400 })
  return { doc_url: `${c.baseUrl}/sim/docs/${token}.pdf`, tracking_number: p.tracking_number }
}

function packageDetail(c: RouteCtx) {
  const p = c.state.pkg(c.params[0])
  const rec = c.state.order(p.order_id)
  return {
    package_id: p.id,
    package_status: p.package_status,
    shipping_type: p.shipping_type,
    orders: [{ id: rec.o.id }],
    order_line_item_ids: (rec.o.line_items ?? []).map((li) => li.id),
    delivery_option_id: rec.o.delivery_option_id,
    delivery_option_name: rec.o.delivery_option_name,
    handover_method: p.handover_method ?? '',
    tracking_number: p.tracking_number,
    shipping_provider_id: p.shipping_provider_id,
    shipping_provider_name: p.shipping_provider_name,
    recipient_address: c.state.view(rec).recipient_address,
    split_and_combine_tag: 'DEFAULT',
    note_tag: rec.o.buyer_message ? 'BUYER_NOTED' : 'BUYER_UNNOTED',
    create_time: p.create_time,
    update_time: p.update_time,
  }
}

function shipPackage(c: RouteCtx) {
  const hm = c.body.handover_method
  if (hm !== undefined && hm !== 'PICKUP' && hm !== 'DROP_OFF') throw badParam('handover_method must be PICKUP or DROP_OFF')
  const self = c.body.self_shipment as { tracking_number?: unknown; shipping_provider_id?: unknown } | undefined
  c.state.ship(c.params[0], {
    handoverMethod: hm as string | undefined,
    trackingNumber: typeof self?.tracking_number === 'string' ? self.tracking_number : undefined,
    providerId: typeof self?.shipping_provider_id === 'string' ? self.shipping_provider_id : undefined,
  })
  return {}
}

const EVENT_TYPES = new Set([
  'ORDER_STATUS_CHANGE',
  'RECIPIENT_ADDRESS_UPDATE',
  'PACKAGE_UPDATE',
  'PRODUCT_STATUS_CHANGE',
  'SELLER_DEAUTHORIZATION',
  'UPCOMING_AUTHORIZATION_EXPIRATION',
  'CANCELLATION_STATUS_CHANGE',
  'RETURN_STATUS_CHANGE',
])

function listWebhooks(c: RouteCtx) {
  const webhooks = [...c.subscriptions].map(([event_type, w]) => ({ event_type, ...w }))
  return { webhooks, total_count: webhooks.length }
}

function putWebhook(c: RouteCtx) {
  const { address, event_type } = c.body
  if (typeof address !== 'string' || !address || address.length > 255) throw badParam('address is required (≤ 255 characters)')
  if (typeof event_type !== 'string' || !EVENT_TYPES.has(event_type)) throw badParam('event_type is not a known topic')
  const now = c.state.now()
  const prev = c.subscriptions.get(event_type)
  c.subscriptions.set(event_type, { address, create_time: prev?.create_time ?? now, update_time: now })
  return {}
}

function deleteWebhook(c: RouteCtx) {
  const { event_type } = c.body
  if (typeof event_type === 'string') c.subscriptions.delete(event_type)
  return {}
}

function shops(c: RouteCtx) {
  const s = c.state.data.shop
  return { shops: [{ id: s.id, name: s.name, region: s.region, seller_type: s.seller_type, cipher: s.cipher, code: s.code }] }
}

const V = ['202309']
export const ROUTES: Route[] = [
  { method: 'GET', path: '/authorization/{v}/shops', versions: V, scope: 'seller', handler: shops },
  { method: 'POST', path: '/order/{v}/orders/search', versions: V, scope: 'shop', handler: searchOrders },
  { method: 'GET', path: '/order/{v}/orders', versions: [...V, '202507'], scope: 'shop', handler: orderDetail },
  { method: 'POST', path: '/return_refund/{v}/cancellations/search', versions: V, scope: 'shop', handler: searchCancellations },
  { method: 'POST', path: '/return_refund/{v}/cancellations/:id/approve', versions: V, scope: 'shop', handler: approve },
  { method: 'POST', path: '/return_refund/{v}/cancellations/:id/reject', versions: V, scope: 'shop', handler: reject },
  { method: 'GET', path: '/return_refund/{v}/reject_reasons', versions: V, scope: 'shop', handler: rejectReasonList },
  { method: 'POST', path: '/return_refund/{v}/cancellations', versions: V, scope: 'shop', handler: sellerCancel },
  { method: 'GET', path: '/fulfillment/{v}/packages/:id/shipping_documents', versions: V, scope: 'shop', handler: shippingDocument },
  { method: 'GET', path: '/fulfillment/{v}/packages/:id', versions: V, scope: 'shop', handler: packageDetail },
  { method: 'POST', path: '/fulfillment/{v}/packages/:id/ship', versions: V, scope: 'shop', handler: shipPackage },
  { method: 'GET', path: '/event/{v}/webhooks', versions: V, scope: 'shop', handler: listWebhooks },
  { method: 'PUT', path: '/event/{v}/webhooks', versions: V, scope: 'shop', handler: putWebhook },
  { method: 'DELETE', path: '/event/{v}/webhooks', versions: V, scope: 'shop', handler: deleteWebhook },
]

interface Compiled {
  route: Route
  re: RegExp
}
const compiled: Compiled[] = ROUTES.map((route) => ({
  route,
  re: new RegExp('^' + route.path.replace('{v}', '(\\d{6})').replace(/:[a-z]+/g, '([^/]+)') + '$'),
}))

/** The route for a path: found, wrong version (36009014), wrong method (36009010) or none (36009009). */
export function matchRoute(method: string, path: string): { route: Route; params: string[] } {
  let methodMismatch = false
  let versionMismatch = false
  for (const { route, re } of compiled) {
    const m = re.exec(path)
    if (!m) continue
    const [, version, ...params] = m
    if (!route.versions.includes(version)) {
      versionMismatch = true
      continue
    }
    if (route.method !== method) {
      methodMismatch = true
      continue
    }
    return { route, params: params.map(decodeURIComponent) }
  }
  if (methodMismatch) throw new SimError(405, CODES.invalidMethod, `Invalid method ${method} for ${path}`)
  if (versionMismatch) throw new SimError(404, CODES.invalidVersion, `Invalid API version in ${path}`)
  throw new SimError(404, CODES.invalidPath, `Invalid path ${path}`)
}
