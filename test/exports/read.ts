/** Independent readers for the export files: csv-parse and SheetJS (plus the raw sheet XML for panes). */
import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { strFromU8, unzipSync } from 'fflate'
import * as XLSX from '@e965/xlsx'
import { expect } from 'vitest'
import type { Column } from '../../src/exports/templates.js'
import type { Expected } from './expected.js'

export function readCsv(path: string): { bom: boolean; rows: string[][] } {
  const buf = readFileSync(path)
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf
  const rows = parse(buf, { bom: true, relax_column_count: false }) as string[][]
  return { bom, rows }
}

export interface XlsxRead {
  sheetName: string
  rows: (XLSX.CellObject | undefined)[][]
  autofilter?: string
  sheetXml: string
}

export function readXlsx(path: string): XlsxRead {
  const buf = readFileSync(path)
  const wb = XLSX.read(buf, { cellNF: true, cellDates: false, dense: false })
  const sheetName = wb.SheetNames[0]
  const ws = wb.Sheets[sheetName]
  const range = XLSX.utils.decode_range(ws['!ref'] ?? 'A1:A1')
  const rows: (XLSX.CellObject | undefined)[][] = []
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row: (XLSX.CellObject | undefined)[] = []
    for (let c = range.s.c; c <= range.e.c; c++) row.push(ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined)
    rows.push(row)
  }
  const zip = unzipSync(new Uint8Array(buf))
  const sheetXml = strFromU8(zip['xl/worksheets/sheet1.xml'])
  return { sheetName, rows, autofilter: (ws['!autofilter'] as { ref?: string } | undefined)?.ref, sheetXml }
}

const FORMULA = /^[=+\-@\t\r]/

/** The CSV text a cell must hold for the expected database value. */
export function csvExpected(col: Column, v: Expected): string {
  if (v === null) return ''
  const s = String(v)
  return (col.type === 'text' || col.type === 'id') && FORMULA.test(s) ? `'${s}` : s
}

/** Excel serial (1900 system) → "YYYY-MM-DD HH:MM:SS" of the wall clock it stands for. */
export function serialToWall(serial: number): string {
  const ms = Math.round((serial - 25569) * 86_400_000 / 1000) * 1000
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

/** Asserts one xlsx cell holds the expected database value with the right type. */
export function expectXlsxCell(cell: XLSX.CellObject | undefined, col: Column, v: Expected, where: string) {
  if (v === null || v === '') {
    expect(cell === undefined || cell.v === undefined || cell.v === '' || cell.t === 'z', `${where}: empty`).toBe(true)
    return
  }
  expect(cell, `${where}: missing`).toBeDefined()
  switch (col.type) {
    case 'money':
      expect(cell!.t, `${where}: money is a number`).toBe('n')
      expect(cell!.v, where).toBe(Number(v))
      expect(cell!.z, `${where}: two decimals`).toBe('#,##0.00')
      break
    case 'int':
      expect(cell!.t, `${where}: int is a number`).toBe('n')
      expect(cell!.v, where).toBe(v)
      break
    case 'datetime':
      expect(cell!.t, `${where}: a date is a number with a date format`).toBe('n')
      expect(String(cell!.z), where).toMatch(/yy.*mm.*dd.*hh.*mm/)
      expect(serialToWall(cell!.v as number), where).toBe(v)
      break
    default:
      expect(cell!.t, `${where}: text`).toBe('s')
      expect(cell!.v, where).toBe(String(v).replace(/\r\n?/g, '\n'))
  }
}
