import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { eq } from 'drizzle-orm'
import { strFromU8, unzipSync } from 'fflate'
import { beforeAll, expect, it } from 'vitest'
import { channelShops, channels } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import type { Actor, ChannelRef } from '../../src/assistant/types.js'
import { runExportCli } from '../../src/cli/export.js'
import { loadConfig } from '../../src/config.js'
import { exportCommand } from '../../src/exports/command.js'
import { fitForUpload } from '../../src/exports/delivery.js'
import { parseExportFilter } from '../../src/exports/filters.js'
import { discardExport, runExport, writeExport } from '../../src/exports/run-export.js'
import { messageText } from '../../src/notifications/message.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { ShopPort } from '../../src/shop/port.js'
import { describeEachDb } from '../support/db.js'
import { readCsv, readXlsx } from './read.js'
import { NOW, seedExportData, TZ } from './seed.js'

const strip = (s: string) => s.replace(/^\uFEFF/, '')

describeEachDb('export delivery, chat command and CLI', (get) => {
  let shopId = ''
  const filter = (args: Record<string, string> = {}) =>
    parseExportFilter({ from: '2026-08-22', to: '2026-11-20', format: 'csv', ...args }, { now: NOW, timeZone: TZ, shops: [{ id: shopId }] })

  beforeAll(async () => {
    const { db } = get()
    shopId = (await seedExportData(get().db, 48)).shop.id
    void db
  }, 120_000)

  it('a file under the limit is sent as it is', async () => {
    const { db } = get()
    const input = { db, filter: filter(), locale: 'en' as const }
    const r = await runExport(input)
    const d = await fitForUpload(r, { limitBytes: r.sizeBytes, locale: 'en', rewrite: (n) => writeExport(input, n) })
    expect(d.note).toBeUndefined()
    expect(d.files).toEqual([expect.objectContaining({ path: r.path, filename: r.filename, sizeBytes: r.sizeBytes, mime: 'text/csv' })])
    await discardExport(d.files)
  })

  it('over the limit: zipped, and the zip holds the same bytes', async () => {
    const { db } = get()
    const input = { db, filter: filter(), locale: 'en' as const }
    const r = await runExport(input)
    const original = readFileSync(r.path)
    const d = await fitForUpload(r, { limitBytes: r.sizeBytes - 1, locale: 'zh-CN', platformName: 'Discord', rewrite: (n) => writeExport(input, n) })
    expect(d.files).toHaveLength(1)
    const f = d.files[0]
    expect(f.filename).toBe(r.filename.replace(/\.csv$/, '.zip'))
    expect(f.mime).toBe('application/zip')
    expect(f.sizeBytes).toBeLessThan(r.sizeBytes)
    expect(statSync(f.path).size).toBe(f.sizeBytes)
    const entries = unzipSync(new Uint8Array(readFileSync(f.path)))
    expect(Object.keys(entries)).toEqual([r.filename])
    expect(Buffer.from(entries[r.filename]).equals(original)).toBe(true)
    expect(d.note?.zh).toContain('zip')
    expect(existsSync(r.path)).toBe(false) // the unzipped temp file is gone
    await discardExport(d.files)
  })

  it('still over the limit when zipped: split into parts of whole orders, each under the limit', async () => {
    const { db } = get()
    const input = { db, filter: filter({ format: 'xlsx', template: 'order_sku_list' }), locale: 'en' as const }
    const r = await runExport(input)
    const all = readXlsx(r.path).rows
    const limit = 12_000
    expect(r.sizeBytes).toBeGreaterThan(limit)
    const d = await fitForUpload(r, { limitBytes: limit, locale: 'en', platformName: 'Discord', rewrite: (n) => writeExport(input, n) })
    expect(d.files.length).toBeGreaterThan(1)
    expect(d.note?.en).toContain(`sent in ${d.files.length} parts of whole orders`)
    const seen: string[] = []
    for (const [i, f] of d.files.entries()) {
      expect(f.sizeBytes).toBeLessThanOrEqual(limit)
      expect(f.filename).toContain(`_part${i + 1}of${d.files.length}`)
      expect(f.caption).toContain(`part ${i + 1} of ${d.files.length}`)
      let rows = f.filename.endsWith('.zip') ? null : readXlsx(f.path).rows
      if (!rows) {
        const entries = unzipSync(new Uint8Array(readFileSync(f.path)))
        const tmp = join(dirname(f.path), 'unzipped.xlsx')
        const { writeFileSync } = await import('node:fs')
        writeFileSync(tmp, Object.values(entries)[0])
        rows = readXlsx(tmp).rows
      }
      expect(rows[0].map((c) => c?.v)).toEqual(all[0].map((c) => c?.v)) // every part has the header
      const ids = rows.slice(1).map((row) => String(row[0]?.v))
      // no order straddles two parts
      for (const id of new Set(ids)) expect(seen).not.toContain(id)
      seen.push(...ids)
    }
    expect(seen).toEqual(all.slice(1).map((row) => String(row[0]?.v)))
    await discardExport(d.files)
  })

  it('a limit nothing can fit is a clear error, not a silent failure', async () => {
    const { db } = get()
    const input = { db, filter: filter(), locale: 'en' as const }
    const r = await runExport(input)
    await expect(fitForUpload(r, { limitBytes: 300, locale: 'en', rewrite: (n) => writeExport(input, n) })).rejects.toThrow(/upload limit/)
  })

  const actor: Actor = { platform: 'discord', userId: '42', displayName: 'Ada' }
  async function assistant(ref: ChannelRef, locale: 'en' | 'zh-CN' = 'en') {
    const { db } = get()
    const a = createAssistant({
      db,
      clock: new ManualClock(NOW),
      logger: silentLogger,
      shop: {} as ShopPort,
      defaults: { locale, timeZone: TZ },
      handlers: { export: exportCommand },
    })
    await a.handle(ref, actor, { name: 'help' }) // creates the channel
    const [ch] = await db.select().from(channels).where(eq(channels.externalId, ref.externalId))
    await db.insert(channelShops).values({ channelId: ch.id, shopId, linkedBy: 'test' }).onConflictDoNothing()
    return a
  }

  it('the /export command: a viewer gets the file with a caption; over the Discord limit it comes zipped with a note', async () => {
    const a = await assistant({ platform: 'discord', externalId: 'exp-1', uploadLimitBytes: 20_000 })
    const reply = await a.handle({ platform: 'discord', externalId: 'exp-1', uploadLimitBytes: 20_000 }, actor, {
      name: 'export',
      args: { status: 'all', from: '2026-10-01', to: '2026-11-20', template: 'order_sku_list', format: 'csv' },
    })
    expect(reply.ok).toBe(true)
    expect(reply.files).toHaveLength(1)
    const text = messageText(reply.message)
    expect(text).toMatch(/\d+ orders · \d+ rows · Order SKU list · status all · created 2026-10-01 … 2026-11-20 \(Asia\/Shanghai\)/)
    expect(text).toContain('sent zipped')
    expect(reply.files![0].filename).toMatch(/\.zip$/)
    expect(reply.files![0].sizeBytes).toBeLessThanOrEqual(20_000)
    await discardExport(reply.files!)
  })

  it('the /export command answers bad filters and "no orders" with one message in the channel language', async () => {
    const a = await assistant({ platform: 'telegram', externalId: 'exp-2' }, 'zh-CN')
    const ref = { platform: 'telegram' as const, externalId: 'exp-2' }
    const bad = await a.handle(ref, actor, { name: 'export', args: { status: '发货了' } })
    expect(bad.ok).toBe(false)
    expect(bad.files).toBeUndefined()
    expect(messageText(bad.message)).toContain('未知的订单状态“发货了”')
    const old = await a.handle(ref, actor, { name: 'export', args: { from: '2026-08-01' } })
    expect(messageText(old.message)).toContain('只能导出最近 90 天的订单')
    const none = await a.handle(ref, actor, { name: 'export', args: { status: 'unpaid', time: 'paid' } })
    expect(none.ok).toBe(true)
    expect(none.files).toBeUndefined()
    expect(messageText(none.message)).toContain('没有符合条件的订单')
    const ok = await a.handle(ref, actor, { name: 'export', args: { status: '待发货', format: 'xlsx' } })
    expect(ok.files).toHaveLength(1)
    expect(ok.files![0].filename).toMatch(/_awaiting-shipment_created_2026-11-14_2026-11-20\.xlsx$/)
    await discardExport(ok.files!)
  })

  it('the CLI: exit 0 with the file, 2 with one message on bad filters', async () => {
    const { db } = get()
    const dir = mkdtempSync(join(tmpdir(), 'h4-cli-'))
    const lines: { out: string[]; err: string[] } = { out: [], err: [] }
    const ctx = {
      config: loadConfig({ DEFAULT_TIME_ZONE: TZ }),
      db,
      clock: new ManualClock(NOW),
      out: (l: string) => lines.out.push(l),
      err: (l: string) => lines.err.push(l),
    }
    try {
      const out = join(dir, 'orders.csv')
      const code = await runExportCli(['--status', 'shipped', '--time', 'paid', '--from', '2026-09-01', '--to', '2026-11-20', '--template', 'order_list', '--shop', shopId, '--out', out], ctx)
      expect(lines.err).toEqual([])
      expect(code).toBe(0)
      const { bom, rows } = readCsv(out)
      expect(bom).toBe(true)
      expect(rows.length).toBeGreaterThan(1)
      expect(new Set(rows.slice(1).map((r) => r[1]))).toEqual(new Set(['Shipped']))
      expect(lines.out[0]).toContain(out)

      const cases: [string[], RegExp][] = [
        [['--status', 'nope', '--out', out], /Unknown status "nope"/],
        [['--from', '2026-11-19', '--to', '2026-11-10', '--out', out], /from \(2026-11-19\) is after to \(2026-11-10\)/],
        [['--from', '2026-08-21', '--out', out], /only orders of the last 90 days/],
        [['--from', '2026/13/01', '--out', out], /YYYY-MM-DD/],
        [['--shop', '1', '--out', out], /not one this channel follows/],
        [['--status', 'all'], /--out FILE is required/],
        [['--bogus', '1', '--out', out], /Unknown option/],
      ]
      for (const [argv, re] of cases) {
        lines.err = []
        expect(await runExportCli(argv, ctx), argv.join(' ')).toBe(2)
        expect(lines.err[0], argv.join(' ')).toMatch(re)
      }
      // the format follows --out when not given
      const x = join(dir, 'o.xlsx')
      expect(await runExportCli(['--out', x, '--from', '2026-11-01'], ctx)).toBe(0)
      expect(readXlsx(x).rows.length).toBeGreaterThan(1)
      expect(strip(readFileSync(out, 'utf8')).startsWith('Order ID,')).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
