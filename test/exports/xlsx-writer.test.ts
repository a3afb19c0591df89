/** Pieces of the xlsx writer that lean on exceljs's behaviour (src/exports/writers.ts). */
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { wallToExcelSerial, xlsxText, zipBacklogBytes } from '../../src/exports/writers.js'

const { dateToExcel } = createRequire(import.meta.url)('exceljs/lib/utils/utils.js') as { dateToExcel(d: Date): number }

describe('xlsx writer', () => {
  it('a wall time becomes the serial exceljs writes for the Date of that wall time in UTC, to the last bit', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000)
        const wall = whole.toISOString().replace('T', ' ').slice(0, 19)
        expect(wallToExcelSerial(wall)).toBe(dateToExcel(whole))
      }),
      { numRuns: 500 },
    )
  })

  it('text needing no cleaning comes back as it is; CR, lone surrogates and control characters are cleaned', () => {
    for (const s of ['plain', '中文 😀', 'a\nb', ' edge ', '']) expect(xlsxText(s)).toBe(s)
    expect(xlsxText('a\r\nb\rc')).toBe('a\nb\nc')
    expect(xlsxText('x\u0001y\uD800z')).toBe('xyz')
    expect(xlsxText('😀\u0007')).toBe('😀')
  })

  it('the sheet XML waiting for the deflate can be measured (the exceljs internals the backpressure reads)', async () => {
    const path = join(tmpdir(), `xlsx-writer-test-${process.pid}.xlsx`)
    const out = createWriteStream(path)
    try {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true })
      const ws = wb.addWorksheet('x')
      // written without a pause: the zip has not taken any of it yet
      for (let i = 0; i < 2000; i++) ws.addRow(Array.from({ length: 20 }, (_, j) => `row ${i} cell ${j}`)).commit()
      const backlog = zipBacklogBytes(ws)
      expect(typeof backlog).toBe('number')
      expect(backlog).toBeGreaterThan(500_000)
      ws.commit()
      await wb.commit()
      expect(zipBacklogBytes(ws)).toBe(0)
    } finally {
      await rm(path, { force: true })
    }
  })
})
