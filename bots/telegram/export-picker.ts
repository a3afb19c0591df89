/**
 * `/export` with no arguments: an inline-keyboard picker, status → time → template → format.
 * The picker's state travels in the callback data itself (`xp:` + the choices so far, e.g.
 * `xp:s.p7.k.x`), so it survives restarts, needs no store and any member may finish it.
 * Codes are short so the data stays far below Telegram's 64 bytes.
 */
import type { ExportArgs, Locale } from '../../src/assistant/types.js'
import type { InlineKeyboard } from './render.js'
import { escapeHtml } from './render.js'

export const PICKER_PREFIX = 'xp:'

const STATUS: [code: string, value: string, en: string, zh: string][] = [
  ['a', 'all', 'All', '全部'],
  ['u', 'unpaid', 'Unpaid', '未支付'],
  ['w', 'awaiting_shipment', 'Awaiting shipment', '待发货'],
  ['s', 'shipped', 'Shipped', '已发货'],
  ['c', 'completed', 'Completed', '已完成'],
  ['g', 'cancelling', 'Cancelling', '取消中'],
  ['x', 'cancelled', 'Cancelled', '已取消'],
]
const TIME_FIELD: [code: string, value: string, en: string, zh: string][] = [
  ['c', 'created', 'Created', '创建'],
  ['p', 'paid', 'Paid', '付款'],
]
const RANGE: [code: string, days: number, en: string, zh: string][] = [
  ['0', 1, 'today', '今天'],
  ['7', 7, 'last 7 days', '近 7 天'],
  ['30', 30, 'last 30 days', '近 30 天'],
  ['90', 90, 'last 90 days', '近 90 天'],
]
const TEMPLATE: [code: string, value: string, en: string, zh: string][] = [
  ['k', 'order_sku_list', 'Order SKU list (recommended)', '订单商品列表(推荐)'],
  ['o', 'order_list', 'Order list', '订单清单'],
  ['p', 'package_list', 'Package list', '包裹清单'],
]
const FORMAT: [code: string, value: string, en: string, zh: string][] = [
  ['x', 'xlsx', 'Excel (.xlsx)', 'Excel (.xlsx)'],
  ['c', 'csv', 'CSV', 'CSV'],
]

export interface PickerView {
  html: string
  keyboard?: InlineKeyboard
}
export type PickerStep =
  | { kind: 'view'; view: PickerView }
  | { kind: 'run'; args: ExportArgs; summary: string }
  | { kind: 'cancelled'; html: string }
  | { kind: 'invalid' }

const L = (locale: Locale, en: string, zh: string) => (locale === 'zh-CN' ? zh : en)
const btn = (text: string, data: string) => ({ text, callback_data: PICKER_PREFIX + data })
const rows = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n))

/** The first picker screen. */
export function pickerStart(locale: Locale): PickerView {
  return view(locale, 1, L(locale, 'Which orders?', '导出哪些订单?'), rows(STATUS.map(([c, , en, zh]) => btn(L(locale, en, zh), c)), 2), '')
}

function view(locale: Locale, step: number, question: string, kb: { text: string; callback_data: string }[][], sofar: string): PickerView {
  const head = `<b>${escapeHtml(L(locale, 'Export orders', '导出订单'))}</b> · ${step}/4`
  const chosen = sofar ? `\n${escapeHtml(sofar)}` : ''
  return {
    html: `${head}${chosen}\n\n${escapeHtml(question)}`,
    keyboard: { inline_keyboard: [...kb, [btn(L(locale, '✖ Cancel', '✖ 取消'), '!')]] },
  }
}

/** `YYYY-MM-DD` of `now` in the zone, minus `days`. */
export function dayInZone(now: Date, timeZone: string, minusDays = 0): string {
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d - minusDays)).toISOString().slice(0, 10)
}

/** The next picker screen for a press on `data` (with the prefix), or the export to run. */
export function pickerPress(data: string, locale: Locale, timeZone: string, now: Date): PickerStep {
  if (!data.startsWith(PICKER_PREFIX)) return { kind: 'invalid' }
  const state = data.slice(PICKER_PREFIX.length)
  if (state === '!') return { kind: 'cancelled', html: escapeHtml(L(locale, 'Export cancelled.', '已取消导出。')) }
  const parts = state.split('.')
  if (parts.length > 4) return { kind: 'invalid' }
  const [s, t, m, f] = parts
  const status = STATUS.find((x) => x[0] === s)
  if (!status) return { kind: 'invalid' }
  const label = (x: [string, unknown, string, string]) => L(locale, x[2], x[3])
  if (t === undefined) {
    const kb = TIME_FIELD.flatMap(([fc, , fen, fzh]) =>
      RANGE.map(([rc, , ren, rzh]) => btn(L(locale, `${fen} · ${ren}`, `${fzh} · ${rzh}`), `${s}.${fc}${rc}`)),
    )
    return { kind: 'view', view: view(locale, 2, L(locale, 'Which time, and how far back?', '按哪个时间,多长范围?'), rows(kb, 2), label(status)) }
  }
  const field = TIME_FIELD.find((x) => x[0] === t[0])
  const range = RANGE.find((x) => x[0] === t.slice(1))
  if (!field || !range) return { kind: 'invalid' }
  const sofar2 = `${label(status)} · ${L(locale, `${field[2]} · ${range[2]}`, `${field[3]} · ${range[3]}`)}`
  if (m === undefined) {
    const kb = TEMPLATE.map((x) => [btn(label(x), `${s}.${t}.${x[0]}`)])
    return { kind: 'view', view: view(locale, 3, L(locale, 'Which template?', '使用哪个模板?'), kb, sofar2) }
  }
  const template = TEMPLATE.find((x) => x[0] === m)
  if (!template) return { kind: 'invalid' }
  const sofar3 = `${sofar2} · ${label(template)}`
  if (f === undefined) {
    const kb = [FORMAT.map((x) => btn(label(x), `${s}.${t}.${m}.${x[0]}`))]
    return { kind: 'view', view: view(locale, 4, L(locale, 'Which format?', '哪种文件格式?'), kb, sofar3) }
  }
  const format = FORMAT.find((x) => x[0] === f)
  if (!format) return { kind: 'invalid' }
  return {
    kind: 'run',
    args: {
      status: status[1],
      time: field[1],
      from: dayInZone(now, timeZone, range[1] - 1),
      to: dayInZone(now, timeZone),
      template: template[1],
      format: format[1],
    },
    summary: `${sofar3} · ${label(format)}`,
  }
}
