/**
 * The export's own row serialiser (src/exports/xlsx-rows.ts) must write, byte for byte, the sheet
 * exceljs writes through its public API for the same values: the same rows go through both, and
 * every part of the two workbooks is compared (the creation time aside).
 */
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import type { CellType, Column, ExportRow, Template } from '../../src/exports/templates.js'
import { xlsxWriter } from '../../src/exports/writers.js'
import { columnLetters, fastRows, xmlEncode } from '../../src/exports/xlsx-rows.js'

const TYPES: CellType[] = ['text', 'id', 'money', 'int', 'datetime', 'text', 'id', 'money', 'text', 'datetime', 'int', 'text']

const template: Template = {
  name: 'order_list',
  title: { en: 'Rows <&> "test"', zh: '测试' },
  rowIs: 'order',
  columns: TYPES.map(
    (type, j): Column => ({
      key: `c${j}`,
      header: { en: `Col ${j} <${type}>`, zh: `列 ${j}` },
      type,
      spec: { field: 'order_id' },
      value: (r) => (r as unknown as Record<string, string | number | null>)[`c${j}`],
    }),
  ),
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', ' edge', 'edge ', '\tTab', 'a\nb', 'a\r\nb', '<b>&"\'</b>', '=SUM(A1)', '中文 😀', '\u0001\u007f\u0008x', '123456789012345678'),
)
const money = fc.oneof(fc.constant(null), fc.constant(''), fc.integer({ min: -1e7, max: 1e7 }).map((n) => (n / 100).toFixed(2)))
const int = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5000 }))
const datetime = fc.oneof(
  fc.constant(null),
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ').slice(0, 19)),
)
const cell = (type: CellType) => (type === 'money' ? money : type === 'int' ? int : type === 'datetime' ? datetime : fc.oneof(fc.constant(null), text))
const row = fc.tuple(...TYPES.map(cell)).map((vals) => Object.fromEntries(vals.map((v, j) => [`c${j}`, v])) as unknown as ExportRow)

async function workbook(rows: ExportRow[], viaExceljsRows: boolean, locale: 'en' | 'zh-CN'): Promise<Record<string, string>> {
  const path = join(tmpdir(), `xlsx-rows-${process.pid}-${viaExceljsRows}.xlsx`)
  try {
    const w = await xlsxWriter(path, template, locale, { viaExceljsRows })
    for (let i = 0; i < rows.length; i += 37) await w.write(rows.slice(i, i + 37))
    await w.finish()
    const parts = unzipSync(new Uint8Array(await readFile(path)))
    // docProps/core.xml holds the creation time
    return Object.fromEntries(Object.entries(parts).filter(([name]) => name !== 'docProps/core.xml').map(([name, bytes]) => [name, Buffer.from(bytes).toString('utf8')]))
  } finally {
    await rm(path, { force: true })
  }
}

describe('xlsx rows serialised by the export', () => {
  it('column letters and XML escaping are exceljs’s', () => {
    expect([1, 26, 27, 52, 53, 702, 703].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA'])
    expect(xmlEncode('a<b>&\'"\u0001\u007f\tc\r\n')).toBe('a&lt;b&gt;&amp;&apos;&quot;\tc\r\n')
  })

  it('is used: the exceljs internals it needs are there (else the export falls back to exceljs’s rows, slower)', async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough().resume(), useStyles: true })
    const ws = wb.addWorksheet('x')
    ws.addRow(['header']).commit()
    expect(fastRows(wb, ws, [{ numFmt: '@' }])).not.toBeNull()
    // not before the header (sheet data not started) — the writer then uses exceljs
    expect(fastRows(wb, wb.addWorksheet('y'), [{ numFmt: '@' }])).toBeNull()
  })

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`writes the same workbook as exceljs’s own rows (${locale}, 600 random rows with every kind of cell)`, async () => {
      const rows = fc.sample(row, { numRuns: 600, seed: locale === 'en' ? 1 : 2 })
      // and rows with no value at all, which exceljs skips while counting them
      rows.splice(100, 0, Object.fromEntries(TYPES.map((_, j) => [`c${j}`, null])) as unknown as ExportRow)
      const [ours, theirs] = [await workbook(rows, false, locale), await workbook(rows, true, locale)]
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort())
      const sheet = Object.keys(theirs).find((n) => n.startsWith('xl/worksheets/sheet'))!
      expect(theirs[sheet].length).toBeGreaterThan(50_000)
      for (const name of Object.keys(theirs)) {
        // where they first differ, with some context (a whole sheet in a diff is unreadable)
        let i = 0
        while (i < theirs[name].length && ours[name][i] === theirs[name][i]) i++
        expect(ours[name].slice(Math.max(0, i - 150), i + 150), name).toBe(theirs[name].slice(Math.max(0, i - 150), i + 150))
        expect(ours[name].length, name).toBe(theirs[name].length)
      }
    }, 60_000)
  }
})
