/** Messages about buyer cancellation requests: the request (Accept / Reject), outcomes, expiry. */
import type { ChannelInfo } from '../assistant/types.js'
import { formatInstant } from '../i18n/format.js'
import { translator } from '../i18n/index.js'
import { message, type Field, type Line, type NeutralMessage } from '../notifications/message.js'
import type { CancellationRow, OrderView } from '../workflow/order-view.js'
import { reasonText } from './reasons.js'

export const cancelRefKey = (cancelId: string) => `cancel:${cancelId}`

function baseFields(ch: ChannelInfo, c: CancellationRow, view: OrderView | null): Field[] {
  const t = translator(ch.locale)
  const f: Field[] = []
  // a chat of several shops is told whose order it is
  if (ch.severalShops && view) f.push({ label: t('order.shop'), value: [view.shopName], inline: true })
  const reason = c.reasonText || (c.reason ? reasonText(c.reason, ch.locale) : '')
  if (reason) f.push({ label: t('cancel.reason'), value: [reason] })
  if (view?.items.length)
    f.push({ label: t('cancel.items'), value: view.items.flatMap((g, i) => [...(i ? ['\n'] : []), t('order.item', { qty: g.quantity, name: g.name, sku: g.sku })]) })
  return f
}

/** The request as first posted: Accept / Reject buttons, answer-by time. */
export function requestMessage(ch: ChannelInfo, c: CancellationRow, view: OrderView | null): NeutralMessage {
  const t = translator(ch.locale)
  const by = c.respondBy ? c.respondBy.toISOString() : null
  const fields = baseFields(ch, c, view)
  if (by) fields.unshift({ label: t('cancel.answer_by'), value: [{ at: by, style: 'both' }], inline: true })
  return message({
    kind: 'cancel_request',
    tone: 'warning',
    title: t('cancel.request_title', { id: c.orderId }),
    lines: by ? [[t('cancel.request_line', { by: formatInstant(by, ch.timeZone) })]] : [],
    fields,
    buttons: [
      [
        { label: t('cancel.accept'), style: 'success', action: { type: 'cancel.accept', cancelId: c.id } },
        { label: t('cancel.reject'), style: 'danger', action: { type: 'cancel.reject_start', cancelId: c.id } },
      ],
    ],
  })
}

/** The request after it closed: outcome, who, when; no buttons. */
export function outcomeMessage(ch: ChannelInfo, c: CancellationRow, view: OrderView | null): NeutralMessage {
  const t = translator(ch.locale)
  const at = c.decidedAt ? formatInstant(c.decidedAt, ch.timeZone) : ''
  const name = c.decidedByName || c.decidedBy || ''
  let title: string
  let line: Line
  let tone: NeutralMessage['tone'] = 'info'
  switch (c.state) {
    case 'accepted':
      title = t('cancel.accepted_title', { id: c.orderId })
      line = [c.decidedBy === 'platform' ? t('cancel.platform_accepted', { at }) : t('cancel.accepted_by', { name, at })]
      tone = 'success'
      break
    case 'rejected':
      title = t('cancel.rejected_title', { id: c.orderId })
      line = [c.decidedBy === 'platform' ? t('cancel.shipped_closed') : t('cancel.rejected_by', { name, at, reason: c.rejectReason ? reasonText(c.rejectReason, ch.locale) : '—' })]
      tone = 'success'
      break
    case 'expired':
      title = t('cancel.expired_title', { id: c.orderId })
      line = [t('cancel.expired', { by: c.respondBy ? formatInstant(c.respondBy, ch.timeZone) : '' })]
      tone = 'danger'
      break
    case 'completed':
      title = t('cancel.completed_title', { id: c.orderId })
      line = [t('cancel.completed')]
      tone = 'danger'
      break
    default:
      title = t('cancel.withdrawn_title', { id: c.orderId })
      line = [t('cancel.withdrawn')]
  }
  return message({ kind: 'cancel_outcome', tone, title, lines: [line], fields: baseFields(ch, c, view), buttons: [] })
}
