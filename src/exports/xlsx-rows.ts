/**
 * The data rows of the export sheet, serialised here and written into exceljs's own sheet stream.
 *
 * The workbook is still exceljs's streaming WorkbookWriter: it writes the workbook, the styles, the
 * sheet frame (columns, frozen header, autofilter), the header row and the zip. Only the `<row>`
 * elements of the data are built here, because exceljs's per-cell objects (a Cell, its model, its
 * style lookup, an XmlStream) cost most of an xlsx export's time (~1.5 s of ~2.3 s for 45,000 rows).
 * The XML is byte for byte what exceljs writes for the same values and styles —
 * test/exports/xlsx-rows.test.ts writes the same rows both ways, with every kind of cell, and
 * compares the sheets — and style ids come from exceljs's style table, in the order exceljs asks for them.
 *
 * It reads exceljs 4.4 internals (the workbook's style table, the sheet's stream and row counter);
 * `fastRows` returns null when they are not there, and the caller goes through exceljs's public API.
 */
import type ExcelJS from 'exceljs'

/** A cell value as the export writes it: undefined = no cell; richText = text whose edge spaces must survive. */
export type XlsxValue = string | number | undefined | { richText: { text: string }[] }

const ESCAPES = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/
const ESCAPE_ALL = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/g
const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }

/** exceljs's xmlEncode: the five entities; DEL and control characters other than TAB, LF, CR dropped. */
export const xmlEncode = (s: string): string => (ESCAPES.test(s) ? s.replace(ESCAPE_ALL, (c) => ENTITY[c] ?? '') : s)

/** Column letters of column n (1-based): A … Z, AA … */
export function columnLetters(n: number): string {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

const PRESERVE = /^\s|\n|\s$/

function cellXml(ref: string, style: number, v: Exclude<XlsxValue, undefined>): string {
  const s = style ? ` s="${style}"` : ''
  if (typeof v === 'number') return `<c r="${ref}"${s}><v>${v}</v></c>`
  if (typeof v === 'string') return `<c r="${ref}"${s} t="str"><v>${xmlEncode(v)}</v></c>`
  let runs = ''
  for (const r of v.richText) runs += `<r><t${PRESERVE.test(r.text) ? ' xml:space="preserve"' : ''}>${xmlEncode(r.text)}</t></r>`
  return `<c r="${ref}"${s} t="inlineStr"><is>${runs}</is></c>`
}

type StyleTable = { addStyleModel(style: Partial<ExcelJS.Style>, cellType?: number): number }
type SheetInternals = { stream?: { write(chunk: string): unknown }; _rowZero?: number; _rows?: unknown[]; startedData?: boolean }

export interface FastRows {
  /** serialises one row of values (one per column; undefined = no cell) and writes it to the sheet */
  add(values: XlsxValue[]): void
}

/**
 * A row writer for `ws`, whose header is committed and which has no rows waiting; cells of column j
 * get style `styles[j]`. Null when exceljs's internals are not as expected.
 */
export function fastRows(wb: ExcelJS.stream.xlsx.WorkbookWriter, ws: ExcelJS.Worksheet, styles: Partial<ExcelJS.Style>[]): FastRows | null {
  const table = (wb as unknown as { styles?: StyleTable }).styles
  const sheet = ws as unknown as SheetInternals
  if (!table?.addStyleModel || !sheet.stream?.write || typeof sheet._rowZero !== 'number' || !Array.isArray(sheet._rows) || sheet._rows.length || !sheet.startedData) return null
  const stream = sheet.stream
  // a style gets its id when first used, as exceljs numbers them (in order of first use)
  const ids = styles.map(() => -1)
  const letters = styles.map((_, j) => columnLetters(j + 1))
  return {
    add(values) {
      const n = sheet._rowZero!
      let cells = ''
      let min = 0
      let max = 0
      for (let j = 0; j < values.length; j++) {
        const v = values[j]
        if (v === undefined) continue
        if (!min) min = j + 1
        max = j + 1
        if (ids[j] < 0) ids[j] = table.addStyleModel(styles[j])
        cells += cellXml(letters[j] + n, ids[j], v)
      }
      // a row without cells: exceljs writes nothing for it
      if (min) stream.write(`<row r="${n}" spans="${min}:${max}" x14ac:dyDescent="0.25">${cells}</row>`)
      sheet._rowZero = n + 1
    },
  }
}
