/**
 * The pick list as a printable A4 PDF: a summary by SKU (what to take from the shelves), then one
 * section per order (what goes into each parcel). Text is real text in Noto Sans SC, so Chinese
 * product names and buyer notes print correctly and can be searched.
 */
import type { Locale } from '../assistant/types.js'
import { newPdf, type Pdf, type PdfFonts } from './pdf-doc.js'
import type { PickList, PickOrder } from './picklist.js'
import { texts, type FulfilmentTexts } from './texts.js'
import { formatDateTime, zoneLabel } from './zoned.js'

export interface PickListPdfOptions {
  locale: Locale
  timeZone: string
  generatedAt: Date
}

const MARGIN = 36
const GREY = '#666666'
const LINE = '#999999'

export async function renderPickListPdf(list: PickList, o: PickListPdfOptions): Promise<Buffer> {
  const t = texts(o.locale)
  const { doc, fonts: F, finish } = newPdf({ size: 'A4', margin: MARGIN, title: `${t.pickListTitle} ${formatDateTime(o.generatedAt, o.timeZone)}` })
  const when = (d: Date | null) => (d ? formatDateTime(d, o.timeZone) : '—')
  const zone = zoneLabel(o.generatedAt, o.timeZone)

  // Header
  doc.font(F.bold).fontSize(18).text(o.locale === 'zh-CN' ? `${t.pickListTitle} Pick list` : `${t.pickListTitle} 拣货单`)
  const shopNames = [...new Set(list.orders.map((x) => x.shopName))].join(', ')
  doc
    .font(F.regular)
    .fontSize(9)
    .fillColor(GREY)
    .text(
      `${t.generated} ${when(o.generatedAt)} (${zone}) · ${t.orders} ${list.orders.length} · ${t.units} ${list.totalUnits} · ${t.shops}: ${shopNames}`,
    )
    .fillColor('black')
  doc.moveDown(0.8)

  // Summary by SKU
  heading(doc, F, t.skuSummary)
  const width = doc.page.width - 2 * MARGIN
  doc.font(F.regular).fontSize(9) // a table's cells use the document's font unless a cell names one
  doc.table({
    columnStyles: [24, 110, '*', 110, 40, 44],
    defaultStyle: { border: 0.5, borderColor: LINE, padding: [3, 4, 3, 4] },
    maxWidth: width,
    data: [
      ['#', t.sellerSku, t.product, t.variation, t.qty, t.inOrders].map((h) => header(F, h)),
      ...list.skus.map((s, i) => [
        String(i + 1),
        s.sellerSku || t.noSku,
        s.productName,
        s.skuName,
        { text: String(s.quantity), align: { x: 'right' as const }, font: { src: F.bold, size: 10 } },
        { text: String(s.orders), align: { x: 'right' as const } },
      ]),
    ],
  })
  doc.moveDown(1)

  // One section per order
  heading(doc, F, t.orders)
  for (const order of list.orders) orderSection(doc, F, order, t, when, width)

  // Page numbers
  const range = doc.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    const label = o.locale === 'zh-CN' ? `第 ${i + 1} / ${range.count} 页` : `${t.page} ${i + 1} / ${range.count}`
    doc
      .font(F.regular)
      .fontSize(8)
      .fillColor(GREY)
      .text(label, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'right', lineBreak: false })
      .fillColor('black')
  }
  return finish()
}

function header(F: PdfFonts, text: string) {
  return { text, font: { src: F.bold, size: 9 }, backgroundColor: '#eeeeee', type: 'TH' as const }
}

function heading(doc: Pdf, F: PdfFonts, text: string): void {
  ensureSpace(doc, 60)
  doc.font(F.bold).fontSize(12).text(text, MARGIN)
  doc.moveDown(0.3)
}

/** Starts a new page when less than `h` points are left on this one. */
function ensureSpace(doc: Pdf, h: number): void {
  if (doc.y + h > doc.page.height - MARGIN) doc.addPage()
}

function orderSection(doc: Pdf, F: PdfFonts, order: PickOrder, t: FulfilmentTexts, when: (d: Date | null) => string, width: number): void {
  // keep the head and the first lines of an order together
  ensureSpace(doc, 70 + Math.min(order.items.length, 4) * 16)
  const top = doc.y
  doc.moveTo(MARGIN, top).lineTo(MARGIN + width, top).lineWidth(0.8).strokeColor('#333333').stroke()
  doc.y = top + 4
  doc.font(F.bold).fontSize(11).text(`${t.order} ${order.id}`, MARGIN, doc.y, { continued: false })
  doc
    .font(F.regular)
    .fontSize(9)
    .text(`${t.paid}: ${when(order.paidTime)}    ${t.packBy}: `, { continued: true })
    .font(F.bold)
    .text(when(order.packByAt), { continued: true })
    .font(F.regular)
    .text(`    ${t.units}: ${order.units}    ${order.shopName}`)
  if (order.buyerMessage.trim()) doc.font(F.bold).text(`${t.buyerNote}: `, { continued: true }).font(F.regular).text(order.buyerMessage.trim())
  if (order.sellerNote.trim()) doc.font(F.bold).text(`${t.sellerNote}: `, { continued: true }).font(F.regular).text(order.sellerNote.trim())
  doc.moveDown(0.2)
  doc.font(F.regular).fontSize(9)
  doc.table({
    columnStyles: [110, '*', 110, 40],
    defaultStyle: { border: 0.5, borderColor: LINE, padding: [2, 4, 2, 4] },
    maxWidth: width,
    data: [
      [t.sellerSku, t.product, t.variation, t.qty].map((h) => header(F, h)),
      ...order.items.map((i) => [
        i.sellerSku || t.noSku,
        i.isGift ? `${i.productName} (${t.gift})` : i.productName,
        i.skuName,
        { text: String(i.quantity), align: { x: 'right' as const }, font: { src: F.bold, size: 10 } },
      ]),
    ],
  })
  doc.moveDown(0.8)
}
