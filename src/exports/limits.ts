/**
 * R7: at most 15,000 orders per export. Over the cap there is no file; the user gets the count
 * and a split into consecutive ranges that each fit, computed from how the matching orders are
 * actually spread over the days (and over the hours of a day that alone is too big).
 */
import type { Executor } from '../../db/database.js'
import { AppError } from '../shared/errors.js'
import { MAX_ORDERS, type ExportFilter } from './filters.js'
import { ordersPerDay, ordersPerHour } from './query.js'
import { addDays, startOfDay, type Ymd } from '../shared/zoned-time.js'

export interface SplitRange {
  /** as the user types it: YYYY-MM-DD (inclusive) or YYYY-MM-DDTHH:MM (a time `to` is exclusive) */
  from: string
  to: string
  orders: number
}

interface Bucket {
  /** label of the bucket's first moment and the `to` label that ends with it */
  fromLabel: string
  toLabel: string
  nextFromLabel: string
  n: number
}

const ymd = (s: string): Ymd => ({ y: +s.slice(0, 4), m: +s.slice(5, 7), d: +s.slice(8, 10) })
const fmtDay = (d: Ymd) => `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`

/** Consecutive ranges of the filter's range, each with at most `cap` orders. */
export async function splitThatFits(db: Executor, f: ExportFilter, cap = MAX_ORDERS): Promise<SplitRange[]> {
  const days = await ordersPerDay(db, f)
  const buckets: Bucket[] = []
  for (const { day, n } of days) {
    if (n <= cap) {
      buckets.push({ fromLabel: day, toLabel: day, nextFromLabel: fmtDay(addDays(ymd(day), 1)), n })
      continue
    }
    // one day holds more than the cap: split it by hours (a time `to` is exclusive)
    const dayStart = startOfDay(ymd(day), f.timeZone)
    const dayEnd = startOfDay(addDays(ymd(day), 1), f.timeZone)
    const sub: ExportFilter = {
      ...f,
      from: new Date(Math.max(f.from.getTime(), dayStart.getTime())),
      to: new Date(Math.min(f.to.getTime(), dayEnd.getTime())),
    }
    for (const { hour, n: hn } of await ordersPerHour(db, sub)) {
      const h = +hour.slice(11, 13)
      const next = h === 23 ? `${fmtDay(addDays(ymd(day), 1))}T00:00` : `${day}T${String(h + 1).padStart(2, '0')}:00`
      buckets.push({ fromLabel: `${hour}:00`, toLabel: next, nextFromLabel: next, n: hn })
    }
  }
  const ranges: SplitRange[] = []
  let cur: SplitRange | null = null
  let nextFrom = f.label.from
  for (const b of buckets) {
    if (cur && cur.orders + b.n <= cap) {
      cur.to = b.toLabel
      cur.orders += b.n
    } else {
      if (cur) ranges.push(cur)
      cur = { from: ranges.length === 0 && !cur ? f.label.from : nextFrom, to: b.toLabel, orders: b.n }
    }
    nextFrom = b.nextFromLabel
  }
  if (cur) ranges.push(cur)
  if (ranges.length) ranges[ranges.length - 1].to = f.label.to
  return ranges
}

const fmt = (n: number) => n.toLocaleString('en-US')

/** The error for an export over the cap: count, cap and the split (in English and Chinese). */
export function tooManyOrders(f: ExportFilter, count: number, ranges: SplitRange[], cap = MAX_ORDERS): AppError {
  const time = f.timeField === 'paid' ? 'paid' : 'created'
  const list = ranges.map((r) => `${r.from} … ${r.to} (${fmt(r.orders)} orders)`).join('; ')
  const listZh = ranges.map((r) => `${r.from} 至 ${r.to}(${fmt(r.orders)} 单)`).join(';')
  const stuck = ranges.some((r) => r.orders > cap)
  const en =
    `${fmt(count)} orders match, more than the ${fmt(cap)} one export can hold. ` +
    (stuck
      ? `Even one hour holds more than ${fmt(cap)}: narrow the export by status or shop. Ranges by ${time} time: ${list}.`
      : `Export in ${ranges.length} parts, by ${time} time: ${list}.`)
  const zh =
    `共有 ${fmt(count)} 个订单符合条件,超过单次导出上限 ${fmt(cap)} 单。` +
    (stuck
      ? `即使一个小时内的订单也超过 ${fmt(cap)} 单:请按状态或店铺缩小范围。按${time === 'paid' ? '付款' : '创建'}时间的分段:${listZh}。`
      : `请按${time === 'paid' ? '付款' : '创建'}时间分 ${ranges.length} 次导出:${listZh}。`)
  return new AppError('too_many', en, { count, limit: cap, ranges, zh, field: 'range' })
}

