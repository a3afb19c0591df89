/** Deterministic demo data: every status, spread over the window, same seed → same orders. */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/shared/clock.js'
import { GENERATED_STATUSES, ShopState, generateOrders } from '../../src/shop/simulator/index.js'

const at = '2026-11-20T12:00:00Z'
const make = (seed: number | string, count = 300, days = 30) => {
  const s = new ShopState(new ManualClock(at), { seed: 1 })
  generateOrders(s, { count, days, seed })
  return s
}

describe('generateOrders', () => {
  it('represents every status, spread over the last D days', () => {
    const s = make(9, 300, 30)
    const orders = [...s.orders.values()].map((r) => r.o)
    expect(orders).toHaveLength(300)
    expect(new Set(orders.map((o) => o.status))).toEqual(new Set(GENERATED_STATUSES))
    const now = Date.parse(at) / 1000
    expect(orders.every((o) => o.create_time >= now - 30 * 86400 && o.create_time <= now)).toBe(true)
    expect(Math.min(...orders.map((o) => o.create_time))).toBeLessThan(now - 20 * 86400)
    expect([...s.cancellations.values()].some((c) => c.cancel_status === 'CANCELLATION_REQUEST_PENDING')).toBe(true)
    // some orders are already late for shipping
    expect(orders.some((o) => o.status === 'AWAITING_SHIPMENT' && o.rts_sla_time! < now)).toBe(true)
    // hostile buyer notes and Chinese product names are in the mix
    expect(orders.some((o) => /[<&@=]/.test(String(o.buyer_message)))).toBe(true)
    expect(orders.some((o) => o.line_items!.some((li) => /[\u4e00-\u9fff]/.test(String(li.product_name))))).toBe(true)
    // history is consistent: times only move forward
    for (const o of orders) {
      if (o.paid_time) expect(o.paid_time).toBeGreaterThanOrEqual(o.create_time)
      if (o.rts_time) expect(o.rts_time).toBeGreaterThanOrEqual(o.paid_time!)
      if (o.collection_time) expect(o.collection_time).toBeGreaterThanOrEqual(o.rts_time!)
      if (o.delivery_time) expect(o.delivery_time).toBeGreaterThanOrEqual(o.collection_time!)
      expect(o.update_time).toBeLessThanOrEqual(now)
    }
  })

  it('every status even over one day', () => {
    const s = make(3, 40, 1)
    expect(new Set([...s.orders.values()].map((r) => r.o.status))).toEqual(new Set(GENERATED_STATUSES))
  })

  it('the same seed gives the same orders; another seed other ones', () => {
    const a = make(42)
    const b = make(42)
    const c = make(43)
    const pick = (s: ShopState) => [...s.orders.values()].map((r) => [r.o.id, r.o.status, r.o.create_time, r.o.payment?.total_amount])
    expect(pick(a)).toEqual(pick(b))
    expect(pick(a)).not.toEqual(pick(c))
  })

  it('a generated shop keeps moving with the clock and emits nothing for history', () => {
    const clock = new ManualClock(at)
    const s = new ShopState(clock, { seed: 1 })
    const events: number[] = []
    s.onEvent((e) => events.push(e.type))
    generateOrders(s, { count: 100, days: 10, seed: 1 })
    expect(events).toEqual([])
    clock.advanceHours(24 * 10)
    s.tick()
    const left = new Set([...s.orders.values()].map((r) => r.o.status))
    expect(left.has('ON_HOLD')).toBe(false)
    expect(left.has('UNPAID')).toBe(false)
    expect(events.length).toBeGreaterThan(0)
  })
})
