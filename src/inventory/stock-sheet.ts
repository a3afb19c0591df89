/**
 * The shop's stock sheet: every SKU it has (stock recorded, or sold in the last 90 days), with its
 * product name, units on hand, held by open orders, available or short, as a file in the very form
 * a stock file is read (src/inventory/stock-file.ts): fill in or change the quantity column and send
 * it back with /stock. A SKU without stock recorded has an empty quantity: left empty, the import
 * leaves it as it is.
 */
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { rows, type Executor } from '../../db/database.js'
import { orderLineItems, orders } from '../../db/schema.js'
import type { Locale } from '../assistant/types.js'
import { csvEncode, MIME, neutraliseFormula, xlsxText } from '../exports/writers.js'
import { knownSkus, ORDER_DAYS } from './sku-match.js'
import { stockViews } from './stock.js'
import { LINE_SKU, reservedUnits } from './stock-check.js'

export interface StockSheetRow {
  sku: string
  product: string
  /** null: no stock recorded */
  onHand: number | null
  reserved: number
  /** on hand − reserved (negative: short) */
  available: number
}

export type SheetFormat = 'xlsx' | 'csv'

/** Column headers: the first two are what a stock file is read by. */
const HEADERS: Record<Locale, string[]> = {
  en: ['seller_sku', 'quantity', 'product', 'reserved', 'available'],
  'zh-CN': ['卖家SKU', '库存', '商品名称', '已占用', '可用'],
}

/** Every SKU of the shop, by SKU, with what the stock view knows of it. */
export async function stockSheetRows(db: Executor, shopId: string, now: Date): Promise<StockSheetRow[]> {
  const [skus, views] = await Promise.all([knownSkus(db, shopId, now), stockViews(db, shopId)])
  const stocked = new Map(views.map((v) => [v.sellerSku, v]))
  const unstocked = skus.filter((s) => !stocked.has(s))
  const since = new Date(now.getTime() - ORDER_DAYS * 86_400_000)
  const [reserved, names] = await Promise.all([
    reservedUnits(db, shopId, unstocked),
    // the name each SKU had on its newest order: the product, and its variant (colour, size) when it has one
    rows<{ sku: string; name: string }>(
      db,
      sql`select distinct on (1) ${LINE_SKU} as sku,
            li.product_name || case when li.sku_name <> '' then ' · ' || li.sku_name else '' end as name
          from ${orderLineItems} li join ${orders} o on o.id = li.order_id
          where o.shop_id = ${shopId} and o.create_time >= ${since.toISOString()}::timestamptz
          order by 1, o.create_time desc`,
    ),
  ])
  const name = new Map(names.map((n) => [n.sku, n.name]))
  const all = [...new Set([...stocked.keys(), ...unstocked])].sort()
  return all.map((sku) => {
    const v = stocked.get(sku)
    const r = v ? v.reserved : reserved.get(sku) ?? 0
    return { sku, product: name.get(sku) ?? '', onHand: v ? v.onHand : null, reserved: r, available: (v?.onHand ?? 0) - r }
  })
}

const cells = (r: StockSheetRow): (string | number | null)[] => [r.sku, r.onHand, r.product, r.reserved, r.available]

/** The sheet as a file: xlsx (SKU and name as text, numbers as numbers, header frozen) or CSV (UTF-8 with BOM, formulas neutralised). */
export async function stockSheetFile(list: StockSheetRow[], format: SheetFormat, locale: Locale): Promise<{ bytes: Uint8Array; mime: string }> {
  const headers = HEADERS[locale]
  if (format === 'csv') {
    const text = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : csvEncode(neutraliseFormula(v)))
    const lines = [headers.map((h) => csvEncode(h)).join(','), ...list.map((r) => cells(r).map(text).join(','))]
    return { bytes: new TextEncoder().encode(`\uFEFF${lines.join('\r\n')}\r\n`), mime: MIME.csv }
  }
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet(locale === 'zh-CN' ? '库存' : 'Stock', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = headers.map((h, i) => ({ header: h, width: [22, 10, 40, 10, 10][i], style: i === 0 || i === 2 ? { numFmt: '@' } : {} }))
  sheet.getRow(1).font = { bold: true }
  // an empty text is no cell at all (exceljs would write an empty string cell)
  for (const r of list) sheet.addRow(cells(r).map((v) => (v === '' ? null : typeof v === 'string' ? xlsxText(v) : v)))
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } }
  return { bytes: new Uint8Array(await book.xlsx.writeBuffer()), mime: MIME.xlsx }
}
