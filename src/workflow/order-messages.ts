/** Order messages: "new order" (R1) and the full order detail, in the channel's language. */
import type { ChannelInfo } from '../assistant/types.js'
import { formatMoney } from '../i18n/format.js'
import { translator, type MessageKey, type Translate } from '../i18n/index.js'
import type { StockCheck } from '../inventory/stock-check.js'
import type { Button, Field, Line, NeutralMessage } from '../notifications/message.js'
import { message } from '../notifications/message.js'
import { isSellerStatus } from '../orders/status.js'
import { MARK_STEPS } from '../fulfilment/marks.js'
import { sellerCancelReasons } from '../cancellations/reasons.js'
import type { OrderView } from './order-view.js'

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export function statusLabel(t: Translate, o: { status: string; isOnHold: boolean }): string {
  const base = isSellerStatus(o.status) ? t(`status.${o.status}` as MessageKey) : o.status
  return o.isOnHold ? `${base} (${t('status.on_hold')})` : base
}

/** An order in a list or a suggestion: its status and total ("awaiting shipment · 49.95 GBP"). */
export const orderSummary = (t: Translate, o: { status: string; isOnHold: boolean; total: string | null; currency: string }): string =>
  `${statusLabel(t, o)} · ${formatMoney(o.total, o.currency)}`

export function stockLines(t: Translate, check: StockCheck | null | undefined): Line[] {
  if (!check || !Array.isArray(check.lines)) return [[t('stock.not_checked')]]
  const lines: Line[] = check.lines.map((l) => {
    if (l.result === 'unknown') return [t('stock.unknown', { sku: l.sellerSku })]
    // other open orders already hold more than is on hand: "-3 available" said plainly
    if (l.result === 'short' && l.available !== null && l.available < 0 && l.onHand !== null)
      return [{ bold: t('stock.short_overdrawn', { sku: l.sellerSku, short: l.shortBy, need: l.quantity, onHand: l.onHand, held: l.onHand - l.available }) }]
    if (l.result === 'short') return [{ bold: t('stock.short', { sku: l.sellerSku, short: l.shortBy, need: l.quantity, available: l.available }) }]
    return [t('stock.in_stock', { sku: l.sellerSku, need: l.quantity, available: l.available })]
  })
  lines.push([check.ok ? t('stock.all_ok') : { bold: t('stock.problem') }])
  return lines
}

function itemLines(t: Translate, v: OrderView): Line[] {
  return v.items.map((g) => [t('order.item', { qty: g.quantity, name: g.variant ? `${g.name} · ${g.variant}` : g.name, sku: g.sku })])
}

function marksLine(t: Translate, o: OrderView['order']): Line {
  const done = MARK_STEPS.filter((s) => (s === 'pick_list' ? o.pickListPrintedAt : s === 'label' ? o.labelPrintedAt : s === 'packed' ? o.packedAt : o.handedOverAt))
  return [done.length ? done.map((s) => `✓ ${t(`mark.${s}` as MessageKey)}`).join(' · ') : t('order.no_marks')]
}

const isOpen = (o: OrderView['order']) => o.status === 'awaiting_shipment' || o.status === 'cancelling'

/** `full`: the detail's fields (/order); `shop`: name the shop (the detail, or a post to a chat of several shops). */
function orderFields(t: Translate, v: OrderView, full: boolean, shop = full): Field[] {
  const o = v.order
  const f: Field[] = []
  f.push({ label: t('order.status'), value: [statusLabel(t, o)], inline: true })
  f.push({ label: t('order.total'), value: [{ bold: formatMoney(o.totalAmount, o.currency) }], inline: true })
  if (shop) f.push({ label: t('order.shop'), value: [v.shopName], inline: true })
  if (full) {
    f.push({ label: t('order.subtotal'), value: [formatMoney(o.subTotal, o.currency)], inline: true })
    f.push({ label: t('order.shipping'), value: [formatMoney(o.shippingFee, o.currency)], inline: true })
    f.push({ label: t('order.created_at'), value: [{ at: o.createTime.toISOString(), style: 'datetime' }], inline: true })
  }
  if (o.paidTime) f.push({ label: t('order.paid_at'), value: [{ at: o.paidTime.toISOString(), style: 'datetime' }], inline: true })
  if (isOpen(o) && o.packByAt && !o.packedAt) f.push({ label: t('order.pack_by'), value: [{ at: iso(o.packByAt)!, style: 'both' }], inline: true })
  if (isOpen(o) && o.handoverByAt && !o.handedOverAt)
    f.push({ label: t('order.handover_by'), value: [{ at: iso(o.handoverByAt)!, style: 'both' }], inline: true })
  if (o.buyerMessage) f.push({ label: t('order.buyer_note'), value: [o.buyerMessage] })
  f.push({ label: t('order.stock'), value: stockLines(t, o.stockCheck as StockCheck | null).flatMap((l, i) => (i ? ['\n', ...l] : l)) })
  if (full && o.paidTime) f.push({ label: t('order.marks'), value: marksLine(t, o) })
  if (o.status === 'cancelled' && o.cancelReason) f.push({ label: t('order.cancel_reason'), value: [o.cancelReason] })
  if (v.openRequest?.respondBy)
    f.push({ label: t('order.cancel_request'), value: [t('cancel.answer_by'), ': ', { at: v.openRequest.respondBy.toISOString(), style: 'both' }] })
  return f
}

/** Buttons that fit the order's state: Accept/Reject an open request, else Cancel and the next marks. */
export function orderButtons(t: Translate, v: OrderView): Button[][] {
  const o = v.order
  if (v.openRequest)
    return [
      [
        { label: t('cancel.accept'), style: 'success', action: { type: 'cancel.accept', cancelId: v.openRequest.id } },
        { label: t('cancel.reject'), style: 'danger', action: { type: 'cancel.reject_start', cancelId: v.openRequest.id } },
      ],
    ]
  if (!isOpen(o)) return []
  const marks: Button[] = []
  if (!o.isOnHold) {
    const pending = MARK_STEPS.filter((s) => !(s === 'pick_list' ? o.pickListPrintedAt : s === 'label' ? o.labelPrintedAt : s === 'packed' ? o.packedAt : o.handedOverAt))
    for (const s of pending) marks.push({ label: t(`mark.button.${s}` as MessageKey), style: 'secondary', action: { type: 'order.mark', orderId: o.id, step: s } })
  }
  const rows: Button[][] = []
  if (marks.length) rows.push(marks)
  // only while the platform lets the seller cancel (not once shipment is arranged, outside the US)
  if (!o.handedOverAt && sellerCancelReasons(o.platformStatus, v.shopRegion, 'en'))
    rows.push([{ label: t('sellercancel.button'), style: 'danger', action: { type: 'order.cancel_start', orderId: o.id } }])
  return rows
}

/** The "new order" post (R1): items with quantities, totals, buyer note, stock result, due times. */
export function newOrderMessage(ch: ChannelInfo, v: OrderView): NeutralMessage {
  const t = translator(ch.locale)
  const o = v.order
  const check = o.stockCheck as StockCheck | null
  return message({
    kind: 'new_order',
    tone: o.isOnHold ? 'info' : check && !check.ok ? 'warning' : 'success',
    title: t('order.new_title', { id: o.id }),
    lines: [...(o.isOnHold ? [[{ bold: t('order.on_hold') }] as Line] : []), ...itemLines(t, v)],
    fields: orderFields(t, v, false, ch.severalShops),
    buttons: orderButtons(t, v),
  })
}

/** The full detail for /order ID. */
export function orderDetailMessage(ch: ChannelInfo, v: OrderView): NeutralMessage {
  const t = translator(ch.locale)
  const o = v.order
  return message({
    kind: 'order',
    tone: o.status === 'cancelled' ? 'danger' : o.status === 'cancelling' ? 'warning' : 'info',
    title: t('order.title', { id: o.id }),
    lines: [...(o.isOnHold ? [[{ bold: t('order.on_hold') }] as Line] : []), ...itemLines(t, v)],
    fields: orderFields(t, v, true),
    buttons: orderButtons(t, v),
  })
}

/** The new-order message after a status change (cancelled, shipped): facts updated, buttons gone when closed. */
export function orderUpdateMessage(ch: ChannelInfo, v: OrderView): NeutralMessage {
  const t = translator(ch.locale)
  const o = v.order
  const title =
    o.status === 'cancelled' ? t('order.cancelled_title', { id: o.id }) : o.status === 'shipped' || o.status === 'completed' ? t('order.shipped_title', { id: o.id }) : t('order.new_title', { id: o.id })
  return { ...newOrderMessage(ch, v), kind: 'order_update', title, tone: o.status === 'cancelled' ? 'danger' : 'info', buttons: isOpen(o) ? orderButtons(t, v) : [] }
}
