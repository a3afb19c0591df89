/**
 * Calendar days and wall-clock times in an IANA time zone, with nothing but Intl. One module for
 * the whole core: export ranges are whole days in the channel's zone (R5), pick lists and the late
 * chart show times and days in it.
 */
export interface Ymd {
  y: number
  m: number
  d: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** true when `timeZone` is an IANA zone name this runtime knows (e.g. Asia/Shanghai, UTC). */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone || typeof timeZone !== 'string' || timeZone.length > 64) return false
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The wall-clock fields of an instant in a zone. */
export function wallClock(at: Date, timeZone: string): Ymd & { h: number; mi: number; s: number } {
  const parts: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return { y: parts.year, m: parts.month, d: parts.day, h: parts.hour, mi: parts.minute, s: parts.second }
}

/** Milliseconds the zone is ahead of UTC at this instant. */
function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone)
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s)
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/** The instant at which the zone's clock shows this wall time (the later one in a DST gap). */
export function zonedToUtc(y: number, m: number, d: number, h = 0, mi = 0, s = 0, timeZone = 'UTC'): Date {
  const guess = Date.UTC(y, m - 1, d, h, mi, s)
  const first = guess - offsetMs(new Date(guess), timeZone)
  const second = guess - offsetMs(new Date(first), timeZone)
  return new Date(second)
}

/** The calendar day of an instant in a zone. */
export function dayOf(at: Date, timeZone: string): Ymd {
  const { y, m, d } = wallClock(at, timeZone)
  return { y, m, d }
}

export function addDays(day: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + n))
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}

/** Midnight at the start of a day in a zone. */
export function startOfDay(day: Ymd, timeZone: string): Date {
  return zonedToUtc(day.y, day.m, day.d, 0, 0, 0, timeZone)
}

export const ymdString = (day: Ymd): string =>
  `${String(day.y).padStart(4, '0')}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`

export const compareYmd = (a: Ymd, b: Ymd): number => a.y - b.y || a.m - b.m || a.d - b.d

/** A real calendar date (2026-02-30 is not). */
export function isRealDay(day: Ymd): boolean {
  if (day.m < 1 || day.m > 12 || day.d < 1 || day.y < 1970 || day.y > 9999) return false
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d))
  return t.getUTCFullYear() === day.y && t.getUTCMonth() === day.m - 1 && t.getUTCDate() === day.d
}

/** "2026-11-20 08:00:00" in the zone. */
export function wallString(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${ymdString(w)} ${p(w.h)}:${p(w.mi)}:${p(w.s)}`
}

/** "2026-11-20 08:00" in the zone (no seconds). */
export function wallMinutes(at: Date, timeZone: string): string {
  return wallString(at, timeZone).slice(0, 16)
}
