import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { beforeAll, expect, it } from 'vitest'
import { parseExportFilter } from '../../src/exports/filters.js'
import { splitThatFits, type SplitRange } from '../../src/exports/limits.js'
import { countOrders } from '../../src/exports/query.js'
import { discardExport, runExport } from '../../src/exports/run-export.js'
import { isAppError, type AppError } from '../../src/shared/errors.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'

const NOW = new Date('2026-11-20T04:30:00Z')
const TZ = 'Asia/Shanghai'

describeEachDb('export limits (R7)', (get) => {
  let shopId = ''
  const ctx = () => ({ now: NOW, timeZone: TZ, shops: [{ id: shopId }] })
  const args = { status: 'awaiting_shipment', from: '2026-11-01', to: '2026-11-20', template: 'order_list', format: 'csv' }

  beforeAll(async () => {
    const { db } = get()
    shopId = (await seedShop(db, { id: '7495000000000000099' })).id
    // 15,001 awaiting-shipment orders over 5 days (one multi-row INSERT), plus 50 shipped ones
    await db.execute(sql`
      insert into orders (id, shop_id, platform_status, status, create_time, paid_time, update_time)
      select (576000000000000000 + g)::text, ${shopId},
        case when g <= 15001 then 'AWAITING_SHIPMENT' else 'IN_TRANSIT' end,
        case when g <= 15001 then 'awaiting_shipment' else 'shipped' end,
        t, t + interval '1 hour', t
      from (select g, '2026-11-09T16:00:00Z'::timestamptz + (g % 5) * interval '1 day' + (g % 1440) * interval '1 minute' as t
            from generate_series(1, 15051) g) x`)
  }, 120_000)

  async function tooMany(a: Record<string, string>, dir?: string): Promise<AppError> {
    const { db } = get()
    try {
      const r = await runExport({ db, filter: parseExportFilter(a, ctx()), locale: 'en', dir })
      await discardExport([r])
    } catch (err) {
      if (isAppError(err, 'too_many')) return err
      throw err
    }
    throw new Error('expected too_many')
  }

  async function checkRanges(ranges: SplitRange[], cap: number, total: number) {
    const { db } = get()
    let sum = 0
    for (const r of ranges) {
      // each range, typed back as a filter, holds what the message says and fits
      const n = await countOrders(db, parseExportFilter({ ...args, from: r.from, to: r.to }, ctx()))
      expect(n, `${r.from} … ${r.to}`).toBe(r.orders)
      expect(n).toBeLessThanOrEqual(cap)
      sum += n
    }
    expect(sum).toBe(total)
  }

  it('15,001 matching orders: no file, and a message with the count and a split that fits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h4-limits-'))
    try {
      const err = await tooMany(args, dir)
      expect(readdirSync(dir)).toEqual([]) // nothing written
      expect(err.params.count).toBe(15_001)
      expect(err.message).toMatch(/^15,001 orders match, more than the 15,000 one export can hold\. Export in 2 parts, by created time: 2026-11-01 … 2026-11-1\d \([\d,]+ orders\); 2026-11-1\d … 2026-11-20 \([\d,]+ orders\)\.$/)
      expect(String(err.params.zh)).toContain('15,001')
      const ranges = err.params.ranges as SplitRange[]
      expect(ranges).toHaveLength(2)
      await checkRanges(ranges, 15_000, 15_001)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a day that alone is over the cap is split by hours', async () => {
    const { db } = get()
    const f = parseExportFilter(args, ctx())
    const ranges = await splitThatFits(db, f, 1_000)
    expect(ranges.length).toBeGreaterThanOrEqual(16)
    expect(ranges.some((r) => /T\d\d:00$/.test(r.to))).toBe(true)
    await checkRanges(ranges, 1_000, 15_001)
  })

  it('exactly 15,000 is allowed', async () => {
    const { db } = get()
    // move one order out of the filter: 15,000 remain
    await db.execute(sql`update orders set status = 'completed' where shop_id = ${shopId} and id in (select id from orders where shop_id = ${shopId} and status = 'awaiting_shipment' order by id limit 1)`)
    try {
      const all = parseExportFilter(args, ctx())
      expect(await countOrders(db, all)).toBe(15_000)
      const r = await runExport({ db, filter: all, locale: 'en' })
      expect(r.orders).toBe(15_000)
      expect(r.rows).toBe(15_000)
      await discardExport([r])
    } finally {
      await db.execute(sql`update orders set status = 'awaiting_shipment' where shop_id = ${shopId} and status = 'completed'`)
    }
  }, 180_000)
})
