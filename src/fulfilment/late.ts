/**
 * /late (R8): what is overdue and what falls due within N hours, per step (pack by, hand over by,
 * answer a cancellation request by), with buttons to mark the most urgent orders; the shops'
 * late-dispatch rates for the last 7 and 30 days; and a PNG chart of the last 30 days.
 * A step stops being late once its mark is set (packed, handed over) or the request is answered
 * (src/fulfilment/open-steps.ts, which the history summary counts by too).
 */
import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../db/database.js'
import type { Locale, OutgoingFile } from '../assistant/types.js'
import type { Button, Line, NeutralMessage } from '../notifications/message.js'
import { message } from '../notifications/message.js'
import { HOUR } from '../shared/clock.js'
import { fulfilmentError } from './errors.js'
import { renderLateChartPng } from './late-chart.js'
import { dailyDispatch, lateDispatchRates, type DispatchRate } from './late-rate.js'
import { HANDOVER_OPEN, PACK_OPEN } from './open-steps.js'
import { writeOutgoingFile } from './out-file.js'
import { texts, type FulfilmentTexts } from './texts.js'
import { dayKey, formatDuration } from './zoned.js'

export type LateStep = 'pack_by' | 'handover_by' | 'answer_by'
export const LATE_STEPS: LateStep[] = ['pack_by', 'handover_by', 'answer_by']

export const DEFAULT_LATE_HOURS = 24
export const MAX_LATE_HOURS = 168
/** items listed per group in the message (the counts cover all) */
export const LIST_PER_GROUP = 8
/** at most this many rows of buttons (Discord allows 5 action rows) */
export const MAX_BUTTON_ROWS = 5
/** at most this many items read per step */
const READ_LIMIT = 500

export interface LateItem {
  step: LateStep
  orderId: string
  cancelId: string | null
  shopId: string
  shopName: string
  deadline: Date
}

export interface LateGroup {
  step: LateStep
  overdue: LateItem[]
  dueSoon: LateItem[]
}

export function parseLateHours(hours: number | undefined): number {
  if (hours === undefined || hours === null) return DEFAULT_LATE_HOURS
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_LATE_HOURS) throw fulfilmentError('bad_input', 'bad_hours')
  return hours
}

/** Open steps whose deadline is before now + hours, per step, overdue ones first, each by deadline. */
export async function loadLateGroups(db: Executor, shopIds: string[], now: Date, hours: number): Promise<LateGroup[]> {
  if (!shopIds.length) return LATE_STEPS.map((step) => ({ step, overdue: [], dueSoon: [] }))
  const until = new Date(now.getTime() + hours * HOUR).toISOString()
  const ids = sql.join(shopIds.map((id) => sql`${id}`), sql`, `)
  const got = await rows<{ step: LateStep; order_id: string; cancel_id: string | null; shop_id: string; shop_name: string; deadline: string | Date }>(
    db,
    sql`(select 'pack_by' as step, o.id as order_id, null::text as cancel_id, o.shop_id, s.name as shop_name, o.pack_by_at as deadline
          from orders o join shops s on s.id = o.shop_id
          where o.shop_id in (${ids}) and ${PACK_OPEN} and o.pack_by_at <= ${until}::timestamptz
          order by o.pack_by_at limit ${READ_LIMIT})
        union all
        (select 'handover_by', o.id, null, o.shop_id, s.name, o.handover_by_at
          from orders o join shops s on s.id = o.shop_id
          where o.shop_id in (${ids}) and ${HANDOVER_OPEN} and o.handover_by_at <= ${until}::timestamptz
          order by o.handover_by_at limit ${READ_LIMIT})
        union all
        (select 'answer_by', c.order_id, c.id, c.shop_id, s.name, c.respond_by
          from cancellations c join shops s on s.id = c.shop_id
          where c.shop_id in (${ids}) and c.state = 'pending' and c.respond_by <= ${until}::timestamptz
          order by c.respond_by limit ${READ_LIMIT})`,
  )
  const groups = new Map<LateStep, LateGroup>(LATE_STEPS.map((step) => [step, { step, overdue: [], dueSoon: [] }]))
  const items = got
    .map((r) => ({ step: r.step, orderId: r.order_id, cancelId: r.cancel_id, shopId: r.shop_id, shopName: r.shop_name, deadline: new Date(r.deadline) }))
    .sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.orderId.localeCompare(b.orderId))
  for (const it of items) {
    const g = groups.get(it.step)!
    ;(it.deadline.getTime() <= now.getTime() ? g.overdue : g.dueSoon).push(it)
  }
  return [...groups.values()]
}

export interface LateViewInput {
  shopIds: string[]
  now: Date
  hours?: number
  locale: Locale
  timeZone: string
  /** leave out the chart (e.g. when the adapter cannot send files) */
  chart?: boolean
}

export interface LateView {
  hours: number
  groups: LateGroup[]
  rates: DispatchRate[]
  message: NeutralMessage
  files: OutgoingFile[]
}

export async function lateView(db: Executor, input: LateViewInput): Promise<LateView> {
  if (!input.shopIds.length) throw fulfilmentError('forbidden', 'not_linked')
  const hours = parseLateHours(input.hours)
  const [groups, rates] = await Promise.all([
    loadLateGroups(db, input.shopIds, input.now, hours),
    lateDispatchRates(db, input.shopIds, input.now, [7, 30]),
  ])
  const msg = lateMessage(groups, rates, { ...input, hours })
  const files: OutgoingFile[] = []
  if (input.chart !== false) {
    const points = await dailyDispatch(db, input.shopIds, input.now, input.timeZone, 30)
    const png = await renderLateChartPng(points, { locale: input.locale, subtitle: rateSummary(rates, texts(input.locale)) })
    const stamp = dayKey(input.now, input.timeZone).replaceAll('-', '')
    files.push(await writeOutgoingFile(png, `late-${stamp}.png`, 'image/png', texts(input.locale).chartTitle))
  }
  return { hours, groups, rates, message: msg, files }
}

export function formatRate(r: Pick<DispatchRate, 'rate' | 'late' | 'dispatched'>): string {
  return r.rate === null ? `— (0/0)` : `${(r.rate * 100).toFixed(1)} % (${r.late}/${r.dispatched})`
}

function rateSummary(rates: DispatchRate[], t: FulfilmentTexts): string {
  const total = (days: number) => {
    const mine = rates.filter((r) => r.days === days)
    const dispatched = mine.reduce((n, r) => n + r.dispatched, 0)
    const late = mine.reduce((n, r) => n + r.late, 0)
    return formatRate({ dispatched, late, rate: dispatched ? late / dispatched : null })
  }
  return `${t.lateRate}: ${t.last7} ${total(7)} · ${t.last30} ${total(30)}`
}

const short = (id: string) => (id.length > 8 ? `…${id.slice(-6)}` : id)

export function lateMessage(groups: LateGroup[], rates: DispatchRate[], o: { now: Date; hours: number; locale: Locale }): NeutralMessage {
  const t = texts(o.locale)
  const zh = o.locale === 'zh-CN'
  const lines: Line[] = []
  let anything = false
  for (const g of groups) {
    for (const [kind, list] of [['overdue', g.overdue], ['soon', g.dueSoon]] as const) {
      if (!list.length) continue
      anything = true
      const head =
        kind === 'overdue'
          ? `${t[`step_${g.step}`]} · ${t.overdue}: ${list.length}`
          : zh
            ? `${t[`step_${g.step}`]} · ${o.hours} 小时内到期: ${list.length}`
            : `${t[`step_${g.step}`]} · due within ${o.hours} h: ${list.length}`
      lines.push([{ bold: head }])
      for (const it of list.slice(0, LIST_PER_GROUP)) {
        const ms = it.deadline.getTime() - o.now.getTime()
        const when = ms <= 0 ? (zh ? `逾期 ${formatDuration(ms, o.locale)}` : `${formatDuration(ms, o.locale)} overdue`) : zh ? `剩 ${formatDuration(ms, o.locale)}` : `in ${formatDuration(ms, o.locale)}`
        lines.push(['• ', { code: it.orderId }, ` ${it.shopName} · `, { at: it.deadline.toISOString(), style: 'datetime' }, ` (${when})`])
      }
      if (list.length > LIST_PER_GROUP) lines.push([zh ? `… 另有 ${list.length - LIST_PER_GROUP} 个` : `… and ${list.length - LIST_PER_GROUP} ${t.more}`])
    }
  }
  if (!anything) lines.push([t.nothingLate])

  const fields = [...new Set(rates.map((r) => r.shopId))].map((shopId) => {
    const mine = rates.filter((r) => r.shopId === shopId)
    const r7 = mine.find((r) => r.days === 7)!
    const r30 = mine.find((r) => r.days === 30)!
    return { label: `${mine[0].shopName} · ${t.lateRate}`, value: [`${t.last7}: ${formatRate(r7)} · ${t.last30}: ${formatRate(r30)}`] as Line, inline: false }
  })

  const overdueCount = groups.reduce((n, g) => n + g.overdue.length, 0)
  return message({
    kind: 'late',
    tone: overdueCount ? 'danger' : anything ? 'warning' : 'success',
    title: zh ? `${t.lateTitle}（${o.hours} 小时内）` : `${t.lateTitle} (next ${o.hours} h)`,
    lines,
    fields,
    buttons: lateButtons(groups, t),
  })
}

/** Buttons for the most urgent items: mark packed / handed over, or open the order (cancellation requests). */
export function lateButtons(groups: LateGroup[], t: FulfilmentTexts): Button[][] {
  const urgent = groups
    .flatMap((g) => [...g.overdue, ...g.dueSoon])
    .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())
  const rows: Button[][] = []
  const seen = new Set<string>()
  for (const it of urgent) {
    if (rows.length >= MAX_BUTTON_ROWS) break
    const key = `${it.step}:${it.orderId}`
    if (seen.has(key)) continue
    seen.add(key)
    const open: Button = { label: `${t.open} ${short(it.orderId)}`, action: { type: 'order.show', orderId: it.orderId }, style: 'secondary' }
    if (it.step === 'pack_by')
      rows.push([{ label: `✓ ${t.markPacked} ${short(it.orderId)}`, action: { type: 'order.mark', orderId: it.orderId, step: 'packed' }, style: 'primary' }, open])
    else if (it.step === 'handover_by')
      rows.push([{ label: `✓ ${t.markHandedOver} ${short(it.orderId)}`, action: { type: 'order.mark', orderId: it.orderId, step: 'handed_over' }, style: 'primary' }, open])
    else rows.push([{ ...open, label: `${t.step_answer_by}: ${short(it.orderId)}`, style: 'danger' }])
  }
  return rows
}
