/** Fulfilment's view of zoned time: wall-clock text, day keys, offsets and durations. */
import { dayOf, wallMinutes, ymdString } from '../shared/zoned-time.js'

/** "2026-11-20 16:05" in the zone. */
export const formatDateTime = (d: Date, timeZone: string): string => wallMinutes(d, timeZone)

/** "2026-11-20": the calendar day of the instant in the zone. */
export const dayKey = (d: Date, timeZone: string): string => ymdString(dayOf(d, timeZone))

/** Short offset name of the zone at that instant, e.g. "GMT+8" or "UTC". */
export function zoneLabel(d: Date, timeZone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName')?.value
  return name === 'GMT' ? 'UTC' : (name ?? timeZone)
}

/** "12 h 5 min" style durations for due-in / overdue-by texts. */
export function formatDuration(ms: number, locale: 'en' | 'zh-CN'): string {
  const totalMin = Math.max(0, Math.round(Math.abs(ms) / 60_000))
  const d = Math.floor(totalMin / 1440)
  const h = Math.floor((totalMin % 1440) / 60)
  const m = totalMin % 60
  const zh = locale === 'zh-CN'
  const out: string[] = []
  if (d) out.push(zh ? `${d}天` : `${d} d`)
  if (h) out.push(zh ? `${h}小时` : `${h} h`)
  if (!d && (m || !h)) out.push(zh ? `${m}分钟` : `${m} min`)
  return out.join(zh ? '' : ' ')
}
export const DAY_MS = 86_400_000
