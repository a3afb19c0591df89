/**
 * The simulated shop: products with stock, orders moving through the platform's status machine
 * (reference §2.3, §9), packages, buyer cancellation requests with their 48 h answer deadline,
 * seller cancellations, and the seller's tokens. Every change that TikTok would announce emits a
 * webhook event (type 1 for order status, 11 for cancellation status).
 *
 * Time comes from the clock; `tick()` applies what time alone changes (payment, end of the
 * ON_HOLD hour, carrier collection, delivery, completion, unanswered requests auto-approved,
 * unpaid and unshipped orders cancelled by the system).
 */
import { randomBytes } from 'node:crypto'
import type { PlatformLineItem } from '../../orders/platform-order.js'
import type { Clock } from '../../shared/clock.js'
import { ADDRESSES, BUYER_NAMES, BUYER_NOTES, CARRIERS, defaultCatalog, type SimSku } from './catalog.js'
import { CODES, SimError } from './errors.js'
import type { SimCancellation, SimData, SimEvent, SimOrder, SimPackage } from './model.js'
import { BUYER_CANCEL_REASONS, SYSTEM_REASONS, isSellerCancelReason, reasonText, rejectReasons, type ReasonDef } from './reasons.js'
import { createRng, type Rng } from './rng.js'

const H = 3600
const D = 86_400

export interface SimTimings {
  /** buyer-remorse window of an ON_HOLD order */
  holdSeconds: number
  /** unpaid orders are cancelled by the system after this */
  unpaidTimeoutSeconds: number
  /** a buyer cancellation request is auto-approved after this */
  cancelResponseSeconds: number
  /** ship-by (rts_sla_time) and collect-by (tts_sla_time), from the start of AWAITING_SHIPMENT */
  rtsSlaSeconds: number
  ttsSlaSeconds: number
  /** the system cancels an order still not shipped after this (shipping_due_time) */
  shippingDueSeconds: number
  collectionDueSeconds: number
  deliveryDueSeconds: number
  /** after the seller ships: carrier collection, delivery, completion */
  collectAfterSeconds: number
  deliverAfterSeconds: number
  completeAfterSeconds: number
  /** CANCELLATION_REQUEST_SUCCESS → _COMPLETE (refund done) */
  refundAfterSeconds: number
}

export const DEFAULT_TIMINGS: SimTimings = {
  holdSeconds: H,
  unpaidTimeoutSeconds: D,
  cancelResponseSeconds: 48 * H,
  rtsSlaSeconds: 48 * H,
  ttsSlaSeconds: 72 * H,
  shippingDueSeconds: 5 * D,
  collectionDueSeconds: 7 * D,
  deliveryDueSeconds: 14 * D,
  collectAfterSeconds: 6 * H,
  deliverAfterSeconds: 3 * D,
  completeAfterSeconds: 7 * D,
  refundAfterSeconds: 60,
}

export interface ShopOptions {
  clock: Clock
  seed?: number | string
  region?: string
  currency?: string
  shopName?: string
  timings?: Partial<SimTimings>
}

export interface NewOrder {
  /** SKUs and unit counts; default: 1–3 random SKUs */
  items?: { skuId?: string; sellerSku?: string; qty?: number }[]
  buyerNote?: string
  /** passes through ON_HOLD after payment */
  hold?: boolean
  shippingType?: 'TIKTOK' | 'SELLER'
  /** creation time (Unix s), default now */
  createTime?: number
  /** pay at once (true), at this Unix time (number), or leave unpaid (false). Default true. */
  pay?: boolean | number
  /** emit webhooks (default true) */
  notify?: boolean
  rng?: Rng
}

const secs = (d: Date) => Math.floor(d.getTime() / 1000)
const money = (minor: number) => (minor / 100).toFixed(2)

/** Webhook spelling of an order status (the webhook page lists CANCEL, not CANCELLED). */
const webhookStatus = (s: string) => (s === 'CANCELLED' ? 'CANCEL' : s)

export class ShopState {
  /** the shop, seller, products and tokens (plain JSON) */
  readonly data: Omit<SimData, 'orders' | 'packages' | 'cancellations'>
  readonly orders = new Map<string, SimOrder>()
  readonly packages = new Map<string, SimPackage>()
  readonly cancellations = new Map<string, SimCancellation>()
  /** bumped on every change (search results are cached per version) */
  version = 0
  readonly timings: SimTimings
  private readonly rng: Rng
  private listeners: ((e: SimEvent) => void)[] = []
  private notify = true
  private override?: { at: number; rng: Rng }
  private lastTick = -1

  /** tick() unless it already ran in this second (the state only changes with time by whole seconds) */
  tickIfDue(): number {
    return this.now() === this.lastTick ? 0 : this.tick()
  }

  constructor(
    readonly clock: Clock,
    opts: Omit<ShopOptions, 'clock'> = {},
    data?: SimData,
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings }
    const seed = opts.seed ?? 1
    this.rng = createRng(`state:${seed}:${data?.seq ?? 0}`)
    const r = createRng(`shop:${seed}`)
    const region = opts.region ?? 'GB'
    const fresh: SimData = data ?? {
      shop: {
        id: `749${r.digits(16)}`,
        name: opts.shopName ?? 'Demo Shop 演示店铺',
        region,
        seller_type: 'CROSS_BORDER',
        cipher: `ROW_${randomToken(r, 24)}`,
        code: `GB${r.digits(8)}`,
        currency: opts.currency ?? (region === 'US' ? 'USD' : region === 'GB' ? 'GBP' : 'USD'),
      },
      seller: { openId: randomToken(r, 22), name: 'Demo Seller 演示卖家', region },
      products: defaultCatalog(),
      orders: {},
      packages: {},
      cancellations: {},
      authCodes: {},
      accessTokens: {},
      refreshTokens: {},
      seq: 0,
    }
    const { orders, packages, cancellations, ...rest } = structuredClone(fresh)
    this.data = rest
    for (const [k, v] of Object.entries(orders)) this.orders.set(k, v)
    for (const [k, v] of Object.entries(packages)) this.packages.set(k, v)
    for (const [k, v] of Object.entries(cancellations)) this.cancellations.set(k, v)
  }

  /** The whole shop as plain JSON (to save, or to restore with `new ShopState(clock, opts, data)`). */
  snapshot(): SimData {
    return structuredClone({
      ...this.data,
      orders: Object.fromEntries(this.orders),
      packages: Object.fromEntries(this.packages),
      cancellations: Object.fromEntries(this.cancellations),
    })
  }

  get region(): string {
    return this.data.shop.region
  }

  now(): number {
    return this.override?.at ?? secs(this.clock.now())
  }

  /** The random source: the override's (deterministic demo data) or the shop's own. */
  private get r(): Rng {
    return this.override?.rng ?? this.rng
  }

  /**
   * Run `fn` as if the time were `at` (history for demo data), with `rng` for every random choice,
   * and without webhooks.
   */
  replay<T>(at: number, rng: Rng, fn: () => T): T {
    const before = this.override
    this.override = { at, rng }
    try {
      return this.quietly(fn)
    } finally {
      this.override = before
    }
  }

  onEvent(listener: (e: SimEvent) => void): () => void {
    this.listeners.push(listener)
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  private emit(e: SimEvent): void {
    this.version++
    if (!this.notify) return
    for (const l of this.listeners) l(e)
  }

  /** Run `fn` without emitting webhooks (bulk demo data). */
  quietly<T>(fn: () => T): T {
    const before = this.notify
    this.notify = false
    try {
      return fn()
    } finally {
      this.notify = before
    }
  }

  /** A fresh id of `len` digits starting with `prefix`, unique in this shop. */
  newId(prefix: string, len = 18, rng: Rng = this.r): string {
    for (;;) {
      this.data.seq++
      const id = prefix + rng.digits(len - prefix.length)
      if (!this.orders.has(id) && !this.packages.has(id) && !this.cancellations.has(id)) return id
    }
  }

  // ---------------------------------------------------------------- reading

  order(id: string): SimOrder {
    const o = this.orders.get(id)
    if (!o) throw new SimError(404, CODES.notFound, `Order ${id} does not exist`)
    return o
  }

  cancellation(id: string): SimCancellation {
    const c = this.cancellations.get(id)
    if (!c) throw new SimError(404, CODES.notFound, `Cancellation ${id} does not exist`)
    return c
  }

  pkg(id: string): SimPackage {
    const p = this.packages.get(id)
    if (!p) throw new SimError(404, CODES.notFound, `Package ${id} does not exist`)
    return p
  }

  allSkus(): SimSku[] {
    return this.data.products.flatMap((p) => p.skus)
  }

  findSku(q: { skuId?: string; sellerSku?: string }): SimSku {
    const s = this.allSkus().find((k) => (q.skuId && k.skuId === q.skuId) || (q.sellerSku && k.sellerSku === q.sellerSku))
    if (!s) throw new SimError(404, CODES.notFound, `SKU ${q.skuId ?? q.sellerSku} does not exist`)
    return s
  }

  /** The order as the API shows it now (a deep copy). */
  view(o: SimOrder): Record<string, unknown> {
    return structuredClone(this.wire(o))
  }

  /** The order as the API shows it now, sharing nested objects with the state: serialise at once. */
  wire(o: SimOrder): Record<string, unknown> {
    const hidden = o.o.status === 'UNPAID' || o.o.status === 'ON_HOLD'
    return { ...o.o, recipient_address: hidden ? {} : o.address }
  }

  pendingCancellation(orderId: string): SimCancellation | undefined {
    const id = this.orders.get(orderId)?.pendingCancelId
    const c = id ? this.cancellations.get(id) : undefined
    return c?.cancel_status === 'CANCELLATION_REQUEST_PENDING' ? c : undefined
  }

  // ---------------------------------------------------------------- orders

  createOrder(n: NewOrder = {}): SimOrder {
    const rng = n.rng ?? this.r
    const now = this.now()
    const create = n.createTime ?? now
    const id = this.newId('57', 18, rng)
    const skus = this.allSkus()
    const wanted =
      n.items ??
      Array.from({ length: rng.int(1, 3) }, () => ({ skuId: rng.pick(skus).skuId, qty: rng.chance(0.25) ? 2 : 1 }))
    const lines: PlatformLineItem[] = []
    let original = 0
    let sellerDisc = 0
    for (const w of wanted) {
      const sku = this.findSku(w)
      const product = this.data.products.find((p) => p.skus.includes(sku))!
      const disc = rng.chance(0.2) ? Math.round(sku.priceMinor * 0.1) : 0
      for (let u = 0; u < (w.qty ?? 1); u++) {
        original += sku.priceMinor
        sellerDisc += disc
        sku.stock = Math.max(0, sku.stock - 1)
        lines.push({
          id: this.newId('577', 18, rng),
          sku_id: sku.skuId,
          seller_sku: sku.sellerSku,
          product_id: product.productId,
          product_name: product.name,
          sku_name: sku.skuName,
          sku_image: `https://p16-oec-va.ibyteimg.com/tos-maliva-i-o3syd03w52-us/${sku.skuId}~tplv-o3syd03w52-resize-jpeg:300:300.jpg`,
          currency: this.data.shop.currency,
          original_price: money(sku.priceMinor),
          sale_price: money(sku.priceMinor - disc),
          seller_discount: money(disc),
          platform_discount: '0.00',
          display_status: 'UNPAID',
          package_status: 'TO_FULFILL',
          is_gift: false,
        })
      }
    }
    if (lines.length === 0) throw new SimError(400, CODES.invalidParam, 'An order needs at least one item')
    const sub = original - sellerDisc
    const shipOrig = 299
    const shipPlatformDisc = sub >= 2000 ? shipOrig : 0
    const shipping = shipOrig - shipPlatformDisc
    const name = rng.pick(BUYER_NAMES)
    const addr = rng.pick(ADDRESSES)
    const shippingType = n.shippingType ?? (rng.chance(0.8) ? 'TIKTOK' : 'SELLER')
    const rec: SimOrder = {
      hold: n.hold ?? false,
      address: {
        name,
        first_name: name.split(' ')[0],
        last_name: name.split(' ').slice(1).join(' '),
        phone_number: `(+44)77****${rng.digits(4)}`,
        full_address: `${addr.line1}, ${addr.city}, ${addr.region}, ${addr.postal}, United Kingdom`,
        address_detail: addr.line1,
        address_line1: addr.line1,
        postal_code: addr.postal,
        region_code: 'GB',
        district_info: [
          { address_level: 'L0', address_level_name: 'Country', address_name: 'United Kingdom' },
          { address_level: 'L1', address_level_name: 'Region', address_name: addr.region },
          { address_level: 'L3', address_level_name: 'Post town', address_name: addr.city },
        ],
      },
      o: {
        id,
        status: 'UNPAID',
        create_time: create,
        update_time: create,
        user_id: `749${rng.digits(16)}`,
        buyer_email: `v2_${randomToken(rng, 16)}@scs.tiktokw.eu`,
        buyer_message: n.buyerNote ?? rng.pick(BUYER_NOTES),
        seller_note: '',
        order_type: '',
        payment_method_name: rng.pick(['Card', 'PayPal', 'Apple Pay', 'Klarna']),
        is_on_hold_order: false,
        is_buyer_request_cancel: false,
        is_cod: false,
        is_sample_order: false,
        commerce_platform: 'TIKTOK_SHOP',
        fulfillment_type: 'FULFILLMENT_BY_SELLER',
        shipping_type: shippingType,
        delivery_type: 'HOME_DELIVERY',
        delivery_option_id: '7091146663229654785',
        delivery_option_name: 'Standard Shipping',
        warehouse_id: '7068517275539719942',
        payment: {
          currency: this.data.shop.currency,
          original_total_product_price: money(original),
          seller_discount: money(sellerDisc),
          platform_discount: '0.00',
          sub_total: money(sub),
          original_shipping_fee: money(shipOrig),
          shipping_fee_seller_discount: '0.00',
          shipping_fee_platform_discount: money(shipPlatformDisc),
          shipping_fee: money(shipping),
          tax: '0.00',
          total_amount: money(sub + shipping),
        },
        recipient_address: {},
        line_items: lines,
        packages: [],
      },
    }
    this.orders.set(id, rec)
    this.emitOrder(rec)
    if (n.pay === undefined || n.pay === true) this.pay(id, create)
    else if (typeof n.pay === 'number') {
      if (n.pay <= now) this.pay(id, n.pay)
      else rec.payAt = n.pay
    }
    return rec
  }

  private emitOrder(rec: SimOrder): void {
    this.emit({
      type: 1,
      data: {
        order_id: rec.o.id,
        order_status: webhookStatus(rec.o.status),
        is_on_hold_order: Boolean(rec.o.is_on_hold_order),
        update_time: rec.o.update_time,
      },
    })
  }

  private setStatus(rec: SimOrder, status: string, at = this.now()): void {
    rec.o.status = status
    rec.o.update_time = Math.max(this.now(), at)
    const display = status === 'ON_HOLD' ? 'AWAITING_SHIPMENT' : status
    for (const li of rec.o.line_items ?? []) if (li.display_status !== 'CANCELLED') li.display_status = display
    this.emitOrder(rec)
  }

  /** UNPAID → ON_HOLD (when the order holds) or AWAITING_SHIPMENT. */
  pay(orderId: string, at = this.now()): SimOrder {
    const rec = this.order(orderId)
    if (rec.o.status !== 'UNPAID') throw new SimError(400, CODES.invalidParam, `Order ${orderId} is not UNPAID`)
    rec.o.paid_time = at
    rec.payAt = undefined
    const pkgId = this.newId('115')
    this.packages.set(pkgId, {
      id: pkgId,
      order_id: orderId,
      package_status: 'TO_FULFILL',
      shipping_type: String(rec.o.shipping_type),
      tracking_number: '',
      shipping_provider_id: '',
      shipping_provider_name: '',
      create_time: at,
      update_time: at,
    })
    rec.o.packages = [{ id: pkgId }]
    for (const li of rec.o.line_items ?? []) li.package_id = pkgId
    if (rec.hold) {
      rec.o.is_on_hold_order = true
      rec.holdUntil = at + this.timings.holdSeconds
      this.setStatus(rec, 'ON_HOLD', at)
    } else this.startAwaitingShipment(rec, at)
    return rec
  }

  private startAwaitingShipment(rec: SimOrder, at: number): void {
    const t = this.timings
    rec.holdUntil = undefined
    rec.o.rts_sla_time = at + t.rtsSlaSeconds
    rec.o.tts_sla_time = at + t.ttsSlaSeconds
    rec.o.shipping_due_time = at + t.shippingDueSeconds
    rec.o.collection_due_time = at + t.collectionDueSeconds
    rec.o.delivery_due_time = at + t.deliveryDueSeconds
    rec.o.delivery_sla_time = at + t.deliveryDueSeconds - D
    rec.o.cancel_order_sla_time = rec.o.shipping_due_time
    this.setStatus(rec, 'AWAITING_SHIPMENT', at)
  }

  /** End of the ON_HOLD hour (normally done by tick). */
  releaseHold(orderId: string, at = this.now()): SimOrder {
    const rec = this.order(orderId)
    if (rec.o.status !== 'ON_HOLD') throw new SimError(400, CODES.invalidParam, `Order ${orderId} is not ON_HOLD`)
    this.startAwaitingShipment(rec, at)
    return rec
  }

  /** The seller ships a package (Ship Package): AWAITING_SHIPMENT → AWAITING_COLLECTION. */
  ship(packageId: string, opts: { handoverMethod?: string; trackingNumber?: string; providerId?: string } = {}): SimPackage {
    const p = this.pkg(packageId)
    const rec = this.order(p.order_id)
    if (rec.o.status === 'ON_HOLD') throw new SimError(400, CODES.onHold, 'The order is ON_HOLD and cannot be fulfilled yet')
    if (rec.o.status !== 'AWAITING_SHIPMENT' || p.package_status !== 'TO_FULFILL')
      throw new SimError(400, CODES.cannotShip, `Package ${packageId} cannot be shipped: order is ${rec.o.status}`)
    const pending = this.pendingCancellation(rec.o.id)
    if (pending) {
      // US: shipping rejects the buyer's request (reference §3.4); elsewhere the request blocks shipping
      if (this.region !== 'US')
        throw new SimError(400, CODES.afterSalePending, 'Package item has after-sale request; answer the cancellation first')
      this.closeRequest(pending, 'CANCELLATION_REQUEST_CANCELLED', 'SELLER')
    }
    const now = this.now()
    const carrier = CARRIERS.find((c) => c.id === opts.providerId) ?? this.r.pick(CARRIERS)
    p.package_status = 'PROCESSING'
    p.handover_method = opts.handoverMethod ?? 'DROP_OFF'
    p.tracking_number = opts.trackingNumber ?? `TT${this.r.digits(12)}GB`
    p.shipping_provider_id = carrier.id
    p.shipping_provider_name = carrier.name
    p.update_time = now
    rec.o.rts_time = now
    rec.o.tracking_number = p.tracking_number
    rec.o.shipping_provider = carrier.name
    rec.o.shipping_provider_id = carrier.id
    for (const li of rec.o.line_items ?? []) {
      li.package_status = 'PROCESSING'
      li.tracking_number = p.tracking_number
      li.shipping_provider_name = carrier.name
      li.shipping_provider_id = carrier.id
      li.rts_time = now
    }
    rec.collectAt = now + this.timings.collectAfterSeconds
    this.setStatus(rec, 'AWAITING_COLLECTION', now)
    return p
  }

  /** Carrier scan: AWAITING_COLLECTION → IN_TRANSIT. */
  collect(orderId: string, at = this.now()): SimOrder {
    const rec = this.order(orderId)
    if (rec.o.status !== 'AWAITING_COLLECTION') throw new SimError(400, CODES.invalidParam, `Order ${orderId} is not AWAITING_COLLECTION`)
    rec.collectAt = undefined
    rec.o.collection_time = at
    this.setPackages(rec, 'FULFILLING', 'FULFILLING')
    rec.deliverAt = at + this.timings.deliverAfterSeconds
    this.setStatus(rec, 'IN_TRANSIT', at)
    return rec
  }

  deliver(orderId: string, at = this.now()): SimOrder {
    const rec = this.order(orderId)
    if (rec.o.status !== 'IN_TRANSIT') throw new SimError(400, CODES.invalidParam, `Order ${orderId} is not IN_TRANSIT`)
    rec.deliverAt = undefined
    rec.o.delivery_time = at
    this.setPackages(rec, 'COMPLETED', 'COMPLETED')
    rec.completeAt = at + this.timings.completeAfterSeconds
    this.setStatus(rec, 'DELIVERED', at)
    return rec
  }

  complete(orderId: string, at = this.now()): SimOrder {
    const rec = this.order(orderId)
    if (rec.o.status !== 'DELIVERED') throw new SimError(400, CODES.invalidParam, `Order ${orderId} is not DELIVERED`)
    rec.completeAt = undefined
    this.setStatus(rec, 'COMPLETED', at)
    return rec
  }

  private setPackages(rec: SimOrder, pkgStatus: SimPackage['package_status'], itemStatus: string): void {
    for (const { id } of rec.o.packages ?? []) {
      const p = this.packages.get(id)
      if (p) {
        p.package_status = pkgStatus
        p.update_time = this.now()
      }
    }
    for (const li of rec.o.line_items ?? []) li.package_status = itemStatus
  }

  private cancelOrder(rec: SimOrder, initiator: 'BUYER' | 'SELLER' | 'SYSTEM', reason: ReasonDef, at = this.now()): void {
    rec.payAt = rec.holdUntil = rec.collectAt = rec.deliverAt = rec.completeAt = undefined
    rec.o.cancel_time = at
    rec.o.cancel_reason = reasonText(reason, 'en-US')
    rec.o.cancellation_initiator = initiator
    rec.o.is_buyer_request_cancel = false
    for (const li of rec.o.line_items ?? []) {
      li.display_status = 'CANCELLED'
      li.cancel_user = initiator
      li.cancel_reason = reasonText(reason, 'en-US')
    }
    this.setPackages(rec, 'CANCELLED', 'CANCELLED')
    this.setStatus(rec, 'CANCELLED', at)
  }

  // ---------------------------------------------------------------- cancellations

  private newCancellation(rec: SimOrder, type: 'BUYER_CANCEL' | 'CANCEL', role: string, reason: ReasonDef, status: string): SimCancellation {
    const now = this.now()
    const c: SimCancellation = {
      cancel_id: this.newId('578'),
      order_id: rec.o.id,
      cancel_type: type,
      cancel_status: status,
      role,
      cancel_reason: reason.name,
      cancel_reason_text: reasonText(reason, 'en-US'),
      create_time: now,
      update_time: now,
      refund_amount: {
        currency: this.data.shop.currency,
        refund_total: rec.o.payment?.total_amount ?? '0.00',
        refund_subtotal: rec.o.payment?.sub_total ?? '0.00',
        refund_shipping_fee: rec.o.payment?.shipping_fee ?? '0.00',
        refund_tax: '0.00',
      },
      cancel_line_items: (rec.o.line_items ?? []).map((li) => ({
        cancel_line_item_id: this.newId('579'),
        order_line_item_id: li.id,
        sku_id: li.sku_id,
        sku_name: li.sku_name,
        seller_sku: li.seller_sku,
        product_name: li.product_name,
        product_image: { url: li.sku_image, width: 300, height: 300 },
        refund_amount: { currency: li.currency, refund_total: li.sale_price },
      })),
      seller_next_action_response: [],
      keys: [],
    }
    this.cancellations.set(c.cancel_id, c)
    this.emitCancel(c)
    return c
  }

  private emitCancel(c: SimCancellation): void {
    this.emit({
      type: 11,
      data: {
        order_id: c.order_id,
        cancellations_role: String(c.role),
        cancel_status: c.cancel_status,
        cancel_id: c.cancel_id,
        create_time: this.now(),
      },
    })
  }

  private setCancelStatus(c: SimCancellation, status: string): void {
    c.cancel_status = status
    const rec = this.orders.get(c.order_id)
    if (rec?.pendingCancelId === c.cancel_id && status !== 'CANCELLATION_REQUEST_PENDING') rec.pendingCancelId = undefined
    c.update_time = this.now()
    if (status !== 'CANCELLATION_REQUEST_PENDING') c.seller_next_action_response = []
    this.emitCancel(c)
  }

  /**
   * The buyer asks to cancel. UNPAID / ON_HOLD: cancelled at once (type CANCEL). AWAITING_SHIPMENT:
   * a BUYER_CANCEL request the seller must answer within `cancelResponseSeconds`.
   */
  buyerRequestCancel(orderId: string, reasonName?: string): SimCancellation {
    const rec = this.order(orderId)
    const reason = BUYER_CANCEL_REASONS.find((r) => r.name === reasonName) ?? this.r.pick(BUYER_CANCEL_REASONS)
    const status = rec.o.status
    if (status === 'UNPAID' || status === 'ON_HOLD') {
      const c = this.newCancellation(rec, 'CANCEL', 'BUYER', reason, 'CANCELLATION_REQUEST_SUCCESS')
      this.cancelOrder(rec, 'BUYER', reason)
      c.completeAt = this.now() + this.timings.refundAfterSeconds
      return c
    }
    if (status !== 'AWAITING_SHIPMENT')
      throw new SimError(400, CODES.invalidParam, `The buyer cannot request a cancellation of an order in ${status}`)
    if (this.pendingCancellation(orderId)) throw new SimError(400, CODES.invalidParam, `Order ${orderId} already has a pending request`)
    const now = this.now()
    rec.o.is_buyer_request_cancel = true
    rec.o.request_cancel_time = now
    rec.o.update_time = now
    const c = this.newCancellation(rec, 'BUYER_CANCEL', 'BUYER', reason, 'CANCELLATION_REQUEST_PENDING')
    c.seller_next_action_response = [{ action: 'SELLER_RESPOND_CANCEL', deadline: now + this.timings.cancelResponseSeconds }]
    rec.pendingCancelId = c.cancel_id
    return c
  }

  /** Seller (or, at the deadline, the system) approves a buyer request → order CANCELLED. */
  approveCancellation(cancelId: string, by: 'SELLER' | 'SYSTEM' = 'SELLER', idempotencyKey?: string): SimCancellation {
    const c = this.cancellation(cancelId)
    if (idempotencyKey && c.keys?.includes(`approve:${idempotencyKey}`)) return c
    if (c.cancel_type !== 'BUYER_CANCEL' || c.cancel_status !== 'CANCELLATION_REQUEST_PENDING')
      throw new SimError(400, CODES.cannotApprove, `The cancellation status ${c.cancel_status} cannot be approved`)
    const rec = this.order(c.order_id)
    c.approved_by = by
    this.setCancelStatus(c, 'CANCELLATION_REQUEST_SUCCESS')
    c.completeAt = this.now() + this.timings.refundAfterSeconds
    const reason = BUYER_CANCEL_REASONS.find((r) => r.name === c.cancel_reason) ?? BUYER_CANCEL_REASONS[0]
    this.cancelOrder(rec, 'BUYER', reason)
    if (idempotencyKey) c.keys = [...(c.keys ?? []), `approve:${idempotencyKey}`]
    return c
  }

  /** Seller rejects a buyer request → request closed, order goes on. */
  rejectCancellation(cancelId: string, reasonName: string, comment = '', idempotencyKey?: string): SimCancellation {
    const c = this.cancellation(cancelId)
    if (idempotencyKey && c.keys?.includes(`reject:${idempotencyKey}`)) return c
    if (c.cancel_type !== 'BUYER_CANCEL' || c.cancel_status !== 'CANCELLATION_REQUEST_PENDING')
      throw new SimError(400, CODES.cannotReject, `The cancellation status ${c.cancel_status} cannot be rejected`)
    if (!rejectReasons(this.region).some((r) => r.name === reasonName))
      throw new SimError(400, CODES.invalidParam, `Invalid params: reject_reason "${reasonName}" is not a reject reason of this market`)
    c.reject_reason = reasonName
    c.reject_comment = comment
    this.closeRequest(c, 'CANCELLATION_REQUEST_CANCELLED', 'SELLER')
    if (idempotencyKey) c.keys = [...(c.keys ?? []), `reject:${idempotencyKey}`]
    return c
  }

  private closeRequest(c: SimCancellation, status: string, by: string): void {
    const rec = this.order(c.order_id)
    c.closed_by = by
    this.setCancelStatus(c, status)
    rec.o.is_buyer_request_cancel = false
    rec.o.update_time = this.now()
    this.emitOrder(rec)
  }

  /** The buyer withdraws a pending request. */
  buyerWithdraw(cancelId: string): SimCancellation {
    const c = this.cancellation(cancelId)
    if (c.cancel_status !== 'CANCELLATION_REQUEST_PENDING') throw new SimError(400, CODES.invalidParam, 'Request is not pending')
    this.closeRequest(c, 'CANCELLATION_REQUEST_CANCELLED', 'BUYER')
    return c
  }

  /** The seller cancels an order (R2); the reason must be valid for the order's status. */
  sellerCancel(orderId: string, reasonName: string): SimCancellation {
    const rec = this.order(orderId)
    const reason = isSellerCancelReason(reasonName, rec.o.status, this.region)
    if (!reason)
      throw new SimError(
        400,
        CODES.cancelReasonMismatch,
        `The cancel reason "${reasonName}" does not match the order status ${rec.o.status}`,
      )
    const pending = this.pendingCancellation(orderId)
    if (pending) this.closeRequest(pending, 'CANCELLATION_REQUEST_CANCELLED', 'SELLER')
    const c = this.newCancellation(rec, 'CANCEL', 'SELLER', reason, 'CANCELLATION_REQUEST_SUCCESS')
    this.cancelOrder(rec, 'SELLER', reason)
    c.completeAt = this.now() + this.timings.refundAfterSeconds
    return c
  }

  // ---------------------------------------------------------------- time

  /** Apply what the passage of time changes, up to now. Returns how many changes were made. */
  tick(): number {
    const now = this.now()
    this.lastTick = now
    let n = 0
    for (const rec of this.orders.values()) {
      const o = rec.o
      if (o.status === 'UNPAID') {
        if (rec.payAt !== undefined && rec.payAt <= now) (this.pay(o.id, rec.payAt), n++)
        else if (o.create_time + this.timings.unpaidTimeoutSeconds <= now)
          (this.cancelOrder(rec, 'SYSTEM', SYSTEM_REASONS.unpaidTimeout), n++)
      }
      if (o.status === 'ON_HOLD' && rec.holdUntil !== undefined && rec.holdUntil <= now) (this.releaseHold(o.id, rec.holdUntil), n++)
      if (o.status === 'AWAITING_SHIPMENT' && o.shipping_due_time !== undefined && o.shipping_due_time <= now && !o.is_buyer_request_cancel)
        (this.cancelOrder(rec, 'SYSTEM', SYSTEM_REASONS.shippingTimeout), n++)
      if (o.status === 'AWAITING_COLLECTION' && rec.collectAt !== undefined && rec.collectAt <= now) (this.collect(o.id, rec.collectAt), n++)
      if (o.status === 'IN_TRANSIT' && rec.deliverAt !== undefined && rec.deliverAt <= now) (this.deliver(o.id, rec.deliverAt), n++)
      if (o.status === 'DELIVERED' && rec.completeAt !== undefined && rec.completeAt <= now) (this.complete(o.id, rec.completeAt), n++)
    }
    for (const c of this.cancellations.values()) {
      if (c.cancel_status === 'CANCELLATION_REQUEST_PENDING') {
        const deadline = c.seller_next_action_response?.find((a) => a.action === 'SELLER_RESPOND_CANCEL')?.deadline
        if (deadline !== undefined && deadline <= now) (this.approveCancellation(c.cancel_id, 'SYSTEM'), n++)
      }
      if (c.cancel_status === 'CANCELLATION_REQUEST_SUCCESS' && c.completeAt !== undefined && c.completeAt <= now) {
        c.completeAt = undefined
        this.setCancelStatus(c, 'CANCELLATION_REQUEST_COMPLETE')
        n++
      }
    }
    return n
  }

  // ---------------------------------------------------------------- auth

  createAuthCode(): string {
    const code = `TTP_${randomBytes(18).toString('base64url')}`
    this.data.authCodes[code] = { expiresAt: this.now() + 30 * 60, used: false }
    return code
  }

  issueTokens(): { access_token: string; access_token_expire_in: number; refresh_token: string; refresh_token_expire_in: number } {
    const now = this.now()
    const access = `ROW_${randomBytes(24).toString('base64url')}`
    const refresh = `ROW_${randomBytes(24).toString('base64url')}`
    const t = { access_token: access, access_token_expire_in: now + 7 * D, refresh_token: refresh, refresh_token_expire_in: now + 365 * D }
    this.data.accessTokens[access] = { openId: this.data.seller.openId, expiresAt: t.access_token_expire_in }
    this.data.refreshTokens[refresh] = { openId: this.data.seller.openId, expiresAt: t.refresh_token_expire_in }
    return t
  }

  /** The seller deauthorizes the app: every token stops working, webhook type 6. */
  deauthorize(): void {
    this.data.accessTokens = {}
    this.data.refreshTokens = {}
    this.emit({ type: 6, data: { message: `The seller ${this.data.seller.name} deauthorized the app for shop ${this.data.shop.name}.` } })
  }

  /** The platform warns that the authorization ends at `expiresAt` (Unix s): webhook type 7. */
  warnAuthorizationExpiry(expiresAt: number): void {
    this.emit({
      type: 7,
      data: { message: `The authorization of shop ${this.data.shop.name} expires soon; ask the seller to authorize again.`, expiration_time: String(expiresAt) },
    })
  }

  /** Test hook: make one access token (or all) expired now. */
  expireAccessToken(token?: string): void {
    for (const [k, v] of Object.entries(this.data.accessTokens)) if (!token || k === token) v.expiresAt = this.now() - 1
  }
}

function randomToken(rng: Rng, n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let s = ''
  for (let i = 0; i < n; i++) s += abc[Math.floor(rng.next() * abc.length)]
  return s
}
