/**
 * Foundation figures: ingest rate of 10,000 platform orders on each database (each order in its
 * own transaction, as a webhook or sync delivers it), and the worst event-loop stall on the main
 * thread while a heavy query runs on the embedded database (PGlite runs in a worker thread).
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../db/database.js'
import { shops } from '../db/schema.js'
import { ingestOrder } from '../src/orders/ingest.js'
import type { PlatformOrder } from '../src/orders/platform-order.js'
import type { BenchModule, Figure } from './run.js'
import { benchPglite, benchPostgres, worstStall } from './support/databases.js'

const N = 10_000
const CONCURRENCY = 8

function order(i: number): PlatformOrder {
  const t = 1_763_000_000 + i * 30
  const id = String(576_000_000_000_000_000n + BigInt(i))
  return {
    id,
    status: 'AWAITING_SHIPMENT',
    create_time: t - 60,
    paid_time: t,
    update_time: t,
    buyer_message: i % 7 ? '' : '请尽快发货 🙏',
    payment: { currency: 'USD', sub_total: '30.00', shipping_fee: '4.99', total_amount: '34.99' },
    recipient_address: { name: 'Buyer', full_address: '1 Main St', postal_code: '90001' },
    line_items: [
      { id: id + '1', sku_id: '17290' + (i % 50), seller_sku: 'SKU-' + (i % 50), product_name: '手机壳 case', sale_price: '15.00' },
      { id: id + '2', sku_id: '17290' + (i % 50), seller_sku: 'SKU-' + (i % 50), product_name: '手机壳 case', sale_price: '15.00' },
    ],
  }
}

async function ingestRate(database: Database): Promise<number> {
  await database.db.insert(shops).values({ id: 'bench-shop', name: 'Bench' }).onConflictDoNothing()
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++
        await database.db.transaction((tx) => ingestOrder(tx, 'bench-shop', order(i)))
      }
    }),
  )
  return N / ((performance.now() - t0) / 1000)
}

const bench: BenchModule = {
  title: 'Order ingest and event-loop stall (foundation)',
  async run() {
    const figures: Figure[] = []
    const lite = await benchPglite()
    try {
      figures.push({ name: `ingest ${N} orders, PGlite (worker)`, value: await ingestRate(lite), unit: 'orders/s' })
      // a heavy query: aggregate over every line item joined to its order, plus a big sort
      const { worstMs, result } = await worstStall(async () => {
        const t = performance.now()
        await lite.db.execute(sql`select o.shop_id, li.seller_sku, count(*), sum(li.sale_price) from orders o join order_line_items li on li.order_id = o.id group by 1, 2`)
        await lite.db.execute(sql`select count(*) from (select md5(i::text) m from generate_series(1, 1500000) i order by 1) x`)
        return performance.now() - t
      })
      figures.push({ name: 'heavy query on PGlite, duration', value: result, unit: 'ms' })
      figures.push({ name: 'worst main-thread event-loop stall during it', value: worstMs, unit: 'ms', goal: '< 100 ms', ok: worstMs < 100 })
    } finally {
      await lite.close()
    }
    const pg = await benchPostgres('ingest')
    try {
      figures.push({ name: `ingest ${N} orders, PostgreSQL`, value: await ingestRate(pg), unit: 'orders/s' })
    } finally {
      await pg.close()
    }
    return figures
  },
}
export default bench
