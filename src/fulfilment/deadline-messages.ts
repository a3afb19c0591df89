/** Deadline warnings (R4, R8, R3 answer-by) and the digest a channel gets when many fall due together. */
import type { ChannelInfo } from '../assistant/types.js'
import { formatDuration, formatInstant } from '../i18n/format.js'
import { translator, type MessageKey } from '../i18n/index.js'
import type { MarkStep } from '../notifications/actions.js'
import { message, type Button, type Line, type NeutralMessage } from '../notifications/message.js'

export type DeadlineStep = 'pack_by' | 'handover_by' | 'answer_by'

export interface WarningFacts {
  step: DeadlineStep
  orderId: string
  cancelId?: string
  deadlineAt: Date
  thresholdMinutes: number
  /** marks not done yet (orders) */
  missing: MarkStep[]
  /** the order's shop, told in a channel that follows several */
  shopName?: string
}

export function warningMessage(ch: ChannelInfo, w: WarningFacts, now: Date): NeutralMessage {
  const t = translator(ch.locale)
  const overdue = w.deadlineAt.getTime() <= now.getTime()
  const left = formatDuration(w.deadlineAt.getTime() - now.getTime(), ch.locale)
  const stepText = t(`deadline.${w.step}` as MessageKey)
  const lines: Line[] = [[t('deadline.warn_line', { at: formatInstant(w.deadlineAt, ch.timeZone) })]]
  if (w.shopName) lines.push([t('deadline.shop'), { bold: w.shopName }])
  let buttons: Button[][] = []
  let title: string
  if (w.step === 'answer_by') {
    title = overdue ? t('deadline.cancel_overdue_title', { id: w.orderId }) : t('deadline.cancel_title', { id: w.orderId, left })
    if (w.cancelId)
      buttons = [
        [
          { label: t('cancel.accept'), style: 'success', action: { type: 'cancel.accept', cancelId: w.cancelId } },
          { label: t('cancel.reject'), style: 'danger', action: { type: 'cancel.reject_start', cancelId: w.cancelId } },
        ],
      ]
  } else {
    title = overdue ? t('deadline.overdue_title', { id: w.orderId, step: stepText }) : t('deadline.warn_title', { id: w.orderId, step: stepText, left })
    if (w.missing.length) {
      lines.push([t('deadline.missing', { steps: w.missing.map((s) => t(`mark.${s}` as MessageKey)).join(', ') })])
      buttons = [w.missing.map((s) => ({ label: t(`mark.button.${s}` as MessageKey), style: 'secondary' as const, action: { type: 'order.mark' as const, orderId: w.orderId, step: s } }))]
    }
  }
  buttons.push([{ label: t('order.title', { id: w.orderId }), style: 'secondary', action: { type: 'order.show', orderId: w.orderId } }])
  return message({ kind: 'deadline_warning', tone: overdue ? 'danger' : 'warning', title, lines, buttons })
}

const DIGEST_LINES = 25

export function digestMessage(ch: ChannelInfo, warnings: WarningFacts[], now: Date): NeutralMessage {
  const t = translator(ch.locale)
  const sorted = [...warnings].sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime())
  const lines: Line[] = sorted.slice(0, DIGEST_LINES).map((w) => {
    const overdue = w.deadlineAt.getTime() <= now.getTime()
    const text = t('deadline.digest_line', { id: w.orderId, step: t(`deadline.${w.step}` as MessageKey), at: formatInstant(w.deadlineAt, ch.timeZone, false) })
    const line = w.shopName ? `${text} · ${w.shopName}` : text
    return [overdue ? { bold: `⚠ ${line}` } : line]
  })
  if (sorted.length > DIGEST_LINES) lines.push([t('deadline.digest_more', { count: sorted.length - DIGEST_LINES })])
  const anyOverdue = sorted.some((w) => w.deadlineAt.getTime() <= now.getTime())
  return message({ kind: 'deadline_digest', tone: anyOverdue ? 'danger' : 'warning', title: t('deadline.digest_title', { count: sorted.length }), lines })
}
