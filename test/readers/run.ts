/**
 * `npm run test:readers`: writes sample exports (every template, CSV and xlsx, English and Chinese
 * headers) from seeded data with Chinese text, emoji, commas, quotes, newlines, formula starters
 * and 18-digit IDs, and reads them back with Debian's readers, comparing every cell with the
 * database:
 *   - Python's openpyxl (/usr/bin/python3, package python3-openpyxl): xlsx cells and types;
 *   - Python's csv module: the CSV (BOM, neutralised formulas, exact IDs);
 *   - LibreOffice headless (libreoffice-calc-nogui), when installed: xlsx → CSV as shown, and our
 *     CSV read as UTF-8 text → CSV.
 * And the other way: stock files written by openpyxl, Python's csv module (GB18030) and LibreOffice
 * are read by our stock file reader; and our stock sheet (/stock export) by all three.
 * Exits 1 on any mismatch, 3 when openpyxl is missing; says so when LibreOffice is missing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase, type Database } from '../../db/database.js'
import { applyMigrations } from '../../db/migrate.js'
import type { Locale } from '../../src/assistant/types.js'
import { parseExportFilter, TEMPLATE_NAMES } from '../../src/exports/filters.js'
import { runExport } from '../../src/exports/run-export.js'
import { headerOf, TEMPLATES, templateTitle } from '../../src/exports/templates.js'
import { readStockFile } from '../../src/inventory/stock-file.js'
import { importStock } from '../../src/inventory/stock.js'
import { stockSheetFile, stockSheetRows } from '../../src/inventory/stock-sheet.js'
import { neutraliseFormula } from '../../src/exports/writers.js'
import { stockLevels } from '../../db/schema.js'
import { expectedRows } from '../exports/expected.js'
import { markSomePrinted, NOW, seedExportData, TZ } from '../exports/seed.js'
import { seedShop } from '../support/fixtures.js'

const PY = '/usr/bin/python3'
const here = fileURLToPath(new URL('.', import.meta.url))
const checker = join(here, 'check.py')
let passed = 0
let failed = 0

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
  return spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, timeout: 180_000 })
}

function report(name: string, r: ReturnType<typeof run>) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  if (r.status === 0) {
    passed++
    console.log(out || `ok  ${name}`)
  } else {
    failed++
    console.log(`FAIL ${name}\n${out || r.error?.message || ''}`)
  }
}

function check(mode: string, expected: string, file: string) {
  report(`${mode} ${file}`, run(PY, [checker, mode, expected, file]))
}

const openpyxlOk = existsSync(PY) && run(PY, ['-c', 'import openpyxl']).status === 0
if (!openpyxlOk) {
  console.log('READER NOT INSTALLED: openpyxl for /usr/bin/python3 (install with: apt-get install -y python3-openpyxl)')
  process.exit(3)
}
const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p))
if (!soffice) console.log('READER NOT INSTALLED: LibreOffice (apt-get install -y libreoffice-calc-nogui); its checks are not run')

const work = mkdtempSync(join(tmpdir(), 'tts-readers-'))
const loHome = join(work, 'lo-home')
mkdirSync(loHome)

/** Reports whether `got` is `want` (as JSON); `detail` is added to the line of a pass. */
function reportSame(name: string, got: unknown, want: unknown, detail = '') {
  const ok = JSON.stringify(got) === JSON.stringify(want)
  const stdout = ok ? `ok  ${name}${detail}` : `read ${JSON.stringify(got).slice(0, 2000)}\nwanted ${JSON.stringify(want).slice(0, 2000)}`
  report(name, { status: ok ? 0 : 1, stdout, stderr: '' } as ReturnType<typeof run>)
}

/** LibreOffice headless conversion to CSV (UTF-8, comma, quote all text) into `outDir`. */
function loToCsv(input: string, outDir: string, importFilter?: string) {
  mkdirSync(outDir, { recursive: true })
  const args = ['--headless', '--norestore', '--nolockcheck']
  if (importFilter) args.push(`--infilter=${importFilter}`)
  args.push('--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false', '--outdir', outDir, input)
  const r = run(soffice!, args, { ...process.env, HOME: loHome })
  const made = readdirSync(outDir).find((f) => f.endsWith('.csv'))
  return { r, file: made ? join(outDir, made) : undefined }
}

/**
 * Stock files other tools wrote, read by ours (src/inventory/stock-file.ts): openpyxl's workbook,
 * Python's csv module in GB18030 (Excel's CSV on a Chinese Windows), and LibreOffice's xlsx made from
 * a CSV, its SKU column typed text (a SKU of digits keeps its leading zeros).
 */
async function stockFiles() {
  const rows = [['卖家SKU', '库存', '备注'], ['TOTE-BLU', 12, 'restock, 到货'], ['手机壳-黑', 3, ''], ['00123', 0, 'x']]
  const want = [
    { line: 2, sku: 'TOTE-BLU', quantity: '12', add: '' },
    { line: 3, sku: '手机壳-黑', quantity: '3', add: '' },
    { line: 4, sku: '00123', quantity: '0', add: '' },
  ]
  const dir = join(work, 'stock')
  mkdirSync(dir)
  const made = run(PY, [join(here, 'stock_files.py'), dir, JSON.stringify(rows)])
  if (made.status !== 0) return report('stock files written by Python', made)
  const files = ['stock-openpyxl.xlsx', 'stock-gbk.csv']
  if (soffice) {
    const lo = run(soffice, ['--headless', '--norestore', '--nolockcheck', '--infilter=CSV:44,34,76,1,1/2/2/1/3/2', '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', join(dir, 'lo'), join(dir, 'stock-utf8.csv')], { ...process.env, HOME: loHome })
    if (!existsSync(join(dir, 'lo', 'stock-utf8.xlsx'))) report('LibreOffice stock-utf8.csv → xlsx', { ...lo, status: 1 })
    else files.push('lo/stock-utf8.xlsx')
  }
  for (const f of files) {
    try {
      const got = await readStockFile(f, readFileSync(join(dir, f)))
      reportSame(`stock file ${f}`, got, want, ` (${got.length} rows)`)
    } catch (err) {
      report(`stock file ${f}`, { status: 1, stdout: `${(err as Error).message}`, stderr: '' } as ReturnType<typeof run>)
    }
  }
}

/**
 * The stock sheet we write (/stock export), read by openpyxl (xlsx), Python's csv module (our CSV)
 * and LibreOffice (xlsx → CSV as shown), both languages, with a SKU that starts like a formula:
 * every cell as the data says, the SKU neutralised in the CSV only.
 */
async function stockSheets(db: Database['db'], shopId: string) {
  await db.insert(stockLevels).values([
    { shopId, sellerSku: '=SUM(A1)', onHand: 3, updatedAt: NOW, updatedBy: 'readers' },
    { shopId, sellerSku: '00123', onHand: 0, updatedAt: NOW, updatedBy: 'readers' },
  ])
  const list = await stockSheetRows(db, shopId, NOW)
  const dir = join(work, 'stock-sheet')
  mkdirSync(dir)
  const same = (name: string, got: unknown, want: unknown) => reportSame(name, got, want, ` (${list.length} SKUs)`)
  const read = (mode: 'xlsx' | 'csv', file: string) => {
    const r = run(PY, [join(here, 'stock_sheet_read.py'), mode, file])
    if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`)
    return JSON.parse(r.stdout) as unknown[][]
  }
  for (const locale of ['en', 'zh-CN'] as Locale[]) {
    const head = locale === 'en' ? ['seller_sku', 'quantity', 'product', 'reserved', 'available'] : ['卖家SKU', '库存', '商品名称', '已占用', '可用']
    const typed = [head, ...list.map((r) => [r.sku, r.onHand, r.product, r.reserved, r.available])]
    const asText = typed.map((row, i) => row.map((v, j) => (v === null ? '' : i > 0 && j === 0 ? neutraliseFormula(String(v)) : String(v))))
    for (const format of ['xlsx', 'csv'] as const) {
      const file = join(dir, `stock-${locale}.${format}`)
      writeFileSync(file, (await stockSheetFile(list, format, locale)).bytes)
      try {
        // openpyxl gives an empty cell as null, numbers as numbers; csv gives every cell as written
        same(`stock sheet ${format === 'xlsx' ? 'openpyxl' : 'csv'}: ${locale}`, read(format, file), format === 'xlsx' ? typed.map((row) => row.map((v) => (v === '' ? null : v))) : asText)
        if (soffice && format === 'xlsx') {
          const { r: lo, file: out } = loToCsv(file, join(dir, `lo-${locale}`))
          if (!out) report(`LibreOffice convert ${file}`, { ...lo, status: 1 })
          else same(`stock sheet LibreOffice: ${locale}`, read('csv', out), typed.map((row) => row.map((v) => (v === null ? '' : String(v)))))
        }
      } catch (err) {
        report(`stock sheet ${format} ${locale}`, { status: 1, stdout: (err as Error).message, stderr: '' } as ReturnType<typeof run>)
      }
    }
  }
}

/**
 * Our stock sheet as CSV, opened by LibreOffice as a seller would open it (column types detected:
 * 00123 becomes the number 123) and saved again, then sent back: the SKU that lost its leading zeros
 * is imported as the shop's 00123 and said so, not as a new SKU (importStock, zerosMatch).
 */
async function sheetWithoutZeros(db: Database['db']) {
  const shop = await seedShop(db)
  await db.insert(stockLevels).values([
    { shopId: shop.id, sellerSku: '00123', onHand: 4, updatedAt: NOW, updatedBy: 'readers' },
    { shopId: shop.id, sellerSku: 'TOTE-BLU', onHand: 5, updatedAt: NOW, updatedBy: 'readers' },
  ])
  const dir = join(work, 'stock-zeros')
  mkdirSync(dir)
  const file = join(dir, 'stock.csv')
  writeFileSync(file, (await stockSheetFile(await stockSheetRows(db, shop.id, NOW), 'csv', 'en')).bytes)
  // UTF-8, comma, first line 1, every column "standard": LibreOffice detects numbers
  const { r: lo, file: out } = loToCsv(file, join(dir, 'lo'), 'CSV:44,34,76,1')
  if (!out) return report('LibreOffice stock sheet → CSV', { ...lo, status: 1 })
  const name = 'stock sheet saved by LibreOffice (00123 → 123), imported back'
  try {
    const rows = await readStockFile('stock.csv', readFileSync(out))
    const r = await importStock(db, { shopId: shop.id, rows, actor: 'readers', now: NOW })
    const got = { skus: rows.map((x) => x.sku), renamed: r.renamed, fresh: r.fresh, changes: r.changes }
    const want = {
      skus: ['123', 'TOTE-BLU'],
      renamed: [{ line: 2, from: '123', to: '00123', why: 'zeros' }],
      fresh: [],
      changes: [{ sku: '00123', before: 4, after: 4 }, { sku: 'TOTE-BLU', before: 5, after: 5 }],
    }
    reportSame(name, got, want)
  } catch (err) {
    report(name, { status: 1, stdout: (err as Error).message, stderr: '' } as ReturnType<typeof run>)
  }
}

const database = await openDatabase({ dataDir: 'memory://' })
try {
  await applyMigrations(database)
  const { db } = database
  const { shop } = await seedExportData(db, 48)
  await markSomePrinted(db, shop.id)
  for (const template of TEMPLATE_NAMES) {
    for (const locale of ['zh-CN', 'en'] as Locale[]) {
      const cols = TEMPLATES[template].columns
      const base = parseExportFilter({ from: '2026-08-22', to: '2026-11-20', template }, { now: NOW, timeZone: TZ, shops: [{ id: shop.id }] })
      const rows = await expectedRows(db, base, cols.map((c) => c.key), locale)
      const expected = join(work, `${template}-${locale}.json`)
      writeFileSync(
        expected,
        JSON.stringify({
          sheet: templateTitle(TEMPLATES[template], locale),
          headers: cols.map((c) => headerOf(c, locale)),
          columns: cols.map((c) => ({ key: c.key, type: c.type })),
          rows,
        }),
      )
      for (const format of ['xlsx', 'csv'] as const) {
        const r = await runExport({ db, filter: { ...base, format }, locale })
        const file = join(work, `${template}-${locale}.${format}`)
        renameSync(r.path, file)
        rmSync(join(r.path, '..'), { recursive: true, force: true })
        if (format === 'xlsx') check('openpyxl', expected, file)
        else check('csv', expected, file)
        if (!soffice) continue
        if (format === 'xlsx') {
          const { r: lo, file: out } = loToCsv(file, join(work, `lo-${template}-${locale}-xlsx`))
          if (!out) report(`LibreOffice convert ${file}`, { ...lo, status: 1 })
          else check('lo-xlsx', expected, out)
        } else {
          // read our CSV as UTF-8 (76) with every column typed text (2), as a seller would import it
          const types = cols.map((_, i) => `${i + 1}/2`).join('/')
          const { r: lo, file: out } = loToCsv(file, join(work, `lo-${template}-${locale}-csv`), `CSV:44,34,76,1,${types}`)
          if (!out) report(`LibreOffice convert ${file}`, { ...lo, status: 1 })
          else check('lo-csv', expected, out)
        }
      }
    }
  }
  await stockFiles()
  await stockSheets(db, shop.id)
  if (soffice) await sheetWithoutZeros(db)
} finally {
  await database.close()
  if (failed === 0) rmSync(work, { recursive: true, force: true })
  else console.log(`files kept for inspection in ${work}`)
}
console.log(`readers: ${passed} passed, ${failed} failed${soffice ? '' : ' (LibreOffice not installed: its checks were not run)'}`)
process.exit(failed ? 1 : 0)
