/**
 * The export's SQL: one statement per template, read in keyset-paged batches of orders so memory
 * stays flat and other queries (the bot's work) run between batches. The same statement without
 * paging is what the benchmark hands to COPY.
 *
 * Times come back as wall-clock text in the export's zone (the database converts them), money as
 * exact numeric text, IDs as text.
 */
import type postgres from 'postgres'
import type { Executor } from '../../db/database.js'
import type { ExportFilter, TimeField } from './filters.js'
import type { ExportRow } from './templates.js'

export const TIME_COLUMN: Record<TimeField, string> = { created: 'create_time', paid: 'paid_time' }

export interface Statement {
  text: string
  params: unknown[]
}

type Client = postgres.Sql
/** The postgres.js client behind a drizzle handle (both databases are reached through it). */
export const clientOf = (db: Executor): Client => (db as unknown as { $client?: Client; session?: { client: Client } }).$client
  ?? (db as unknown as { session: { client: Client } }).session.client

/** WHERE clause of the filter over `orders o`; pushes its params. */
export function filterWhere(f: ExportFilter, params: unknown[], alias = 'o'): string {
  const t = `${alias}.${TIME_COLUMN[f.timeField]}`
  params.push(f.shopIds.join(','), f.from.toISOString(), f.to.toISOString())
  const n = params.length
  let where = `${alias}.shop_id = any(string_to_array($${n - 2}::text, ',')) and ${t} >= $${n - 1}::timestamptz and ${t} < $${n}::timestamptz`
  if (f.status !== 'all') {
    params.push(f.status)
    where += ` and ${alias}.status = $${params.length}::text`
  }
  return where
}

const wall = (expr: string, tz: string) => `to_char(${expr} at time zone ${tz}, 'YYYY-MM-DD HH24:MI:SS')`

function orderColumns(tzParam: string, tcol: string): string {
  return `o.id as order_id, o.shop_id, o.status, o.platform_status, o.order_type, o.buyer_user_id, o.buyer_message,
  o.seller_note, o.payment_method_name, o.currency, o.sub_total, o.shipping_fee, o.seller_discount, o.platform_discount,
  o.total_amount, o.original_total_product_price, o.original_shipping_fee, o.shipping_fee_seller_discount,
  o.shipping_fee_platform_discount, o.tax, o.retail_delivery_fee,
  ${wall('o.create_time', tzParam)} as created_at, ${wall('o.paid_time', tzParam)} as paid_at,
  ${wall('o.rts_time', tzParam)} as rts_at, ${wall('o.collection_time', tzParam)} as shipped_at,
  ${wall('o.delivery_time', tzParam)} as delivered_at, ${wall('o.cancel_time', tzParam)} as cancelled_at,
  o.cancel_reason, o.cancellation_initiator, o.fulfillment_type, o.shipping_type, o.delivery_option_name,
  o.shipping_provider, o.tracking_number, o.warehouse_id, o.recipient_name, o.recipient_phone,
  o.recipient_full_address, o.recipient_address_detail, o.recipient_postal_code,
  o.recipient_levels->>0 as l0, o.recipient_levels->>1 as l1, o.recipient_levels->>2 as l2,
  o.recipient_levels->>3 as l3, o.recipient_levels->>4 as l4,
  o.pick_list_printed_at is not null as pick_list_printed, o.label_printed_at is not null as label_printed,
  o.${tcol}::text as k_t`
}

export interface StatementOptions {
  /** keyset paging: rows of orders after (k_t, id), at most `limit` orders; params appended */
  page?: { afterT: string | null; afterId: string | null; limit: number }
}

/**
 * The rows of one template for the filter, ordered by the chosen time, then order id, then SKU /
 * package. With `page`, only the next `limit` orders after the given position.
 */
export function exportStatement(f: ExportFilter, opts: StatementOptions = {}): Statement {
  const params: unknown[] = []
  const tcol = TIME_COLUMN[f.timeField]
  const where = filterWhere(f, params, 'x')
  params.push(f.timeZone)
  const tz = `$${params.length}::text`
  let keyset = ''
  let limit = ''
  if (opts.page) {
    if (opts.page.afterT !== null) {
      params.push(opts.page.afterT, opts.page.afterId)
      keyset = ` and (x.${tcol}, x.id) > ($${params.length - 1}::timestamptz, $${params.length}::text)`
    }
    params.push(opts.page.limit)
    limit = ` limit $${params.length}::int`
  }
  const picked = `picked as (select x.* from orders x where ${where}${keyset} order by x.${tcol}, x.id${limit})`
  const cols = orderColumns(tz, tcol)
  let text: string
  switch (f.template) {
    case 'order_list':
      text = `with ${picked}
select ${cols}, (select count(*)::int from order_line_items li where li.order_id = o.id) as item_count
from picked o
order by o.${tcol}, o.id`
      break
    case 'package_list':
      text = `with ${picked}
select ${cols}, 0 as item_count, p.id as package_id, p.status as package_status, p.tracking_number as package_tracking,
  p.shipping_provider_name as package_carrier,
  case when p.id is null then null else
    (select count(*)::int from order_line_items li where li.order_id = o.id and li.package_id = p.id) end as package_items
from picked o
left join order_packages op on op.order_id = o.id
left join packages p on p.id = op.package_id
order by o.${tcol}, o.id, p.id`
      break
    case 'order_sku_list':
      text = `with ${picked}
select ${cols}, coalesce(s.quantity, 0) as item_count, s.sku_id, s.seller_sku, s.product_name, s.sku_name, s.quantity,
  s.unit_original_price, s.sku_subtotal_before, s.sku_seller_discount, s.sku_platform_discount, s.sku_subtotal_after,
  s.sku_package_ids, s.sku_package_status, s.sku_tracking, s.sku_carrier
from picked o
left join lateral (
  select li.sku_id, min(li.seller_sku) as seller_sku, min(li.product_name) as product_name, min(li.sku_name) as sku_name,
    count(*)::int as quantity, max(li.original_price) as unit_original_price,
    sum(li.original_price) as sku_subtotal_before, sum(li.seller_discount) as sku_seller_discount,
    sum(li.platform_discount) as sku_platform_discount, sum(li.sale_price) as sku_subtotal_after,
    string_agg(distinct li.package_id, ',') as sku_package_ids,
    string_agg(distinct nullif(li.package_status, ''), ',') as sku_package_status,
    string_agg(distinct nullif(li.tracking_number, ''), ',') as sku_tracking,
    string_agg(distinct nullif(li.shipping_provider_name, ''), ',') as sku_carrier,
    min(li.id) as first_line
  from order_line_items li where li.order_id = o.id group by li.sku_id
) s on true
order by o.${tcol}, o.id, s.first_line`
      break
  }
  return { text, params }
}

/** How many orders match (R7 counts orders, not rows). */
export async function countOrders(db: Executor, f: ExportFilter): Promise<number> {
  const params: unknown[] = []
  const where = filterWhere(f, params)
  const [row] = await clientOf(db).unsafe(`select count(*)::int as n from orders o where ${where}`, params as never[])
  return Number(row.n)
}

/** Orders per day (in the export's zone) of the chosen time, for a split that fits the cap. */
export async function ordersPerDay(db: Executor, f: ExportFilter): Promise<{ day: string; n: number }[]> {
  const params: unknown[] = []
  const where = filterWhere(f, params)
  params.push(f.timeZone)
  const rows = await clientOf(db).unsafe(
    `select to_char(o.${TIME_COLUMN[f.timeField]} at time zone $${params.length}::text, 'YYYY-MM-DD') as day, count(*)::int as n
     from orders o where ${where} group by 1 order by 1`,
    params as never[],
  )
  return rows.map((r: postgres.Row) => ({ day: String(r.day), n: Number(r.n) }))
}

/** Orders per hour (wall clock in the export's zone), for a day that alone exceeds the cap. */
export async function ordersPerHour(db: Executor, f: ExportFilter): Promise<{ hour: string; n: number }[]> {
  const params: unknown[] = []
  const where = filterWhere(f, params)
  params.push(f.timeZone)
  const rows = await clientOf(db).unsafe(
    `select to_char(o.${TIME_COLUMN[f.timeField]} at time zone $${params.length}::text, 'YYYY-MM-DD"T"HH24') as hour, count(*)::int as n
     from orders o where ${where} group by 1 order by 1`,
    params as never[],
  )
  return rows.map((r: postgres.Row) => ({ hour: String(r.hour), n: Number(r.n) }))
}

/**
 * Streams the export rows in batches of `batchOrders` orders. Each yielded batch holds every row of
 * its orders (an order's SKU rows never straddle two batches).
 */
export async function* exportBatches(db: Executor, f: ExportFilter, batchOrders = 500): AsyncGenerator<ExportRow[]> {
  const client = clientOf(db)
  let afterT: string | null = null
  let afterId: string | null = null
  for (;;) {
    const st = exportStatement(f, { page: { afterT, afterId, limit: batchOrders } })
    const rows = (await client.unsafe(st.text, st.params as never[])) as unknown as ExportRow[]
    if (!rows.length) return
    yield rows
    const last = rows[rows.length - 1]
    afterT = last.k_t
    afterId = last.order_id
    let orders = 0
    let prev = ''
    for (const r of rows) if (r.order_id !== prev) (orders++, (prev = r.order_id))
    if (orders < batchOrders) return
  }
}
