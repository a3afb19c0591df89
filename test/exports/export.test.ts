import { sql } from 'drizzle-orm'
import { rmSync } from 'node:fs'
import { beforeAll, expect, it } from 'vitest'
import { rows as rawRows } from '../../db/database.js'
import type { Locale } from '../../src/assistant/types.js'
import { parseExportFilter, TEMPLATE_NAMES, type ExportFilter } from '../../src/exports/filters.js'
import { discardExport, runExport } from '../../src/exports/run-export.js'
import { headerOf, TEMPLATES } from '../../src/exports/templates.js'
import { STATUS_FILTERS } from '../../src/orders/status.js'
import { describeEachDb } from '../support/db.js'
import { expectedRows } from './expected.js'
import { csvExpected, expectXlsxCell, readCsv, readXlsx } from './read.js'
import { markSomePrinted, NOW, seedExportData, TZ } from './seed.js'

const N = 64

describeEachDb('order exports', (get) => {
  let shopId = ''
  const filter = (args: Parameters<typeof parseExportFilter>[0]) =>
    parseExportFilter({ from: '2026-08-22', to: '2026-11-20', ...args }, { now: NOW, timeZone: TZ, shops: [{ id: shopId }] })

  beforeAll(async () => {
    const { db } = get()
    const { shop } = await seedExportData(db, N)
    shopId = shop.id
    await markSomePrinted(db, shop.id)
  }, 120_000)

  it('every status × time field exports exactly the orders a direct SQL count says', async () => {
    const { db } = get()
    let nonEmpty = 0
    for (const status of STATUS_FILTERS) {
      for (const time of ['created', 'paid'] as const) {
        const f = filter({ status, time, template: 'order_list', format: 'csv' })
        const col = time === 'paid' ? 'paid_time' : 'create_time'
        const [{ n }] = await rawRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from orders where shop_id = ${shopId} and ${sql.raw(col)} >= ${f.from.toISOString()}::timestamptz
              and ${sql.raw(col)} < ${f.to.toISOString()}::timestamptz and (${status} = 'all' or status = ${status})`,
        )
        const r = await runExport({ db, filter: f, locale: 'en' })
        const { rows } = readCsv(r.path)
        await discardExport([r])
        expect(r.orders, `${status} × ${time}`).toBe(n)
        expect(rows.length - 1, `${status} × ${time}: one row per order`).toBe(n)
        expect(new Set(rows.slice(1).map((x) => x[0])).size).toBe(n)
        if (n > 0) nonEmpty++
      }
    }
    // the seed covers every status on both time fields (unpaid has no paid time, so 13 of 14)
    expect(nonEmpty).toBe(13)
  })

  it('rows per template: one per order, per package, per SKU of an order', async () => {
    const { db } = get()
    const f = filter({})
    const [{ skus }] = await rawRows<{ skus: number }>(
      db,
      sql`select count(*)::int as skus from (select o.id, li.sku_id from orders o left join order_line_items li on li.order_id = o.id
          where o.shop_id = ${shopId} and o.create_time >= ${f.from.toISOString()}::timestamptz and o.create_time < ${f.to.toISOString()}::timestamptz group by 1, 2) x`,
    )
    const [{ pk }] = await rawRows<{ pk: number }>(
      db,
      sql`select count(*)::int as pk from orders o left join order_packages op on op.order_id = o.id
          where o.shop_id = ${shopId} and o.create_time >= ${f.from.toISOString()}::timestamptz and o.create_time < ${f.to.toISOString()}::timestamptz`,
    )
    const sku = await runExport({ db, filter: { ...f, template: 'order_sku_list', format: 'csv' }, locale: 'en' })
    const pkg = await runExport({ db, filter: { ...f, template: 'package_list', format: 'csv' }, locale: 'en' })
    expect(sku.rows).toBe(skus)
    expect(pkg.rows).toBe(pk)
    expect(sku.rows).toBeGreaterThan(sku.orders)
    expect(pkg.rows).toBeGreaterThan(pkg.orders)
    expect(readCsv(sku.path).rows.length - 1).toBe(skus)
    await discardExport([sku, pkg])
  })

  for (const template of TEMPLATE_NAMES) {
    for (const locale of ['en', 'zh-CN'] as Locale[]) {
      it(`${template}, ${locale}: the CSV has a BOM, no cell that starts a formula, and every cell equals the database`, async () => {
        const { db } = get()
        const f: ExportFilter = filter({ template, format: 'csv' })
        const cols = TEMPLATES[template].columns
        const r = await runExport({ db, filter: f, locale, batchOrders: 7 })
        const { bom, rows } = readCsv(r.path)
        await discardExport([r])
        expect(bom).toBe(true)
        expect(rows[0]).toEqual(cols.map((c) => headerOf(c, locale)))
        const expected = await expectedRows(db, f, cols.map((c) => c.key), locale)
        expect(rows.length - 1).toBe(expected.length)
        expect(expected.length).toBeGreaterThan(N / 2)
        for (let i = 0; i < expected.length; i++)
          for (let j = 0; j < cols.length; j++) expect(rows[i + 1][j], `row ${i + 1} ${cols[j].key}`).toBe(csvExpected(cols[j], expected[i][j]))
        for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
        // the nasty text made it through (neutralised, otherwise intact)
        const all = rows.flat()
        for (const s of ["'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1 call me", "'-2+3", "'@SUM(A1:A2)", 'comma, "quoted" text, and a\nnewline', '请尽快发货,谢谢!🙏📦'])
          expect(all).toContain(s)
        expect(all).toContain('576653697835000000') // an 18-digit ID (order 0), exact
      })

      it(`${template}, ${locale}: the xlsx has typed cells equal to the database, a frozen header and an autofilter`, async () => {
        const { db } = get()
        const f: ExportFilter = filter({ template, format: 'xlsx' })
        const cols = TEMPLATES[template].columns
        const r = await runExport({ db, filter: f, locale, batchOrders: 7 })
        const x = readXlsx(r.path)
        await discardExport([r])
        expect(x.sheetName).toBe(locale === 'zh-CN' ? TEMPLATES[template].title.zh : TEMPLATES[template].title.en)
        expect(x.rows[0].map((c) => c?.v)).toEqual(cols.map((c) => headerOf(c, locale)))
        expect(x.autofilter).toMatch(/^A1:[A-Z]+1$/)
        expect(x.sheetXml).toMatch(/<pane[^>]*ySplit="1"[^>]*state="frozen"/)
        expect(x.sheetXml).toMatch(/<col [^>]*width=/)
        const expected = await expectedRows(db, f, cols.map((c) => c.key), locale)
        expect(x.rows.length - 1).toBe(expected.length)
        for (let i = 0; i < expected.length; i++)
          for (let j = 0; j < cols.length; j++) expectXlsxCell(x.rows[i + 1][j], cols[j], expected[i][j], `row ${i + 1} ${cols[j].key}`)
      })
    }
  }

  it('an export writes one audit row with the filter and what was written', async () => {
    const { db } = get()
    const f = filter({ status: 'shipped', template: 'order_list', format: 'xlsx' })
    const r = await runExport({ db, filter: f, locale: 'en', actor: { key: 'discord:42', name: 'Ada' } })
    await discardExport([r])
    const audits = await rawRows<{ actor: string; details: Record<string, unknown> }>(
      db,
      sql`select actor, details from audit_log where action = 'export' and actor = 'discord:42'`,
    )
    expect(audits).toHaveLength(1)
    expect(audits[0].details).toMatchObject({ status: 'shipped', template: 'order_list', format: 'xlsx', orders: r.orders, timeField: 'created' })
  })

  it('the file name says what it holds', async () => {
    const { db } = get()
    const r = await runExport({ db, filter: filter({ status: '待发货', time: 'paid', template: 'package_list', format: 'csv' }), locale: 'zh-CN' })
    await discardExport([r])
    expect(r.filename).toBe(`orders_${shopId}_package-list_awaiting-shipment_paid_2026-08-22_2026-11-20.csv`)
    expect(r.filename).toMatch(/^[\x20-\x7e]+$/)
    rmSync(r.path, { force: true })
  })
})
