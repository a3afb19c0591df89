/**
 * Late-dispatch rate (R8, reference §8) and the per-day figures behind the chart.
 *
 * Definitions (per order, from what the platform told us and our marks):
 * - dispatched at = when shipment was arranged: the platform's rts_time (the order reached
 *   AWAITING_COLLECTION); if it is missing, the carrier's collection_time; else our "handed over" mark.
 * - collected at = collection_time (IN_TRANSIT), else our "handed over" mark.
 * - dispatched in a period = dispatched at ∈ [period start, now). An order counts once, in the
 *   period of its dispatch; orders cancelled before dispatch never count.
 * - late = shipment arranged (rts_time) after its pack-by deadline (the platform's rts_sla_time, else
 *   paid + the shop's pack-by hours), or collected after its hand-over deadline (tts_sla_time, else
 *   paid + hand-over hours) — the platform counts both as late dispatch (§8). Without an rts_time we
 *   do not know when shipment was arranged, so only the collection check applies. Orders fulfilled
 *   by TikTok (FBT) are in the denominator but never late, as in the platform's LDR.
 * - rate = late ÷ dispatched (null when nothing was dispatched). The 7- and 30-day periods are
 *   rolling (now − 7 × 24 h … now); the chart's days are calendar days in the channel's time zone.
 */
import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../db/database.js'
import { DAY_MS } from './zoned.js'
import type { DayPoint } from './late-chart.js'

export interface DispatchRate {
  shopId: string
  shopName: string
  days: number
  dispatched: number
  late: number
  /** late ÷ dispatched, 0…1; null when nothing was dispatched */
  rate: number | null
}

const shopList = (ids: string[]) => sql.join(ids.map((id) => sql`${id}`), sql`, `)

const DISPATCHED_AT = sql`coalesce(o.rts_time, o.collection_time, o.handed_over_at)`
const COLLECTED_AT = sql`coalesce(o.collection_time, o.handed_over_at)`
const IS_LATE = sql`(o.fulfillment_type <> 'FULFILLMENT_BY_TIKTOK' and (
    (o.pack_by_at is not null and o.rts_time is not null and o.rts_time > o.pack_by_at)
    or (o.handover_by_at is not null and ${COLLECTED_AT} is not null and ${COLLECTED_AT} > o.handover_by_at)))`

/** Rates per shop for each period length (days), as of `now`. */
export async function lateDispatchRates(db: Executor, shopIds: string[], now: Date, periods: number[] = [7, 30]): Promise<DispatchRate[]> {
  if (!shopIds.length) return []
  const longest = Math.max(...periods)
  const since = new Date(now.getTime() - longest * DAY_MS).toISOString()
  const got = await rows<{ shop_id: string; name: string; dispatched_at: string | Date; late: boolean }>(
    db,
    sql`select s.id as shop_id, s.name, d.dispatched_at, d.late
        from shops s
        left join lateral (
          select ${DISPATCHED_AT} as dispatched_at, ${IS_LATE} as late
          from orders o
          where o.shop_id = s.id
            and ${DISPATCHED_AT} >= ${since}::timestamptz and ${DISPATCHED_AT} < ${now.toISOString()}::timestamptz
        ) d on true
        where s.id in (${shopList(shopIds)})
        order by s.name, s.id`,
  )
  const out: DispatchRate[] = []
  const shops = new Map<string, string>()
  for (const r of got) shops.set(r.shop_id, r.name)
  for (const [shopId, shopName] of shops) {
    const mine = got.filter((r) => r.shop_id === shopId && r.dispatched_at != null)
    for (const days of periods) {
      const from = now.getTime() - days * DAY_MS
      const inside = mine.filter((r) => new Date(r.dispatched_at).getTime() >= from)
      const late = inside.filter((r) => r.late).length
      out.push({ shopId, shopName, days, dispatched: inside.length, late, rate: inside.length ? late / inside.length : null })
    }
  }
  return out
}

/**
 * Per calendar day (in `timeZone`) for the last `days` days up to today: new paid orders,
 * dispatched orders and late ones (same definitions as the rate), over all the given shops.
 */
export async function dailyDispatch(db: Executor, shopIds: string[], now: Date, timeZone: string, days = 30): Promise<DayPoint[]> {
  if (!shopIds.length) return []
  const got = await rows<{ day: string; paid: number; dispatched: number; late: number }>(
    db,
    sql`with bounds as (
          select (date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${timeZone}) - (${days - 1} * interval '1 day')) at time zone ${timeZone} as since
        ),
        events as (
          select to_char(o.paid_time at time zone ${timeZone}, 'YYYY-MM-DD') as day, 1 as paid, 0 as dispatched, 0 as late
          from orders o, bounds b
          where o.shop_id in (${shopList(shopIds)}) and o.paid_time >= b.since and o.paid_time < ${now.toISOString()}::timestamptz
          union all
          select to_char(${DISPATCHED_AT} at time zone ${timeZone}, 'YYYY-MM-DD'), 0, 1, case when ${IS_LATE} then 1 else 0 end
          from orders o, bounds b
          where o.shop_id in (${shopList(shopIds)}) and ${DISPATCHED_AT} >= b.since and ${DISPATCHED_AT} < ${now.toISOString()}::timestamptz
        )
        select day, sum(paid)::int as paid, sum(dispatched)::int as dispatched, sum(late)::int as late
        from events group by day order by day`,
  )
  const byDay = new Map(got.map((r) => [r.day, r]))
  const out: DayPoint[] = []
  const today = calendarDay(now, timeZone)
  for (let i = days - 1; i >= 0; i--) {
    const day = addDays(today, -i)
    const r = byDay.get(day)
    out.push({ day, paid: Number(r?.paid ?? 0), dispatched: Number(r?.dispatched ?? 0), late: Number(r?.late ?? 0) })
  }
  return out
}

function calendarDay(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

function addDays(ymd: string, n: number): string {
  const [y, m, d] = ymd.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}
