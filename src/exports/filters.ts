/**
 * Export filters (R5, R7): raw arguments as a user typed them → a validated filter, or one clear
 * message saying what to change. Dates are whole days in the channel's time zone; instants
 * (ISO with a time) are accepted too.
 */
import { findShop } from '../channels/shop-match.js'
import type { ExportArgs, Locale } from '../assistant/types.js'
import { STATUS_FILTERS, type StatusFilter } from '../orders/status.js'
import { AppError } from '../shared/errors.js'
import {
  addDays,
  compareYmd,
  dayOf,
  isRealDay,
  isTimeZone,
  startOfDay,
  wallString,
  ymdString,
  zonedToUtc,
  type Ymd,
} from '../shared/zoned-time.js'

export const TIME_FIELDS = ['created', 'paid'] as const
export type TimeField = (typeof TIME_FIELDS)[number]
export const TEMPLATE_NAMES = ['order_list', 'package_list', 'order_sku_list'] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Only orders whose chosen time lies in the last 90 days (R7). */
export const WINDOW_DAYS = 90
/** At most this many orders per export (R7). */
export const MAX_ORDERS = 15_000
/** The range when the user gives none: the last 7 days, today included. */
export const DEFAULT_DAYS = 7

export interface ExportFilter {
  shopIds: string[]
  status: StatusFilter
  timeField: TimeField
  /** inclusive */
  from: Date
  /** exclusive */
  to: Date
  /** the range as the user sees it: whole days (to inclusive) or wall-clock instants, in `timeZone` */
  label: { from: string; to: string; wholeDays: boolean }
  template: TemplateName
  format: ExportFormat
  timeZone: string
}

export interface ShopRef {
  id: string
  name?: string
}

export interface FilterContext {
  now: Date
  /** the channel's zone; `--tz` / `tz` overrides it */
  timeZone: string
  /** the shops the channel follows (the CLI: every shop) */
  shops: ShopRef[]
}

/** Chinese names sellers type, and common English spellings. */
const STATUS_SYNONYMS: Record<string, StatusFilter> = {
  全部: 'all',
  所有: 'all',
  未支付: 'unpaid',
  待付款: 'unpaid',
  待支付: 'unpaid',
  未付款: 'unpaid',
  待发货: 'awaiting_shipment',
  已发货: 'shipped',
  运输中: 'shipped',
  已完成: 'completed',
  取消中: 'cancelling',
  已取消: 'cancelled',
  any: 'all',
  to_ship: 'awaiting_shipment',
  awaiting_shipping: 'awaiting_shipment',
  awaiting: 'awaiting_shipment',
  canceling: 'cancelling',
  canceled: 'cancelled',
  complete: 'completed',
}

const STATUS_ZH: Record<StatusFilter, string> = {
  all: '全部',
  unpaid: '未支付',
  awaiting_shipment: '待发货',
  shipped: '已发货',
  completed: '已完成',
  cancelling: '取消中',
  cancelled: '已取消',
}

const TIME_SYNONYMS: Record<string, TimeField> = {
  created: 'created',
  create: 'created',
  create_time: 'created',
  created_time: 'created',
  created_at: 'created',
  创建: 'created',
  创建时间: 'created',
  下单时间: 'created',
  paid: 'paid',
  pay: 'paid',
  paid_time: 'paid',
  paid_at: 'paid',
  payment: 'paid',
  付款: 'paid',
  付款时间: 'paid',
  支付时间: 'paid',
}

const TEMPLATE_SYNONYMS: Record<string, TemplateName> = {
  order_list: 'order_list',
  orders: 'order_list',
  订单清单: 'order_list',
  订单列表: 'order_list',
  package_list: 'package_list',
  packages: 'package_list',
  包裹清单: 'package_list',
  包裹列表: 'package_list',
  order_sku_list: 'order_sku_list',
  sku_list: 'order_sku_list',
  skus: 'order_sku_list',
  订单商品列表: 'order_sku_list',
  订单sku列表: 'order_sku_list',
}

const FORMAT_SYNONYMS: Record<string, ExportFormat> = {
  csv: 'csv',
  xlsx: 'xlsx',
  excel: 'xlsx',
}

export const statusLabel = (s: StatusFilter, locale: Locale): string => (locale === 'zh-CN' ? STATUS_ZH[s] : s)

/** A bad filter: the English message, the Chinese one in params.zh, and what was wrong in params. */
export function filterProblem(field: string, en: string, zh: string, params: Record<string, unknown> = {}): AppError {
  return new AppError('bad_input', en, { field, zh, ...params })
}

const norm = (v: string) => v.trim().toLowerCase().replace(/[\s-]+/g, '_')
const given = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== ''

export function parseStatus(raw: string | undefined): StatusFilter {
  if (!given(raw)) return 'all'
  const v = norm(raw)
  if ((STATUS_FILTERS as readonly string[]).includes(v)) return v as StatusFilter
  const syn = STATUS_SYNONYMS[v] ?? STATUS_SYNONYMS[raw.trim()]
  if (syn) return syn
  const en = STATUS_FILTERS.join(', ')
  const zh = STATUS_FILTERS.map((s) => STATUS_ZH[s]).join('、')
  throw filterProblem(
    'status',
    `Unknown status "${raw.trim()}". Use one of: ${en} (or ${zh}).`,
    `未知的订单状态“${raw.trim()}”。请使用:${zh}(或 ${en})。`,
    { value: raw, allowed: [...STATUS_FILTERS] },
  )
}

export function parseTimeField(raw: string | undefined): TimeField {
  if (!given(raw)) return 'created'
  const v = TIME_SYNONYMS[norm(raw)] ?? TIME_SYNONYMS[raw.trim()]
  if (v) return v
  throw filterProblem(
    'time',
    `Unknown time field "${raw.trim()}". Use created (the order's create time) or paid (its paid time).`,
    `未知的时间类型“${raw.trim()}”。请使用 created(创建时间)或 paid(付款时间)。`,
    { value: raw, allowed: [...TIME_FIELDS] },
  )
}

export function parseTemplate(raw: string | undefined): TemplateName {
  if (!given(raw)) return 'order_sku_list'
  const v = TEMPLATE_SYNONYMS[norm(raw)] ?? TEMPLATE_SYNONYMS[raw.trim()]
  if (v) return v
  throw filterProblem(
    'template',
    `Unknown template "${raw.trim()}". Use order_list, package_list or order_sku_list (recommended).`,
    `未知的导出模板“${raw.trim()}”。请使用 order_list(订单清单)、package_list(包裹清单)或 order_sku_list(订单商品列表,推荐)。`,
    { value: raw, allowed: [...TEMPLATE_NAMES] },
  )
}

export function parseFormat(raw: string | undefined): ExportFormat {
  if (!given(raw)) return 'xlsx'
  const v = FORMAT_SYNONYMS[norm(raw).replace(/^\./, '')]
  if (v) return v
  throw filterProblem(
    'format',
    `Unknown format "${raw.trim()}". Use csv or xlsx (Excel).`,
    `未知的文件格式“${raw.trim()}”。请使用 csv 或 xlsx(Excel)。`,
    { value: raw, allowed: [...EXPORT_FORMATS] },
  )
}

export function parseTimeZone(raw: string | undefined, fallback: string): string {
  if (!given(raw)) return fallback
  const v = raw.trim()
  if (isTimeZone(v)) return v
  throw filterProblem(
    'tz',
    `Unknown time zone "${v}". Use an IANA name such as Asia/Shanghai, America/Los_Angeles or UTC.`,
    `未知的时区“${v}”。请使用 IANA 时区名,例如 Asia/Shanghai、America/Los_Angeles 或 UTC。`,
    { value: raw },
  )
}

export function parseShops(raw: string | undefined, shops: ShopRef[]): string[] {
  if (!shops.length)
    throw filterProblem(
      'shop',
      'No shop is linked here yet. Link a shop first (/link with the code from the CLI), then export.',
      '此处尚未关联店铺。请先用 CLI 生成的代码执行 /link 关联店铺,再导出。',
    )
  if (!given(raw)) return shops.map((s) => s.id)
  const v = raw.trim()
  const hit = findShop(shops, v)
  if (hit) return [hit.id]
  const list = shops.map((s) => (s.name ? `${s.id} (${s.name})` : s.id)).join(', ')
  throw filterProblem(
    'shop',
    `Shop "${v}" is not one this channel follows. Use one of: ${list}, or leave shop out for all of them.`,
    `本频道未关注店铺“${v}”。请使用:${list};或不填店铺以导出全部店铺。`,
    { value: raw, allowed: shops.map((s) => s.id) },
  )
}

type Point = { kind: 'day'; day: Ymd } | { kind: 'instant'; at: Date }

const DAY_RE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/
const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i

/** Days named relative to today (in the chat's zone): an export of "yesterday" is that whole day. */
const RELATIVE_DAYS: Record<string, number> = { today: 0, 今天: 0, 今日: 0, yesterday: -1, 昨天: -1, 昨日: -1 }
const relativeDay = (v: string): number | undefined => RELATIVE_DAYS[v.trim().toLowerCase()]

/** Monday of the week `day` is in (weeks start on Monday, as in China and ISO 8601). */
const mondayOf = (day: Ymd): Ymd => addDays(day, -((new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay() + 6) % 7))
const firstOfMonth = (day: Ymd): Ymd => ({ y: day.y, m: day.m, d: 1 })

/**
 * The days a range word stands for, from today: what placeWords puts in `from` and `to` for it
 * (`today-29`: 29 days before today), and parsePoint reads back.
 */
const RANGE_POINTS: Record<string, (today: Ymd) => Ymd> = {
  this_week_start: mondayOf,
  last_week_start: (t) => addDays(mondayOf(t), -7),
  last_week_end: (t) => addDays(mondayOf(t), -1),
  this_month_start: firstOfMonth,
  last_month_start: (t) => firstOfMonth(addDays(firstOfMonth(t), -1)),
  last_month_end: (t) => addDays(firstOfMonth(t), -1),
}
const DAYS_BEFORE = /^today-(\d{1,3})$/

function rangePoint(v: string, today: Ymd): Ymd | undefined {
  const back = DAYS_BEFORE.exec(v)
  if (back) return addDays(today, -Number(back[1]))
  return RANGE_POINTS[v]?.(today)
}

/**
 * A range named in words, as a team says it: the last N days (today included) as `30d`, `30 days`,
 * `last 30 days`, `最近30天`; this or last week (from Monday) or month, in English or Chinese.
 * Returns the `from` and `to` placeWords sets, or undefined.
 */
function namedRange(phrase: string): { from: string; to: string } | undefined {
  const v = norm(phrase)
  const days = /^(?:last_|past_)?(\d{1,3})_?d(?:ays?)?$/.exec(v) ?? /^(?:最近|近|过去)?_?(\d{1,3})_?(?:天|日)$/.exec(v)
  if (days && Number(days[1]) >= 1) return { from: `today-${Number(days[1]) - 1}`, to: 'today' }
  if (['this_week', '本周', '这周'].includes(v)) return { from: 'this_week_start', to: 'today' }
  if (['last_week', '上周', '上个星期'].includes(v)) return { from: 'last_week_start', to: 'last_week_end' }
  if (['this_month', '本月', '这个月'].includes(v)) return { from: 'this_month_start', to: 'today' }
  if (['last_month', '上月', '上个月'].includes(v)) return { from: 'last_month_start', to: 'last_month_end' }
  return undefined
}

function parsePoint(raw: string, which: 'from' | 'to', timeZone: string, today: Ymd): Point {
  const v = raw.trim()
  const rel = relativeDay(v)
  if (rel !== undefined) return { kind: 'day', day: addDays(today, rel) }
  const ranged = rangePoint(v.toLowerCase(), today)
  if (ranged) return { kind: 'day', day: ranged }
  const day = DAY_RE.exec(v)
  if (day) {
    const d = { y: Number(day[1]), m: Number(day[2]), d: Number(day[3]) }
    if (isRealDay(d)) return { kind: 'day', day: d }
  }
  const inst = INSTANT_RE.exec(v)
  if (inst) {
    const [, y, mo, d, h, mi, s, off] = inst
    const dd = { y: Number(y), m: Number(mo), d: Number(d) }
    if (isRealDay(dd) && Number(h) < 24 && Number(mi) < 60 && Number(s ?? 0) < 60) {
      if (off) {
        const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${off.length === 5 ? off.slice(0, 3) + ':' + off.slice(3) : off.toUpperCase()}`)
        if (!Number.isNaN(at.getTime())) return { kind: 'instant', at }
      } else {
        return { kind: 'instant', at: zonedToUtc(dd.y, dd.m, dd.d, Number(h), Number(mi), Number(s ?? 0), timeZone) }
      }
    }
  }
  throw filterProblem(
    which,
    `"${v}" is not a date. Write ${which} as YYYY-MM-DD (e.g. 2026-11-01), as a time like 2026-11-01T08:00, or as today / yesterday.`,
    `“${v}”不是有效日期。请将${which === 'from' ? '开始日期' : '结束日期'}写成 YYYY-MM-DD(例如 2026-11-01)、时间(如 2026-11-01T08:00),或 今天 / 昨天。`,
    { value: raw },
  )
}

/** The keys a word typed without one can stand for, each with what it accepts. */
const WORD_KINDS: { key: 'status' | 'time' | 'template' | 'format' | 'tz'; names: (v: string) => boolean }[] = [
  { key: 'status', names: (v) => (STATUS_FILTERS as readonly string[]).includes(norm(v)) || !!(STATUS_SYNONYMS[norm(v)] ?? STATUS_SYNONYMS[v]) },
  { key: 'time', names: (v) => !!(TIME_SYNONYMS[norm(v)] ?? TIME_SYNONYMS[v]) },
  { key: 'template', names: (v) => !!(TEMPLATE_SYNONYMS[norm(v)] ?? TEMPLATE_SYNONYMS[v]) },
  { key: 'format', names: (v) => !!FORMAT_SYNONYMS[norm(v).replace(/^\./, '')] },
  // a zone by its IANA name with a slash (or UTC): a bare word such as "Japan" is more likely something else
  { key: 'tz', names: (v) => (v.includes('/') || /^(utc|gmt)$/i.test(v)) && isTimeZone(v) },
]

const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/
/** `2026-11-01..2026-11-20`, `2026-11-01~2026-11-20`, `2026-11-01至2026-11-20` */
const DATE_RANGE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\S*?)(?:\.\.|~|至|到)(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\S*)$/

/**
 * Places the words typed without a key (`/export shipped paid csv 2026-11-01 2026-11-20`): a date is
 * `from`, a second one `to` (or a range `A..B`); any other word is the status, time field, template,
 * format or zone it names (two words may name one: "awaiting shipment", "order list"). A word that
 * names nothing, or a key given twice, is refused with what to write instead.
 */
export function placeWords(args: ExportArgs): ExportArgs {
  const { words, ...out } = args
  if (!words?.length) return out
  // what the user wrote for a value placed (a named range puts a day of it in from and to)
  const written = new Map<string, string>()
  const shown = (key: 'from' | 'to') => written.get(key) ?? out[key]
  const set = (key: Exclude<keyof ExportArgs, 'words'>, value: string, as = value) => {
    const had = written.get(key) ?? out[key]
    if (given(had))
      throw filterProblem(key, `${key} is given twice (“${had}” and “${as}”). Give it once.`, `${key} 重复了(“${had}”和“${as}”)。请只给一次。`, { value: as })
    out[key] = value
    written.set(key, as)
  }
  const date = (value: string) => {
    if (!given(out.from)) return set('from', value)
    if (!given(out.to)) return set('to', value)
    const range = written.get('from')
    if (range && range === written.get('to'))
      throw filterProblem('to', `“${range}” gives both dates already: leave out ${value}, or give from and to as dates.`, `“${range}”已经给出了开始和结束日期:请去掉 ${value},或用日期写开始和结束。`, { value })
    throw filterProblem('to', `Too many dates (${shown('from')}, ${shown('to')}, ${value}): give a from date and a to date at most.`, `日期太多(${shown('from')}、${shown('to')}、${value}):最多给开始和结束两个日期。`, { value })
  }
  const kindsOf = (v: string) => WORD_KINDS.filter((k) => k.names(v))
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.trim()
    if (!w) continue
    // a range named in words ("last 30 days", "30d", "上个月"): three words, two or one
    const named = [3, 2, 1].map((n) => (i + n <= words.length ? { n, r: namedRange(words.slice(i, i + n).join(' ')) } : null)).find((x) => x?.r)
    if (named?.r) {
      const phrase = words.slice(i, i + named.n).join(' ')
      set('from', named.r.from, phrase)
      set('to', named.r.to, phrase)
      i += named.n - 1
      continue
    }
    const range = DATE_RANGE.exec(w)
    if (range) {
      date(range[1]!)
      date(range[2]!)
      continue
    }
    if (DATE_LIKE.test(w)) {
      date(w)
      continue
    }
    // "yesterday" alone is that whole day; after a from date, it is the last day
    if (relativeDay(w) !== undefined) {
      if (!given(out.from) && !given(out.to)) set('to', w)
      date(w)
      continue
    }
    // two words that name one value together ("awaiting shipment", "order list") are read as one
    const pair = i + 1 < words.length ? `${w} ${words[i + 1]!.trim()}` : ''
    const pairKinds = pair ? kindsOf(pair) : []
    if (pairKinds.length === 1) {
      set(pairKinds[0]!.key, pair)
      i++
      continue
    }
    const kinds = kindsOf(w)
    if (kinds.length === 1) {
      set(kinds[0]!.key, w)
      continue
    }
    if (kinds.length > 1) {
      const keys = kinds.map((k) => k.key)
      throw filterProblem('words', `“${w}” could be ${keys.join(' or ')}: write it as ${keys[0]}=${w}.`, `“${w}”可能是 ${keys.join(' 或 ')}:请写成 ${keys[0]}=${w}。`, { value: w })
    }
    throw filterProblem(
      'words',
      `“${w}” is not something an export knows. Give a status (e.g. shipped, awaiting_shipment), created or paid, a template (order_list, package_list, order_sku_list), csv or xlsx, or dates as YYYY-MM-DD (or today, yesterday, 30d, this week, last month) — or write key=value, e.g. status=shipped.`,
      `无法识别“${w}”。可以给:订单状态(如 待发货、已发货)、创建时间或付款时间、导出模板(订单清单、包裹清单、订单商品列表)、csv 或 excel、YYYY-MM-DD 格式的日期或 今天 / 昨天 / 最近30天 / 本周 / 上月;或写成 键=值,例如 status=shipped 或 状态=已发货。`,
      { value: w },
    )
  }
  return out
}

/**
 * Validates everything the user typed. Throws AppError('bad_input') with one message naming what
 * to change. Limits on the number of orders are checked later, against the database.
 */
export function parseExportFilter(typed: ExportArgs, ctx: FilterContext): ExportFilter {
  const args = placeWords(typed)
  const timeZone = parseTimeZone(args.tz, ctx.timeZone)
  const status = parseStatus(args.status)
  const timeField = parseTimeField(args.time)
  const template = parseTemplate(args.template)
  const format = parseFormat(args.format)
  const shopIds = parseShops(args.shop, ctx.shops)

  const today = dayOf(ctx.now, timeZone)
  const earliestDay = addDays(today, -WINDOW_DAYS)
  const earliest = startOfDay(earliestDay, timeZone)
  const fromP = given(args.from) ? parsePoint(args.from, 'from', timeZone, today) : undefined
  const toP = given(args.to) ? parsePoint(args.to, 'to', timeZone, today) : undefined

  let from: Date
  let to: Date
  if (toP) to = toP.kind === 'day' ? startOfDay(addDays(toP.day, 1), timeZone) : toP.at
  else to = startOfDay(addDays(today, 1), timeZone)
  if (fromP) from = fromP.kind === 'day' ? startOfDay(fromP.day, timeZone) : fromP.at
  else {
    const lastDay = toP?.kind === 'day' ? toP.day : toP ? dayOf(new Date(to.getTime() - 1), timeZone) : today
    const d = addDays(lastDay, -(DEFAULT_DAYS - 1))
    from = startOfDay(compareYmd(d, earliestDay) < 0 ? earliestDay : d, timeZone)
  }

  const show = (p: Point | undefined, at: Date) => (p?.kind === 'instant' ? wallString(p.at, timeZone) : ymdString(dayOf(at, timeZone)))
  const fromText = show(fromP, from)
  const toText = toP?.kind === 'instant' ? wallString(toP.at, timeZone) : ymdString(dayOf(new Date(to.getTime() - 1), timeZone))

  if (from.getTime() >= to.getTime())
    throw filterProblem(
      'range',
      `from (${fromText}) is after to (${toText}). Swap them, or change one so that from comes first.`,
      `开始时间(${fromText})晚于结束时间(${toText})。请交换两者,或修改其中之一使开始时间在前。`,
      { from: fromText, to: toText },
    )
  if (from.getTime() < earliest.getTime())
    throw filterProblem(
      'from',
      `from (${fromText}) is more than ${WINDOW_DAYS} days ago: only orders of the last ${WINDOW_DAYS} days can be exported. Use a from date on or after ${ymdString(earliestDay)}.`,
      `开始时间(${fromText})早于 ${WINDOW_DAYS} 天前:只能导出最近 ${WINDOW_DAYS} 天的订单。请使用 ${ymdString(earliestDay)} 或之后的开始日期。`,
      { from: fromText, earliest: ymdString(earliestDay) },
    )

  return {
    shopIds,
    status,
    timeField,
    from,
    to,
    label: { from: fromText, to: toText, wholeDays: fromP?.kind !== 'instant' && toP?.kind !== 'instant' },
    template,
    format,
    timeZone,
  }
}
