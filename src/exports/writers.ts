/**
 * The two file writers (R6). Both take rows in batches and write them as they come.
 * - CSV (RFC 4180, as csv-stringify writes it): UTF-8 with BOM, CRLF, every cell text; text cells
 *   that a spreadsheet would read as a formula (= + - @ tab CR first) get a leading apostrophe;
 *   numbers and IDs stay exact. The rows come either as export rows (`write`) or as CSV records
 *   the database wrote with COPY (`writeBytes`, src/exports/copy-csv.ts), byte for byte the same.
 * - xlsx (exceljs streaming WorkbookWriter): numbers as numbers, money with two decimals, times as
 *   real Excel dates (wall clock in the export's zone), IDs / phones / tracking numbers as text,
 *   frozen header, autofilter, widths, headers in the channel's language. The data rows' XML is
 *   serialised by src/exports/xlsx-rows.ts into exceljs's sheet stream (byte for byte what exceljs
 *   writes, ~2.5× cheaper than its per-cell objects); `viaExceljsRows` writes them through exceljs.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import type { Locale } from '../assistant/types.js'
import { headerOf, templateTitle, type CellType, type Column, type ExportRow, type Template } from './templates.js'
import { fastRows, type XlsxValue } from './xlsx-rows.js'

export interface ExportWriter {
  write(rows: ExportRow[]): Promise<void>
  /** closes the file */
  finish(): Promise<void>
  /** on failure: close without caring for the content (the caller deletes the file) */
  abort(): Promise<void>
}

export const MIME = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
} as const

/** First characters that make a spreadsheet read a cell as a formula. */
const FORMULA_FIRST = ['=', '+', '-', '@', '\t', '\r']
const FORMULA_START = new RegExp(`^[${FORMULA_FIRST.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`)

/** A text cell a spreadsheet must not evaluate: prefix an apostrophe when it starts like a formula. */
export const neutraliseFormula = (s: string): string => (FORMULA_START.test(s) ? `'${s}` : s)

/** The CSV text of one cell. */
export function csvCell(type: CellType, v: string | number | null): string {
  if (v === null || v === undefined) return ''
  if (type === 'text' || type === 'id') return neutraliseFormula(String(v))
  return String(v)
}

/**
 * `csvCell` as SQL over a text expression, for the COPY path (src/exports/copy-csv.ts). COPY
 * writes NULL as nothing but an empty string as "" (quoted); the JS path writes both as nothing,
 * so empty text becomes NULL here and both paths write the same bytes. Otherwise COPY quotes a
 * cell exactly when csvEncode does (it holds a comma, a quote, a CR or an LF).
 */
export function csvCellSql(type: CellType, expr: string): string {
  if (type !== 'text' && type !== 'id') return expr
  const codes = FORMULA_FIRST.map((c) => c.charCodeAt(0)).join(', ')
  const v = `(${expr})`
  return `case when ascii(${v}) in (${codes}) then '''' || ${v} else nullif(${v}, '') end`
}

/** The CSV writer also takes ready CSV records (the COPY path, src/exports/copy-csv.ts). */
export interface CsvWriter extends ExportWriter {
  /** queues bytes without waiting (a COPY cannot be paused): await `drained()` between pages */
  writeBytes(chunk: Uint8Array): void
  drained(): Promise<void>
}

async function put(out: WriteStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain')
}

async function closeStream(out: WriteStream): Promise<void> {
  if (out.closed) return
  const done = once(out, 'close')
  out.end()
  await done
}

const NEEDS_QUOTES = /[",\r\n]/
const QUOTE = /"/g

/** RFC 4180 encoding of one cell: quoted when it holds a comma, a quote, a CR or an LF (quotes
 * doubled). Byte for byte what csv-stringify writes, except that csv-stringify with CRLF records
 * leaves a lone LF unquoted (test/exports/csv-encoding.test.ts). Done by hand because csv-stringify
 * took ~7× longer than the rest of the export. */
export const csvEncode = (v: string): string => (NEEDS_QUOTES.test(v) ? `"${v.replace(QUOTE, '""')}"` : v)

export async function csvWriter(path: string, template: Template, locale: Locale): Promise<CsvWriter> {
  const out = createWriteStream(path)
  await once(out, 'open')
  const cols = template.columns
  const types = cols.map((c) => c.type)
  // the header (and the BOM) by csv-stringify
  await put(out, stringify([cols.map((c) => headerOf(c, locale))], { record_delimiter: 'windows', bom: true }))
  return {
    async write(rows) {
      let chunk = ''
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]
        let line = ''
        for (let j = 0; j < cols.length; j++) {
          if (j) line += ','
          line += csvEncode(csvCell(types[j], cols[j].value(r, locale)))
        }
        chunk += line + '\r\n'
      }
      await put(out, chunk)
    },
    writeBytes: (chunk) => void out.write(chunk),
    drained: async () => {
      if (out.writableNeedDrain) await once(out, 'drain')
    },
    finish: () => closeStream(out),
    abort: () => closeStream(out),
  }
}

const NUM_FMT: Record<CellType, string> = {
  text: '@',
  id: '@',
  money: '#,##0.00',
  int: '0',
  datetime: 'yyyy-mm-dd hh:mm:ss',
}
const DEFAULT_WIDTH: Record<CellType, number> = { text: 14, id: 20, money: 13, int: 9, datetime: 20 }
// Characters XML 1.0 does not allow (a workbook containing them does not open).
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const MAX_CELL_TEXT = 32_767
/** CR, a character XML forbids, or any surrogate (a lone one is forbidden; pairs are checked by XML_ILLEGAL) */
const MAY_NEED_CLEANING = /[\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/

/** Text as an xlsx cell can hold it: line ends as LF, no characters XML forbids, at most 32,767 characters. */
export function xlsxText(s: string): string {
  // most text needs nothing: one test instead of two replacements per cell
  if (!MAY_NEED_CLEANING.test(s) && s.length <= MAX_CELL_TEXT) return s
  // XML reads a raw CR as a line end anyway; Excel's own line break is LF
  const clean = s.replace(/\r\n?/g, '\n').replace(XML_ILLEGAL, '')
  return clean.length > MAX_CELL_TEXT ? clean.slice(0, MAX_CELL_TEXT) : clean
}

/** "YYYY-MM-DD HH:MM:SS" (already in the export's zone) → the Excel serial of exactly that wall time
 * (days since 1899-12-30), computed as exceljs computes it from a Date: a number cell with the
 * date format is what exceljs writes for a Date, without a Date object per cell. */
export function wallToExcelSerial(s: string): number {
  const ms = Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10), +s.slice(11, 13), +s.slice(14, 16), +s.slice(17, 19))
  return 25569 + ms / (24 * 3600 * 1000)
}


/** exceljs writes plain strings as `t="str"`, whose edge whitespace readers may trim (LibreOffice
 * does); such text goes as an inline string with xml:space="preserve" instead. */
const EDGE_SPACE = /^\s|\s$/

function xlsxCell(type: CellType, v: string | number | null): XlsxValue {
  if (v === null || v === undefined) return undefined
  switch (type) {
    case 'money':
    case 'int':
      return v === '' ? undefined : typeof v === 'number' ? v : Number(v)
    case 'datetime':
      return v === '' ? undefined : wallToExcelSerial(String(v))
    default: {
      // an empty text stays an (empty) text cell
      const text = xlsxText(String(v))
      return EDGE_SPACE.test(text) ? { richText: [{ text }] } : text
    }
  }
}

const widthOf = (c: Column, locale: Locale) =>
  Math.min(48, Math.max(c.width ?? DEFAULT_WIDTH[c.type], [...headerOf(c, locale)].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) + 3))

/** Sheet names: at most 31 characters, none of []:*?/\ */
const sheetName = (s: string) => s.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31)

/** Rows written between two yields to the event loop: each yield lets the deflate's finished work
 * in and its next chunk out (measured on 45,000 rows: every 10 rows peaked at ~210-230 MB RSS,
 * every 100 at ~270-280 MB, every 250 was no faster). */
const YIELD_EVERY_ROWS = 10
/** Sheet XML that may wait for the deflate before the writer waits for it. */
const ZIP_BACKLOG_BYTES = 4 * 1024 * 1024

/**
 * exceljs's streaming writer applies no backpressure: each row's XML goes into a stream that passes
 * it on to the zip at once (its write always returns true), and the deflate runs off the main
 * thread, so when the rows come faster than the deflate takes them, the XML piles up in memory.
 * zipCaughtUp waits while more than ZIP_BACKLOG_BYTES wait for the deflate. It reads exceljs 4.4
 * internals (the sheet stream's pipe, a readable-stream PassThrough; xlsx-writer.test.ts checks
 * they are there); without them it does not wait.
 */
type ZipInput = NodeJS.EventEmitter & { _writableState?: { length: number; needDrain: boolean } }
const zipInput = (ws: ExcelJS.Worksheet) => (ws as unknown as { stream?: { pipes?: ZipInput[] } }).stream?.pipes?.[0]

/** Bytes of the sheet's XML waiting for the deflate; undefined when exceljs's internals are not as expected. */
export function zipBacklogBytes(ws: ExcelJS.Worksheet): number | undefined {
  return zipInput(ws)?._writableState?.length
}

async function zipCaughtUp(ws: ExcelJS.Worksheet): Promise<void> {
  const pipe = zipInput(ws)
  const state = pipe?._writableState
  if (pipe && state && state.length > ZIP_BACKLOG_BYTES && state.needDrain) await once(pipe, 'drain')
}

export async function xlsxWriter(path: string, template: Template, locale: Locale, opts: { viaExceljsRows?: boolean } = {}): Promise<ExportWriter> {
  const out = createWriteStream(path)
  await once(out, 'open')
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
  wb.creator = 'TikTok Shop seller assistant'
  const cols = template.columns
  const ws = wb.addWorksheet(sheetName(templateTitle(template, locale)), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }],
    autoFilter: { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } },
  } as Partial<ExcelJS.AddWorksheetOptions>)
  ws.columns = cols.map((c) => ({ width: widthOf(c, locale) }))
  // One style object per column, shared by its cells: exceljs caches a style by object identity,
  // so a shared object is looked up once instead of rebuilt for every cell (~30 % of the time).
  const styles = cols.map((c) => ({ numFmt: NUM_FMT[c.type] }) as Partial<ExcelJS.Style>)
  const header = ws.addRow(cols.map((c) => headerOf(c, locale)))
  header.font = { bold: true }
  header.commit()
  // the data rows' XML by our serialiser, byte for byte exceljs's (see xlsx-rows.ts); exceljs's API if it cannot
  const fast = opts.viaExceljsRows ? null : fastRows(wb, ws, styles)
  const types = cols.map((c) => c.type)
  let sinceYield = 0
  return {
    async write(rows) {
      for (const r of rows) {
        const values = new Array<XlsxValue>(cols.length)
        for (let j = 0; j < cols.length; j++) values[j] = xlsxCell(types[j], cols[j].value(r, locale))
        if (fast) fast.add(values)
        else {
          const row = ws.addRow(values)
          for (let j = 0; j < values.length; j++) if (values[j] !== undefined) row.getCell(j + 1).style = styles[j]
          row.commit()
        }
        // exceljs works synchronously: let the bot's other work (and the zip) run between slices of rows
        if (++sinceYield >= YIELD_EVERY_ROWS) {
          sinceYield = 0
          await new Promise<void>((ok) => setImmediate(ok))
          await zipCaughtUp(ws)
        }
      }
      // let the file stream drain before the next batch
      if (out.writableNeedDrain) await once(out, 'drain')
    },
    async finish() {
      ws.commit()
      await wb.commit()
      if (!out.closed) await once(out, 'close')
    },
    async abort() {
      out.destroy()
    },
  }
}
