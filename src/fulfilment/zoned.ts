/** Wall-clock text of an instant in a time zone, and calendar-day keys, with nothing but Intl. */

const cache = new Map<string, Intl.DateTimeFormat>()

function parts(d: Date, timeZone: string): Record<string, string> {
  let f = cache.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
    cache.set(timeZone, f)
  }
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]))
}

/** "2026-11-20 16:05" in the zone. */
export function formatDateTime(d: Date, timeZone: string): string {
  const p = parts(d, timeZone)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** "2026-11-20": the calendar day of the instant in the zone. */
export function dayKey(d: Date, timeZone: string): string {
  const p = parts(d, timeZone)
  return `${p.year}-${p.month}-${p.day}`
}

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
