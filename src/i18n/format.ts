/** Formatting for people: money (exact decimal strings), instants in a time zone, durations. */
import type { Locale } from '../assistant/types.js'
import { wallMinutes } from '../shared/zoned-time.js'
import { t } from './index.js'

/** `50.00 USD`: the decimal string as stored (never through a float). */
export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '—'
  return currency ? `${amount} ${currency}` : amount
}

/** `2026-11-20 16:00` in the zone (24-hour clock, the same for both languages), with the zone name. */
export function formatInstant(at: Date | string, timeZone: string, withZone = true): string {
  const text = wallMinutes(typeof at === 'string' ? new Date(at) : at, timeZone)
  return withZone ? `${text} (${timeZone})` : text
}

/** `11 h 30 min` / `11 小时 30 分钟`, rounded down to minutes; negative durations use their size. */
export function formatDuration(ms: number, locale: Locale): string {
  const total = Math.floor(Math.abs(ms) / 60_000)
  const d = Math.floor(total / 1440)
  const h = Math.floor((total % 1440) / 60)
  const m = total % 60
  if (d > 0) return t(locale, 'duration.days_hours', { d, h })
  if (h > 0 && m > 0) return t(locale, 'duration.hours_minutes', { h, m })
  if (h > 0) return t(locale, 'duration.hours', { h })
  return t(locale, 'duration.minutes', { m })
}

export { isTimeZone } from '../shared/zoned-time.js'
