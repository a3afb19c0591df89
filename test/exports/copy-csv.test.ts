/**
 * The CSV COPY path (src/exports/copy-csv.ts) against the JS path it replaced: the same bytes for
 * every template and language on the seeded nasty text, the same parts when split, the same cell
 * text for arbitrary strings; plus the CRLF conversion across chunk boundaries.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { getTableColumns } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { orders } from '../../db/schema.js'
import type { Locale } from '../../src/assistant/types.js'
import { CrlfRecords } from '../../src/exports/copy-csv.js'
import { parseExportFilter, TEMPLATE_NAMES } from '../../src/exports/filters.js'
import { clientOf } from '../../src/exports/query.js'
import { discardExport, runExport, writeExport, type RunExportInput } from '../../src/exports/run-export.js'
import { inlineParams, sqlLiteral } from '../../src/exports/sql-text.js'
import { csvCell, csvCellSql, csvEncode } from '../../src/exports/writers.js'
import { describeEachDb } from '../support/db.js'
import { readCsv } from './read.js'
import { markSomePrinted, NOW, seedExportData, TZ } from './seed.js'

const cellText = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '\t', '中', '😀', "'", '\\', '$1') }),
  fc.string({ unit: 'grapheme' }),
)

describe('CRLF records from COPY output', () => {
  it('ends every record with CRLF and counts the records, wherever the chunks are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cellText, { minLength: 1, maxLength: 4 }), { minLength: 0, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (rows, cuts) => {
          const lf = Buffer.from(rows.map((r) => r.map(csvEncode).join(',') + '\n').join(''))
          const at = [...new Set(cuts.map((c) => c % (lf.length + 1)))].sort((a, b) => a - b)
          const chunks = [0, ...at].map((from, i) => lf.subarray(from, i < at.length ? at[i] : lf.length))
          const crlf = new CrlfRecords()
          // fed in two calls, so the quote state also carries across calls
          const half = Math.floor(chunks.length / 2)
          const out = Buffer.concat([crlf.convert(chunks.slice(0, half)), crlf.convert(chunks.slice(half))])
          expect(out.toString()).toBe(rows.map((r) => r.map(csvEncode).join(',') + '\r\n').join(''))
          expect(crlf.records).toBe(rows.length)
        },
      ),
      { numRuns: 400 },
    )
  })
})

describe('SQL text for COPY', () => {
  it('inlines parameters as literals and leaves quoted text alone', () => {
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'")
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'")
    expect(inlineParams("select $1::text, '$1', $2::int, $10", ['x', 5, 0, 0, 0, 0, 0, 0, 0, "y'"])).toBe(
      "select 'x'::text, '$1', 5::int, 'y'''",
    )
    expect(() => sqlLiteral('a\0b')).toThrow()
  })
})

describeEachDb('CSV by COPY equals CSV from rows', (get, kind) => {
  let shopId = ''
  const filter = (args: Record<string, string>) =>
    parseExportFilter({ from: '2026-08-22', to: '2026-11-20', format: 'csv', ...args }, { now: NOW, timeZone: TZ, shops: [{ id: shopId }] })

  beforeAll(async () => {
    const { db } = get()
    shopId = (await seedExportData(db, 64)).shop.id
    await markSomePrinted(db, shopId)
  }, 120_000)

  for (const template of TEMPLATE_NAMES)
    for (const locale of ['en', 'zh-CN'] as Locale[])
      it(`${template}, ${locale}: byte for byte, in pages of a few orders and in one`, async () => {
        const { db } = get()
        const input: RunExportInput = { db, filter: filter({ template }), locale, batchOrders: 7 }
        const js = await runExport({ ...input, csvFrom: 'rows' })
        const byCopy = await runExport(input)
        const onePage = await runExport({ ...input, batchOrders: undefined })
        try {
          const expected = readFileSync(js.path)
          expect(readCsv(js.path).rows.length).toBeGreaterThan(30)
          expect(readFileSync(byCopy.path).equals(expected), `${kind}: COPY in pages`).toBe(true)
          expect(readFileSync(onePage.path).equals(expected), `${kind}: COPY in one page`).toBe(true)
          for (const r of [byCopy, onePage]) expect({ rows: r.rows, orders: r.orders, filename: r.filename }).toEqual({ rows: js.rows, orders: js.orders, filename: js.filename })
        } finally {
          await discardExport([js, byCopy, onePage])
        }
      })

  it('split into files of whole orders: the same parts, the same bytes', async () => {
    const { db } = get()
    const input: RunExportInput = { db, filter: filter({ template: 'order_sku_list' }), locale: 'en', batchOrders: 4 }
    const js = await writeExport({ ...input, csvFrom: 'rows' }, 10)
    const byCopy = await writeExport(input, 10)
    try {
      expect(js.length).toBeGreaterThan(2)
      expect(byCopy.map((p) => [p.filename, p.orders, p.rows])).toEqual(js.map((p) => [p.filename, p.orders, p.rows]))
      for (const [i, p] of byCopy.entries()) expect(readFileSync(p.path).equals(readFileSync(js[i].path)), `part ${i + 1}`).toBe(true)
    } finally {
      await discardExport([...js, ...byCopy])
    }
  })

  it('any text: the cell COPY writes is the one the JS path writes (and the connection stays usable)', async () => {
    const sql = clientOf(get().db)
    await fc.assert(
      fc.asyncProperty(fc.array(cellText.filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 20 }), async (texts) => {
        const values = texts.map((t) => `(${sqlLiteral(t)})`).join(', ')
        const stream = await sql
          .unsafe(`copy (select ${csvCellSql('text', 'v')}, ${csvCellSql('id', 'v')}, v from (values ${values}) x(v)) to stdout with (format csv)`)
          .readable()
        const chunks: Uint8Array[] = []
        await new Promise<void>((ok, fail) => {
          stream.on('data', (c: Uint8Array) => chunks.push(c))
          stream.once('end', () => {
            ;(stream as unknown as { _read(n: number): void })._read(0) // see copy-csv.ts resumeSocket
            ok()
          })
          stream.once('error', fail)
        })
        const crlf = new CrlfRecords()
        const got = Buffer.from(crlf.convert(chunks)).toString()
        // the raw column shows what csvCellSql is for: COPY writes an empty string as "" but NULL as nothing
        const raw = (t: string) => (t === '' ? '""' : csvEncode(t))
        expect(got).toBe(texts.map((t) => `${csvEncode(csvCell('text', t))},${csvEncode(csvCell('id', t))},${raw(t)}\r\n`).join(''))
      }),
      { numRuns: 60 },
    )
    const [{ ok }] = await sql`select 1 as ok`
    expect(ok).toBe(1)
  })
})

describeEachDb('CSV by COPY reads one snapshot', (get) => {
  it('orders added while the file is written are in neither the count nor the file', async () => {
    const { db } = get()
    const shopId = (await seedExportData(db, 40)).shop.id
    const f = parseExportFilter({ from: '2026-08-22', to: '2026-11-20', format: 'csv', template: 'order_list' }, { now: NOW, timeZone: TZ, shops: [{ id: shopId }] })
    // another writer copies every order of the shop under a new id, again and again, while the
    // export runs a COPY per order: without one snapshot, later pages would pick the copies up
    const names = Object.values(getTableColumns(orders)).map((c) => `"${c.name}"`)
    const copied = names.map((n) => (n === '"id"' ? `o.id || $2` : `o.${n}`))
    let stop = false
    let rounds = 0
    const writer = (async () => {
      while (!stop) {
        await clientOf(db).unsafe(`insert into orders (${names.join(', ')}) select ${copied.join(', ')} from orders o where o.shop_id = $1 and o.id not like '%c%'`, [shopId, `c${rounds++}`])
        await new Promise((ok) => setTimeout(ok, 1))
      }
    })()
    await new Promise((ok) => setTimeout(ok, 5))
    const r = await runExport({ db, filter: f, locale: 'en', batchOrders: 1 })
    stop = true
    await writer
    try {
      const { rows } = readCsv(r.path)
      const col = rows[0].findIndex((h) => /order id/i.test(h))
      expect(col).toBeGreaterThanOrEqual(0)
      expect(new Set(rows.slice(1).map((row) => row[col])).size).toBe(r.orders)
      expect(rows.length - 1).toBe(r.rows)
      expect(rounds).toBeGreaterThan(1)
    } finally {
      await discardExport([r])
    }
  }, 120_000)
})
