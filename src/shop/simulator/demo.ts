/**
 * Demo traffic for `npm start` with no accounts: a few orders a minute (some go through ON_HOLD),
 * now and then a buyer cancellation request, an order for a SKU that is short of stock, and an
 * order paid almost two days ago that is about to miss its ship-by time. Most orders get shipped
 * a few minutes after payment, as a busy seller team would; the rest stay to be handled.
 */
import type { Logger } from '../../shared/logger.js'
import { createRng, type Rng } from './rng.js'
import type { ShopState } from './state.js'

export interface DemoOptions {
  ordersPerMinute: number
  seed?: number | string
  logger?: Logger
  /** how often the driver wakes up (default 1 s) */
  stepMs?: number
}

export interface DemoTraffic {
  /** one step: what would happen at this moment (tests call it directly) */
  step(): void
  stop(): void
}

/** SKUs the demo shop is short of (stock 0–3), for the stock-shortage case. */
export const SHORT_SKUS = ['BOTTLE-GRN', 'TOTE-BLU']

export function startDemoTraffic(state: ShopState, opts: DemoOptions): DemoTraffic {
  const rng: Rng = createRng(`demo:${opts.seed ?? Date.now()}`)
  const log = opts.logger
  const perMinute = Math.max(0, opts.ordersPerMinute)
  let nextOrderAt = state.now() + 5
  let made = 0
  const shipAt = new Map<string, number>()

  function newOrder(): void {
    const now = state.now()
    made++
    const kind = made === 2 ? 'late' : made === 3 ? 'short' : made === 4 ? 'request' : rng.next() < 0.08 ? 'late' : rng.next() < 0.1 ? 'short' : 'normal'
    if (kind === 'late') {
      // paid 47 h ago and still not shipped: the ship-by time is an hour away
      const rec = state.createOrder({ createTime: now - 47 * 3600 - 120, rng })
      log?.info('demo: an order about to be late', { orderId: rec.o.id })
      return
    }
    const items = kind === 'short' ? [{ sellerSku: rng.pick(SHORT_SKUS), qty: 2 }] : undefined
    const rec = state.createOrder({ items, pay: now + rng.int(3, 15), hold: rng.chance(0.15), rng })
    if (rng.chance(0.6) && kind !== 'request') shipAt.set(rec.o.id, now + rng.int(120, 600))
    if (kind === 'request') requestSoon.push({ id: rec.o.id, at: now + rng.int(20, 40) })
    log?.debug('demo: new order', { orderId: rec.o.id, kind })
  }

  const requestSoon: { id: string; at: number }[] = []

  function step(): void {
    const now = state.now()
    state.tick()
    if (perMinute > 0 && now >= nextOrderAt) {
      newOrder()
      // exponential gaps around the mean
      const mean = 60 / perMinute
      nextOrderAt = now + Math.max(2, Math.round(-Math.log(1 - rng.next()) * mean))
      // sometimes a buyer asks to cancel one of the open orders
      if (rng.chance(0.2)) {
        const open = [...state.orders.values()].filter((r) => r.o.status === 'AWAITING_SHIPMENT' && !r.o.is_buyer_request_cancel)
        if (open.length) requestSoon.push({ id: rng.pick(open).o.id, at: now + rng.int(5, 30) })
      }
    }
    for (let i = requestSoon.length - 1; i >= 0; i--) {
      const r = requestSoon[i]
      if (r.at > now) continue
      requestSoon.splice(i, 1)
      const rec = state.orders.get(r.id)
      if (rec?.o.status === 'AWAITING_SHIPMENT' && !rec.o.is_buyer_request_cancel) {
        shipAt.delete(r.id)
        const c = state.buyerRequestCancel(r.id)
        log?.info('demo: a buyer asks to cancel', { orderId: r.id, cancelId: c.cancel_id })
      }
    }
    for (const [id, at] of shipAt) {
      if (at > now) continue
      shipAt.delete(id)
      const rec = state.orders.get(id)
      const pkg = rec?.o.packages?.[0]?.id
      if (rec?.o.status === 'AWAITING_SHIPMENT' && !rec.o.is_buyer_request_cancel && pkg) state.ship(pkg)
      else if (rec?.o.status === 'ON_HOLD' || rec?.o.status === 'UNPAID') shipAt.set(id, at + 300)
    }
  }

  const timer = setInterval(() => {
    try {
      step()
    } catch (err) {
      log?.warn('demo traffic step failed', { err })
    }
  }, opts.stepMs ?? 1000)
  timer.unref()
  return { step, stop: () => clearInterval(timer) }
}
