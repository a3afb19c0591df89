/** Channel settings: language, time zone, warning thresholds (parsed from "12h,2h,0"), the daily summary's time. */
import { eq } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { channels } from '../../db/schema.js'
import type { Locale } from '../assistant/types.js'
import { userError } from '../assistant/user-error.js'
import { isTimeZone } from '../i18n/format.js'
import { parseLocale } from '../i18n/index.js'

const MAX_MINUTES = 7 * 24 * 60

/** "12h,2h,0" → [720, 120, 0] (sorted, distinct). Units: m, h, d; a bare number is hours; 0 = overdue. */
export function parseThresholds(text: string): number[] | null {
  const parts = text.split(/[,,\s]+/).filter(Boolean)
  if (!parts.length || parts.length > 6) return null
  const out = new Set<number>()
  for (const p of parts) {
    const m = /^(\d{1,4}(?:\.\d{1,2})?)(m|min|h|d)?$/i.exec(p.trim())
    if (!m) return null
    const n = Number(m[1])
    const unit = (m[2] ?? 'h').toLowerCase()
    const minutes = Math.round(unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n)
    if (minutes < 0 || minutes >= MAX_MINUTES) return null
    out.add(minutes)
  }
  return [...out].sort((a, b) => b - a)
}

export function formatThresholds(minutes: number[], overdue: string): string {
  return minutes
    .map((m) => (m === 0 ? overdue : m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`))
    .join(', ')
}

export interface SettingsChange {
  locale?: Locale
  timeZone?: string
  thresholds?: number[]
  /** the daily summary's local time HH:MM, or null: none */
  daily?: string | null
}

const OFF = new Set(['off', 'none', 'no', '0', 'false', '关', '关闭', '不要', '无'])

/** "9", "09:00", "9:30", "21h" → "09:00" / "09:30" / "21:00"; "off" → null; anything else → undefined. */
export function parseDailyTime(text: string): string | null | undefined {
  const v = text.trim().toLowerCase()
  if (OFF.has(v)) return null
  const m = /^([01]?\d|2[0-3])(?:[:.h时点]([0-5]\d)?)?(?:分)?$/.exec(v)
  if (!m) return undefined
  return `${m[1].padStart(2, '0')}:${m[2] ?? '00'}`
}

/** Validates raw settings; throws one clear message per bad value (the first found). */
export function parseSettings(raw: { language?: string; timeZone?: string; thresholds?: string; daily?: string }): SettingsChange {
  const change: SettingsChange = {}
  if (raw.language !== undefined && raw.language !== '') {
    const l = parseLocale(raw.language)
    if (!l) throw userError('bad_input', 'settings.bad_language', { value: raw.language })
    change.locale = l
  }
  if (raw.timeZone !== undefined && raw.timeZone !== '') {
    if (!isTimeZone(raw.timeZone.trim())) throw userError('bad_input', 'settings.bad_time_zone', { value: raw.timeZone })
    change.timeZone = raw.timeZone.trim()
  }
  if (raw.thresholds !== undefined && raw.thresholds !== '') {
    const th = parseThresholds(raw.thresholds)
    if (!th) throw userError('bad_input', 'settings.bad_thresholds', { value: raw.thresholds })
    change.thresholds = th
  }
  if (raw.daily !== undefined && raw.daily !== '') {
    const d = parseDailyTime(raw.daily)
    if (d === undefined) throw userError('bad_input', 'settings.bad_daily', { value: raw.daily })
    change.daily = d
  }
  return change
}

export async function applySettings(tx: Executor, channelId: number, change: SettingsChange, now: Date): Promise<void> {
  await tx
    .update(channels)
    .set({
      ...(change.locale ? { locale: change.locale } : {}),
      ...(change.timeZone ? { timeZone: change.timeZone } : {}),
      ...(change.thresholds ? { warnThresholdsMinutes: change.thresholds } : {}),
      ...(change.daily !== undefined ? { dailySummaryAt: change.daily } : {}),
      updatedAt: now,
    })
    .where(eq(channels.id, channelId))
}
