/**
 * Our own shipping label for orders the seller ships with its own carrier (shipping_type SELLER):
 * a 4 × 6 in (100 × 150 mm) page with sender, recipient, phone, address, order id as a Code 128
 * barcode with its digits, the number of items and the delivery option.
 */
import type { Locale } from '../assistant/types.js'
import { code128Widths } from './code128.js'
import { newPdf } from './pdf-doc.js'
import { texts } from './texts.js'
import { formatDateTime } from './zoned.js'

export interface SellerLabel {
  orderId: string
  shopName: string
  recipientName: string
  recipientPhone: string
  /** full address lines, most specific first */
  address: string[]
  postalCode: string
  items: number
  skuLines: string[]
  deliveryOption: string
  packBy: Date | null
}

const W = 288 // 4 in
const H = 432 // 6 in
const M = 14

export async function renderSellerLabelPdf(l: SellerLabel, o: { locale: Locale; timeZone: string }): Promise<Buffer> {
  const t = texts(o.locale)
  const { doc, fonts: F, finish } = newPdf({ size: [W, H], margins: { top: M, left: M, right: M, bottom: 2 }, title: `${t.shippingLabel} ${l.orderId}` })
  const inner = W - 2 * M

  doc.font(F.regular).fontSize(7).fillColor('#444444').text(`${t.from}: ${l.shopName}`, M, M, { width: inner })
  if (l.deliveryOption) doc.text(l.deliveryOption, { width: inner })
  doc.fillColor('black')
  rule(doc, doc.y + 4)

  doc.font(F.bold).fontSize(9).text(t.shipTo, M, doc.y + 8)
  doc.font(F.bold).fontSize(14).text(l.recipientName || '—', { width: inner })
  doc.font(F.regular).fontSize(10).text(`${t.phone}: ${l.recipientPhone || '—'}`, { width: inner })
  doc.moveDown(0.2)
  doc.font(F.regular).fontSize(11).text(l.address.filter(Boolean).join('\n') || '—', { width: inner, height: 120, ellipsis: true })
  if (l.postalCode) doc.font(F.bold).fontSize(16).text(l.postalCode, { width: inner })
  rule(doc, doc.y + 6)

  // order id barcode (Code 128) and its text
  const widths = code128Widths(l.orderId)
  const modules = widths.reduce((a, b) => a + b, 0)
  const quiet = 10
  const module = Math.min(1.6, inner / (modules + 2 * quiet))
  const barTop = doc.y + 14
  const barH = 54
  let x = M + (inner - modules * module) / 2
  widths.forEach((w, i) => {
    if (i % 2 === 0) doc.rect(x, barTop, w * module, barH).fill('black')
    x += w * module
  })
  doc.font(F.bold).fontSize(12).text(l.orderId, M, barTop + barH + 4, { width: inner, align: 'center', characterSpacing: 1 })
  doc.font(F.regular).fontSize(8).text(`${t.orderId} · ${t.items}: ${l.items}`, { width: inner, align: 'center' })
  rule(doc, doc.y + 6)

  doc.font(F.regular).fontSize(8).text(l.skuLines.slice(0, 6).join('\n'), M, doc.y + 10, { width: inner, height: H - M - doc.y - 24, ellipsis: true })
  if (l.skuLines.length > 6) doc.text(`… +${l.skuLines.length - 6}`)
  if (l.packBy)
    doc.fontSize(7).fillColor('#444444').text(`${t.packBy}: ${formatDateTime(l.packBy, o.timeZone)}`, M, H - M - 8, { width: inner, align: 'right', lineBreak: false })

  return finish()

  function rule(d: typeof doc, y: number) {
    d.moveTo(M, y).lineTo(W - M, y).lineWidth(0.8).strokeColor('black').stroke()
    d.y = y
  }
}
