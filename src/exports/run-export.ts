/**
 * The export use case (flow 4), shared by every chat adapter and the CLI: count (R7) → stream the
 * rows from the database in batches into the CSV or xlsx writer → a temp file and what it holds →
 * one audit row. Nothing half-written: on any failure the temp files are removed.
 *
 * CSV comes page by page from COPY (the database writes the records, src/exports/copy-csv.ts);
 * xlsx from export rows read in batches (exceljs needs values, not text).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Db, Executor } from '../../db/database.js'
import type { Locale } from '../assistant/types.js'
import { audit } from '../audit/audit.js'
import { MAX_ORDERS, type ExportFilter } from './filters.js'
import { exportFileName } from './filename.js'
import { splitThatFits, tooManyOrders } from './limits.js'
import { copyCsvPage } from './copy-csv.js'
import { countOrders, exportBatches, pageEnds, type OrderKey } from './query.js'
import { TEMPLATES, templateTitle, type ExportRow } from './templates.js'
import { csvWriter, MIME, xlsxWriter, type CsvWriter, type ExportWriter } from './writers.js'

export interface ExportActor {
  /** e.g. telegram:123, discord:456, cli */
  key: string
  name?: string
  channelId?: number | null
}

export interface RunExportInput {
  db: Executor
  filter: ExportFilter
  locale: Locale
  /** overrides filter.timeZone for the times in the file */
  timeZone?: string
  /** (orders done, orders in total); first call after one second, then at most once a second */
  onProgress?: (done: number, total: number) => void
  actor?: ExportActor
  /** where temp files go (default: the OS temp folder) */
  dir?: string
  /** orders per database round trip (default 500 for rows, 2,500 for a CSV page by COPY) */
  batchOrders?: number
  /** CSV only: 'copy' (default) has the database write the records; 'rows' writes them from the
   * export rows in JS, the reference the tests hold COPY's output against */
  csvFrom?: 'copy' | 'rows'
  /** write the audit row (default true; a rewrite of an audited export into parts passes false) */
  audit?: boolean
}

export interface ExportSummary {
  orders: number
  rows: number
  template: ExportFilter['template']
  format: ExportFilter['format']
  status: ExportFilter['status']
  timeField: ExportFilter['timeField']
  from: string
  to: string
  timeZone: string
  shopIds: string[]
  /** one line for a chat caption */
  caption: { en: string; zh: string }
}

export interface ExportResult {
  /** a temp file; the caller (adapter) deletes it after sending */
  path: string
  filename: string
  mime: string
  rows: number
  orders: number
  sizeBytes: number
  summary: ExportSummary
}

const fmt = (n: number) => n.toLocaleString('en-US')

export function exportCaption(f: ExportFilter, orders: number, rows: number, part?: { index: number; count: number }) {
  const t = TEMPLATES[f.template]
  const range = f.label.from === f.label.to ? f.label.from : `${f.label.from} … ${f.label.to}`
  const p = part && part.count > 1 ? { en: ` · part ${part.index} of ${part.count}`, zh: ` · 第 ${part.index}/${part.count} 部分` } : { en: '', zh: '' }
  const rowsEn = rows !== orders ? ` · ${fmt(rows)} rows` : ''
  const rowsZh = rows !== orders ? ` · ${fmt(rows)} 行` : ''
  const statusZh: Record<string, string> = { all: '全部', unpaid: '未支付', awaiting_shipment: '待发货', shipped: '已发货', completed: '已完成', cancelling: '取消中', cancelled: '已取消' }
  return {
    en: `${fmt(orders)} ${orders === 1 ? 'order' : 'orders'}${rowsEn} · ${templateTitle(t, 'en')} · status ${f.status} · ${f.timeField} ${range} (${f.timeZone})${p.en}`,
    zh: `${fmt(orders)} 个订单${rowsZh} · ${templateTitle(t, 'zh-CN')} · 状态:${statusZh[f.status] ?? f.status} · ${f.timeField === 'paid' ? '付款时间' : '创建时间'} ${range}(${f.timeZone})${p.zh}`,
  }
}

function progressThrottle(onProgress: RunExportInput['onProgress'], total: number) {
  const started = performance.now()
  let last = 0
  let called = false
  return {
    tick(done: number) {
      if (!onProgress) return
      const now = performance.now()
      if (now - started < 1000 || now - last < 1000) return
      last = now
      called = true
      onProgress(done, total)
    },
    end(done: number) {
      if (onProgress && called) onProgress(done, total)
    },
  }
}

/**
 * One file with every row of the filter. Throws AppError('too_many') (count + a split that fits)
 * when more than 15,000 orders match.
 */
export async function runExport(input: RunExportInput): Promise<ExportResult> {
  const [only] = await writeExport(input)
  return only
}

/**
 * Runs `work` on one snapshot of the database: a read-only REPEATABLE READ transaction. On PGlite's
 * single connection other work waits for it: the whole CSV export, about half a second for 15,000
 * orders (bench/RESULTS.md). Inside a caller's transaction the work runs there, on that transaction's view.
 */
function inSnapshot<T>(db: Executor, work: (db: Executor) => Promise<T>): Promise<T> {
  if (!('$client' in db)) return work(db)
  return (db as Db).transaction((tx) => work(tx), { isolationLevel: 'repeatable read', accessMode: 'read only' })
}

/**
 * Like runExport, but starts a new file every `maxOrdersPerFile` orders (an order's rows never
 * straddle two files). Used to split a file that is too large to upload.
 */
export async function writeExport(input: RunExportInput, maxOrdersPerFile?: number): Promise<ExportResult[]> {
  const filter: ExportFilter = input.timeZone ? { ...input.filter, timeZone: input.timeZone } : input.filter
  const total = await countOrders(input.db, filter)
  if (total > MAX_ORDERS) throw tooManyOrders(filter, total, await splitThatFits(input.db, filter))

  const perFile = maxOrdersPerFile && maxOrdersPerFile > 0 ? maxOrdersPerFile : Number.POSITIVE_INFINITY
  const template = TEMPLATES[filter.template]
  const dir = join(input.dir ?? tmpdir(), `tts-export-${randomBytes(6).toString('hex')}`)
  await mkdir(dir, { recursive: true })
  const parts: { path: string; orders: number; rows: number }[] = []
  let writer: ExportWriter | null = null
  let current: { path: string; orders: number; rows: number } | null = null
  const progress = progressThrottle(input.onProgress, total)
  let doneOrders = 0
  let doneRows = 0

  let csv: CsvWriter | null = null
  const open = async () => {
    const path = join(dir, `part${parts.length + 1}.${filter.format}`)
    if (filter.format === 'csv') writer = csv = await csvWriter(path, template, input.locale)
    else writer = await xlsxWriter(path, template, input.locale)
    current = { path, orders: 0, rows: 0 }
    parts.push(current)
  }

  try {
    await open()
    if (filter.format === 'csv' && input.csvFrom !== 'rows') {
      // Pages end at known orders (and at every file's end), so each page's order count is known
      // before its COPY runs; its rows are the records COPY wrote. The plan and every page's COPY
      // read one snapshot (a read-only REPEATABLE READ transaction): an order added or changed
      // meanwhile is in none of them, so the orders counted are exactly the orders written.
      await inSnapshot(input.db, async (db) => {
        let after: OrderKey | null = null
        let before = 0
        const ends = await pageEnds(db, filter, Math.min(input.batchOrders ?? 2500, perFile), perFile)
        const planned = ends.length ? ends[ends.length - 1].n : 0
        if (planned > MAX_ORDERS) throw tooManyOrders(filter, planned, await splitThatFits(db, filter))
        for (const end of ends) {
          const orders = end.n - before
          if (current!.orders > 0 && current!.orders + orders > perFile) {
            await writer!.finish()
            await open()
          }
          const out = csv!
          const rows = await copyCsvPage(db, filter, input.locale, { after, upTo: end }, (chunk) => out.writeBytes(chunk))
          await out.drained()
          current!.orders += orders
          current!.rows += rows
          doneOrders += orders
          doneRows += rows
          progress.tick(doneOrders)
          after = end
          before = end.n
        }
      })
    } else {
      for await (const batch of exportBatches(input.db, filter, Math.min(input.batchOrders ?? 500, perFile))) {
        let pending: ExportRow[] = []
        let prev = ''
        for (const row of batch) {
          if (row.order_id !== prev) {
            prev = row.order_id
            if (current!.orders >= perFile) {
              await writer!.write(pending)
              pending = []
              await writer!.finish()
              await open()
            }
            current!.orders++
            doneOrders++
          }
          pending.push(row)
          current!.rows++
          doneRows++
        }
        await writer!.write(pending)
        progress.tick(doneOrders)
      }
    }
    await writer!.finish()
    writer = null
    progress.end(doneOrders)

    const results: ExportResult[] = []
    for (const [i, p] of parts.entries()) {
      const part = { index: i + 1, count: parts.length }
      const filename = exportFileName(filter, filter.format, part)
      const path = join(dir, filename)
      await rename(p.path, path)
      const { size } = await stat(path)
      results.push({
        path,
        filename,
        mime: MIME[filter.format],
        rows: p.rows,
        orders: p.orders,
        sizeBytes: size,
        summary: {
          orders: p.orders,
          rows: p.rows,
          template: filter.template,
          format: filter.format,
          status: filter.status,
          timeField: filter.timeField,
          from: filter.label.from,
          to: filter.label.to,
          timeZone: filter.timeZone,
          shopIds: filter.shopIds,
          caption: exportCaption(filter, p.orders, p.rows, part),
        },
      })
    }
    const actor = input.actor ?? { key: 'system' }
    if (input.audit !== false)
      await audit(input.db, {
      actor: actor.key,
      actorName: actor.name,
      channelId: actor.channelId ?? null,
      action: 'export',
      subject: `export:${filter.template}`,
      details: {
        shopIds: filter.shopIds,
        status: filter.status,
        timeField: filter.timeField,
        from: filter.from.toISOString(),
        to: filter.to.toISOString(),
        timeZone: filter.timeZone,
        template: filter.template,
        format: filter.format,
        orders: doneOrders,
        rows: doneRows,
        files: results.map((r) => ({ filename: r.filename, sizeBytes: r.sizeBytes })),
      },
    })
    return results
  } catch (err) {
    const w = writer as ExportWriter | null
    if (w) await w.abort().catch(() => {})
    await rm(dir, { recursive: true, force: true }).catch(() => {})
    throw err
  }
}

/** Removes the temp files of an export (the folder they were written in). */
export async function discardExport(results: { path: string }[]): Promise<void> {
  for (const r of results) await rm(join(r.path, '..'), { recursive: true, force: true }).catch(() => {})
}
