/**
 * Deterministic demo data: `count` orders spread over the last `days` days, every status of the
 * machine represented (UNPAID, ON_HOLD, AWAITING_SHIPMENT — some late, some with a pending buyer
 * cancellation request — AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, COMPLETED, CANCELLED).
 * The same seed and the same clock give the same orders. Each order is built by replaying its
 * history through the shop's own transitions at historical times, so its timers line up with
 * the clock and later ticks move it on naturally. No webhooks are sent for history.
 */
import type { SimOrder } from './model.js'
import { createRng, type Rng } from './rng.js'
import type { ShopState } from './state.js'

export const GENERATED_STATUSES = [
  'UNPAID',
  'ON_HOLD',
  'AWAITING_SHIPMENT',
  'AWAITING_COLLECTION',
  'IN_TRANSIT',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const
type Target = (typeof GENERATED_STATUSES)[number] | 'REQUESTED'

const WEIGHTS: [Target, number][] = [
  ['UNPAID', 3],
  ['ON_HOLD', 2],
  ['AWAITING_SHIPMENT', 14],
  ['REQUESTED', 3],
  ['AWAITING_COLLECTION', 6],
  ['IN_TRANSIT', 12],
  ['DELIVERED', 14],
  ['COMPLETED', 38],
  ['CANCELLED', 8],
]
const TOTAL = WEIGHTS.reduce((a, [, w]) => a + w, 0)

function pickTarget(rng: Rng): Target {
  let x = rng.next() * TOTAL
  for (const [t, w] of WEIGHTS) if ((x -= w) < 0) return t
  return 'COMPLETED'
}

export interface GenerateOptions {
  count: number
  days: number
  seed: number | string
}

export function generateOrders(state: ShopState, opts: GenerateOptions): SimOrder[] {
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error('count must be a whole number ≥ 0')
  if (!(opts.days > 0)) throw new Error('days must be > 0')
  const rng = createRng(`orders:${opts.seed}`)
  const now = state.now()
  const window = Math.floor(opts.days * 86_400)
  const t = state.timings
  const out: SimOrder[] = []
  const forced: Target[] = [...GENERATED_STATUSES, 'REQUESTED']
  for (let i = 0; i < opts.count; i++) {
    const target = i < forced.length ? forced[i] : pickTarget(rng)
    const u = () => rng.next()
    // How long the order has been in its current state (bounded so no timer has passed yet),
    // then the earlier steps, scaled to fit the window.
    const stay = (max: number) => Math.floor(u() * Math.min(max, window) * 0.95)
    const hold = target === 'ON_HOLD' || rng.chance(0.3)
    let steps: number[] // durations: create→pay, pay→start, start→ship, ship→collect, collect→deliver, deliver→complete
    let enter: number
    switch (target) {
      case 'UNPAID':
        enter = now - stay(t.unpaidTimeoutSeconds)
        steps = []
        break
      case 'ON_HOLD':
        enter = now - stay(t.holdSeconds)
        steps = [60 + rng.int(0, 900)]
        break
      case 'AWAITING_SHIPMENT':
      case 'REQUESTED':
        // mostly within the ship-by time, some already late
        enter = now - stay(target === 'REQUESTED' ? t.cancelResponseSeconds : rng.chance(0.8) ? t.rtsSlaSeconds : t.shippingDueSeconds)
        steps = [60 + rng.int(0, 900), hold ? t.holdSeconds : 0]
        break
      case 'AWAITING_COLLECTION':
        enter = now - stay(t.collectAfterSeconds)
        steps = [60 + rng.int(0, 900), hold ? t.holdSeconds : 0, rng.int(3600, 40 * 3600)]
        break
      case 'IN_TRANSIT':
        enter = now - stay(t.deliverAfterSeconds)
        steps = [60 + rng.int(0, 900), hold ? t.holdSeconds : 0, rng.int(3600, 40 * 3600), t.collectAfterSeconds]
        break
      case 'DELIVERED':
        enter = now - stay(t.completeAfterSeconds)
        steps = [60 + rng.int(0, 900), hold ? t.holdSeconds : 0, rng.int(3600, 40 * 3600), t.collectAfterSeconds, t.deliverAfterSeconds]
        break
      case 'COMPLETED':
        enter = now - stay(window)
        steps = [
          60 + rng.int(0, 900),
          hold ? t.holdSeconds : 0,
          rng.int(3600, 40 * 3600),
          t.collectAfterSeconds,
          t.deliverAfterSeconds,
          t.completeAfterSeconds,
        ]
        break
      case 'CANCELLED':
        enter = now - stay(window)
        steps = [60 + rng.int(0, 900), hold ? t.holdSeconds : 0, rng.int(600, 30 * 3600)]
        break
    }
    // fit the history into the window
    const span = steps.reduce((a, b) => a + b, 0)
    const room = enter - (now - window)
    const k = span > room ? Math.max(0, room) / span : 1
    const times: number[] = [enter]
    for (let s = steps.length - 1; s >= 0; s--) times.unshift(times[0] - Math.floor(steps[s] * k))
    const [create, paid, start, shipped, collected, delivered, completed] = times
    const rec = state.replay(create, rng, () =>
      state.createOrder({ createTime: create, pay: false, hold: target === 'ON_HOLD' || (hold && target !== 'UNPAID'), rng }),
    )
    const id = rec.o.id
    if (paid !== undefined) state.replay(paid, rng, () => state.pay(id))
    if (rec.o.status === 'ON_HOLD' && start !== undefined && target !== 'ON_HOLD') state.replay(start, rng, () => state.releaseHold(id))
    if (target === 'CANCELLED') {
      const at = shipped ?? enter
      const kind = rng.int(0, 2)
      state.replay(at, rng, () => {
        if (kind === 1) state.sellerCancel(id, 'seller_cancel_reason_out_of_stock')
        else state.approveCancellation(state.buyerRequestCancel(id).cancel_id, kind === 0 ? 'SELLER' : 'SYSTEM')
      })
    }
    if (target === 'REQUESTED') state.replay(enter, rng, () => state.buyerRequestCancel(id))
    const pkg = rec.o.packages?.[0]?.id
    if (shipped !== undefined && pkg && target !== 'CANCELLED') state.replay(shipped, rng, () => state.ship(pkg))
    if (collected !== undefined) state.replay(collected, rng, () => state.collect(id))
    if (delivered !== undefined) state.replay(delivered, rng, () => state.deliver(id))
    if (completed !== undefined) state.replay(completed, rng, () => state.complete(id))
    out.push(rec)
  }
  // refunds of old cancellations and any timer that fell due: apply quietly
  state.quietly(() => state.tick())
  return out
}
