/**
 * A stock file as teams have them: a CSV (UTF-8, with or without BOM, or the GB18030 that Excel on a
 * Chinese Windows saves) or an Excel workbook (.xlsx, first sheet), with a header row naming the
 * seller SKU and the quantity columns (seller_sku,quantity; also sku / qty / 卖家SKU / 库存 / 数量 …),
 * or an add column instead of or beside the quantity (add / received / 入库 / 增减: units to add).
 * Read into rows with their line numbers; the values are checked by importStock.
 */
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { userError } from '../assistant/user-error.js'

/** the largest stock file read (a catalogue of 5,000 SKUs in CSV is about 100 KB) */
export const STOCK_FILE_MAX_BYTES = 1024 * 1024

/**
 * One row of a stock file: the line (or sheet row) it is on, as a person counts them, and its cells
 * as written: the units on hand to set (`quantity`), or to add or, negative, take away (`add`: a
 * delivery received, items damaged); '' where the file has no such column or the cell is empty.
 */
export interface StockFileRow {
  line: number
  sku: string
  quantity: string
  add: string
}

/** Header names of each column (compared without case, spaces, underscores or dashes), most specific first. */
const SKU_HEADERS = ['sellersku', '卖家sku', '商家sku', 'sku编码', 'skucode', 'sku']
const QUANTITY_HEADERS = ['quantity', 'qty', 'onhand', 'stock', '库存数量', '在库数量', '库存', '在库', '数量']
const ADD_HEADERS = ['add', 'received', 'change', '入库数量', '入库', '增减']

const headerKey = (h: string) => h.trim().toLowerCase().replace(/[\s_\-]+/g, '')

/** Which file this is, by its name: csv (or txt), xlsx, or neither. */
export function stockFileKind(filename: string): 'csv' | 'xlsx' | null {
  const ext = /\.([a-z0-9]+)$/i.exec(filename.trim())?.[1]?.toLowerCase()
  return ext === 'csv' || ext === 'txt' ? 'csv' : ext === 'xlsx' ? 'xlsx' : null
}

/** Reads a stock file into its rows (empty rows left out). Throws a user error saying what to change. */
export async function readStockFile(filename: string, bytes: Uint8Array): Promise<StockFileRow[]> {
  // a download stops one byte past the limit: how much more there was is not known
  if (bytes.byteLength > STOCK_FILE_MAX_BYTES) throw userError('bad_input', 'stock_file.over_max', { maxKb: STOCK_FILE_MAX_BYTES / 1024 })
  const kind = stockFileKind(filename)
  if (!kind) throw userError('bad_input', 'stock_file.bad_type', { name: filename.slice(0, 80) })
  return kind === 'csv' ? readStockCsv(decodeText(bytes)) : tableRows(await xlsxTable(bytes))
}

/** Reads the rows of a stock file's CSV text. */
export const readStockCsv = (text: string): StockFileRow[] => tableRows(csvTable(text))

/** UTF-8 (a BOM is dropped); text that is not UTF-8 is read as GB18030 (GBK), what Excel saves CSV in on Chinese Windows. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

type Table = { line: number; cells: string[] }[]

function csvTable(text: string): Table {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records
  } catch (err) {
    throw userError('bad_input', 'stock_file.bad_csv', { detail: (err as Error).message.slice(0, 200) })
  }
  return records.map((r) => ({ line: r.info.lines, cells: r.record }))
}

async function xlsxTable(bytes: Uint8Array): Promise<Table> {
  const book = new ExcelJS.Workbook()
  try {
    await book.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer)
  } catch {
    throw userError('bad_input', 'stock_file.bad_xlsx')
  }
  const sheet = book.worksheets[0]
  if (!sheet) throw userError('bad_input', 'stock_file.empty')
  const table: Table = []
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: string[] = []
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cell.text.trim()
    })
    if (cells.some(Boolean)) table.push({ line: number, cells: Array.from(cells, (c) => c ?? '') })
  })
  return table
}

/** The header's two columns, then each row's cells in them. */
function tableRows(table: Table): StockFileRow[] {
  const [head, ...body] = table
  if (!head || !body.length) throw userError('bad_input', 'stock_file.empty')
  const keys = head.cells.map((c) => headerKey(c.replace(/^\uFEFF/, '')))
  const find = (names: string[]) => names.map((n) => keys.indexOf(n)).find((i) => i >= 0)
  const skuCol = find(SKU_HEADERS)
  const qtyCol = find(QUANTITY_HEADERS)
  const addCol = find(ADD_HEADERS)
  if (skuCol === undefined || (qtyCol === undefined && addCol === undefined)) throw userError('bad_input', 'stock_file.columns', { header: head.cells.join(', ').slice(0, 120) })
  const cell = (r: Table[number], col: number | undefined) => (col === undefined ? '' : (r.cells[col] ?? '').trim())
  return body.map((r) => ({ line: r.line, sku: cell(r, skuCol), quantity: cell(r, qtyCol), add: cell(r, addCol) }))
}
