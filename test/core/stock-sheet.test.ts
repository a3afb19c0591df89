import { readFileSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import * as XLSX from '@e965/xlsx'
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { stockLevels } from '../../db/schema.js'
import type { OutgoingFile, Reply } from '../../src/assistant/types.js'
import { parseTextCommand } from '../../src/commands/parse-text.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder } from '../support/fixtures.js'
import { actor, coreDeps, linkedSetup, twoShopSetup } from './support.js'

/** The reply's one file, read and removed (as an adapter does after sending it). */
function taken(r: Reply): { file: OutgoingFile; bytes: Buffer } {
  expect(r.files).toHaveLength(1)
  const file = r.files![0]
  const bytes = readFileSync(file.path)
  rmSync(dirname(file.path), { recursive: true, force: true })
  return { file, bytes }
}
/** Sheet rows as SheetJS (not the writer, exceljs) reads them: cells as shown. */
const sheetRows = (bytes: Buffer) => XLSX.utils.sheet_to_json<(string | number)[]>(XLSX.read(bytes).Sheets[XLSX.read(bytes).SheetNames[0]], { header: 1, defval: '' })
const sent = (filename: string, bytes: Uint8Array) => ({ filename, read: async () => bytes })

describeEachDb('/stock export: the stock sheet, to fill in and send back', (get) => {
  async function shop() {
    const database = get()
    const deps = coreDeps(database)
    const setup = await linkedSetup(database, deps)
    await setup.run(setup.admin, { name: 'stock', sku: 'SKU-A', quantity: 1 })
    await setup.run(setup.admin, { name: 'stock', sku: 'SKU-B', quantity: 10 })
    // 2 × SKU-A, 1 × SKU-B; and an order of a SKU with no stock recorded
    const o = platformOrder({ at: '2026-11-20T07:00:00Z' })
    await processPlatformOrder(deps, setup.shop.id, o)
    const lamp = platformOrder({ at: '2026-11-20T07:10:00Z' })
    lamp.line_items = [{ ...lamp.line_items![0]!, seller_sku: 'LAMP-LED', sku_id: '1729009', product_name: 'Desk lamp 台灯' }]
    await processPlatformOrder(deps, setup.shop.id, lamp)
    return { ...setup, database }
  }

  it('every SKU with its product, on hand, held and available; sent back unchanged it changes nothing; a filled-in quantity is set', async () => {
    const { run, admin, database } = await shop()
    const viewer = actor('viewer-2')
    await run(admin, { name: 'grant', target: { userId: viewer.userId, displayName: 'V' }, role: 'viewer' })
    const r = await run(viewer, parseTextCommand('/stock export') as never)
    expect(r.ok).toBe(true)
    expect(messageText(r.message)).toContain('SKUs: 3; short for open orders: 2; no stock recorded: 1.')
    const { file, bytes } = taken(r)
    expect(file).toMatchObject({ mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: expect.stringMatching(/^stock-.*-\d{4}-\d\d-\d\d\.xlsx$/) })
    const rows = sheetRows(bytes)
    expect(rows).toEqual([
      ['seller_sku', 'quantity', 'product', 'reserved', 'available'],
      ['LAMP-LED', '', 'Desk lamp 台灯 · Black', 1, -1],
      ['SKU-A', 1, 'Phone case 手机壳 · Black', 2, -1],
      ['SKU-B', 10, 'Cable · 1m', 1, 9],
    ])
    // back as it came: nothing changes, the SKU without a quantity is left as it is
    const same = await run(admin, { name: 'stock', file: sent(file.filename, bytes) })
    expect(same.message.title).toContain('SKUs in it: 2; changed: 0.')
    expect(messageText(same.message)).toContain('Rows without a quantity, left as they were: 1.')
    // filled in (in a spreadsheet program: SheetJS writes it): SKU-A 5, LAMP-LED 2
    rows[1][1] = 2
    rows[2][1] = 5
    const book = XLSX.utils.book_new()
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Stock')
    const edited = await run(admin, { name: 'stock', file: sent('stock-edited.xlsx', XLSX.write(book, { type: 'buffer', bookType: 'xlsx' })) })
    expect(edited.message.title).toContain('SKUs in it: 3; changed: 2.')
    expect(messageText(edited.message)).toContain('LAMP-LED: 0 → 2\nSKU-A: 1 → 5')
    expect(messageText(edited.message)).toContain('Open orders whose stock cover changed: 2.')
    const levels = await database.db.select({ sku: stockLevels.sellerSku, n: stockLevels.onHand }).from(stockLevels).orderBy(stockLevels.sellerSku)
    expect(levels.filter((l) => ['LAMP-LED', 'SKU-A', 'SKU-B'].includes(l.sku)).map((l) => [l.sku, l.n])).toEqual([['LAMP-LED', 2], ['SKU-A', 5], ['SKU-B', 10]])
  })

  it('as CSV: UTF-8 with BOM, a SKU that starts like a formula neutralised, and read back as the same SKU; Chinese headers in a Chinese chat', async () => {
    const { run, admin } = await shop()
    await run(admin, { name: 'stock', sku: '=1+1', quantity: 4 })
    await run(admin, { name: 'settings', language: 'zh-CN' })
    const r = await run(admin, parseTextCommand('/stock 导出 csv') as never)
    const { file, bytes } = taken(r)
    expect(file.filename).toMatch(/\.csv$/)
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const rows = parse(bytes.toString('utf8').slice(1)) as string[][]
    expect(rows[0]).toEqual(['卖家SKU', '库存', '商品名称', '已占用', '可用'])
    expect(rows[1]).toEqual(["'=1+1", '4', '', '0', '4'])
    const back = await run(admin, { name: 'stock', file: sent(file.filename, bytes) })
    expect(back.ok).toBe(true)
    expect(back.message.title).toContain('其中 0 个有变化') // no SKU changed: the apostrophe is ours, not part of the SKU
    expect(messageText(back.message)).not.toContain('→')
  })

  it('a wrong format gets one message; in a chat of several shops the sheet names its shop, as one word or after the format', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { run, admin, other } = await twoShopSetup(database, deps, { name: 'US Store' }, { name: 'UK' })
    await run(admin, { name: 'stock', sku: 'UK:MUG', quantity: 2 })
    const bad = await run(admin, parseTextCommand('/stock export pdf') as never)
    expect(bad.message.title).toBe('“pdf” is not a sheet format: write /stock export xlsx or /stock export csv.')
    expect((await run(admin, parseTextCommand('/stock export') as never)).message.title).toContain('name the shop whose stock sheet you want')
    for (const text of ['/stock export uk', '/stock export csv UK']) {
      const r = await run(admin, parseTextCommand(text) as never)
      expect(r.message.title, text).toBe('Stock sheet of UK')
      const { bytes } = taken(r)
      expect(bytes.toString('utf8')).toContain(text.includes('csv') ? 'MUG,2,,0,2' : '')
    }
    expect(other.name).toBe('UK')
  })
})
