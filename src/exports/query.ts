/**
 * The export's SQL: one statement per template, read in keyset-paged batches of orders so memory
 * stays flat and other queries (the bot's work) run between batches. The same statement without
 * paging is what the benchmark hands to COPY. For CSV, the statement selects the file's cell texts
 * instead of the row's fields, one page of orders at a time, and runs as COPY (copy-csv.ts).
 *
 * Times come back as wall-clock text in the export's zone (the database converts them), money as
 * exact numeric text, IDs as text. Rows are read as arrays (postgres.js `.values()`) and turned
 * into one object shape by a generated factory: much cheaper than the driver's ~70-key objects.
 */
import type postgres from 'postgres'
import type { Executor } from '../../db/database.js'
import { unprepared } from '../../db/prepared.js'
import type { ExportFilter, TimeField } from './filters.js'
import type { Locale } from '../assistant/types.js'
import { TEMPLATES, valueSql, type CellType, type Column, type ExportRow } from './templates.js'

export const TIME_COLUMN: Record<TimeField, string> = { created: 'create_time', paid: 'paid_time' }

export interface Statement {
  text: string
  params: unknown[]
}

type Client = postgres.Sql
/**
 * The postgres.js client behind a drizzle handle (both databases are reached through it), with its
 * statements unnamed (db/prepared.ts): an export's query is planned for its own filters every time,
 * where a prepared one run five times on a connection may be given a generic plan, which suits one
 * date range and not another.
 */
export const clientOf = (db: Executor): Client =>
  unprepared((db as unknown as { $client?: Client; session?: { client: Client } }).$client ?? (db as unknown as { session: { client: Client } }).session.client)

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

type Field = [name: string, expr: string]

function orderFields(tz: string, tcol: string): Field[] {
  const f = (name: string, expr = `o.${name}`): Field => [name, expr]
  const money = (name: string): Field => [name, `o.${name}::text`]
  return [
    f('order_id', 'o.id'), f('shop_id'), f('status'), f('platform_status'), f('order_type'), f('buyer_user_id'),
    f('buyer_message'), f('seller_note'), f('payment_method_name'), f('currency'),
    money('sub_total'), money('shipping_fee'), money('seller_discount'), money('platform_discount'), money('total_amount'),
    money('original_total_product_price'), money('original_shipping_fee'), money('shipping_fee_seller_discount'),
    money('shipping_fee_platform_discount'), money('tax'), money('retail_delivery_fee'),
    f('created_at', wall('o.create_time', tz)), f('paid_at', wall('o.paid_time', tz)), f('rts_at', wall('o.rts_time', tz)),
    f('shipped_at', wall('o.collection_time', tz)), f('delivered_at', wall('o.delivery_time', tz)),
    f('cancelled_at', wall('o.cancel_time', tz)),
    f('cancel_reason'), f('cancellation_initiator'), f('fulfillment_type'), f('shipping_type'), f('delivery_option_name'),
    f('shipping_provider'), f('tracking_number'), f('warehouse_id'), f('recipient_name'), f('recipient_phone'),
    f('recipient_full_address'), f('recipient_address_detail'), f('recipient_postal_code'),
    f('l0', 'o.recipient_levels->>0'), f('l1', 'o.recipient_levels->>1'), f('l2', 'o.recipient_levels->>2'),
    f('l3', 'o.recipient_levels->>3'), f('l4', 'o.recipient_levels->>4'),
    f('pick_list_printed', 'o.pick_list_printed_at is not null'), f('label_printed', 'o.label_printed_at is not null'),
    f('k_t', `o.${tcol}::text`),
  ]
}

const TEMPLATE_FIELDS: Record<ExportFilter['template'], Field[]> = {
  order_list: [['item_count', '(select count(*)::int from order_line_items li where li.order_id = o.id)']],
  package_list: [
    ['item_count', '0'],
    ['package_id', 'p.id'],
    ['package_status', 'p.status'],
    ['package_tracking', 'p.tracking_number'],
    ['package_carrier', 'p.shipping_provider_name'],
    ['package_items', 'case when p.id is null then null else (select count(*)::int from order_line_items li where li.order_id = o.id and li.package_id = p.id) end'],
  ],
  order_sku_list: [
    ['item_count', 'coalesce(s.quantity, 0)'],
    ...(['sku_id', 'seller_sku', 'product_name', 'sku_name', 'quantity'] as const).map((n): Field => [n, `s.${n}`]),
    ...(['unit_original_price', 'sku_subtotal_before', 'sku_seller_discount', 'sku_platform_discount', 'sku_subtotal_after'] as const).map(
      (n): Field => [n, `s.${n}::text`],
    ),
    ...(['sku_package_ids', 'sku_package_status', 'sku_tracking', 'sku_carrier'] as const).map((n): Field => [n, `s.${n}`]),
  ],
}

const FROM: Record<ExportFilter['template'], (tcol: string) => string> = {
  order_list: (t) => `from picked k join orders o on o.id = k.id
order by k.${t}, k.id`,
  package_list: (t) => `from picked k join orders o on o.id = k.id
left join order_packages op on op.order_id = o.id
left join packages p on p.id = op.package_id
order by k.${t}, k.id, p.id`,
  order_sku_list: (t) => `from picked k join orders o on o.id = k.id
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
order by k.${t}, k.id, s.first_line`,
}

/** An order's position in the export's order: the chosen time (as text) and the order id. */
export interface OrderKey {
  t: string
  id: string
}

export interface StatementOptions {
  /** keyset paging: rows of orders after (k_t, id), at most `limit` orders; params appended */
  page?: { afterT: string | null; afterId: string | null; limit: number }
  /** the orders after `after` (none: from the first) up to and including `upTo` (see pageEnds) */
  range?: { after: OrderKey | null; upTo: OrderKey }
  /** instead of the row's fields: one text per template column, as the CSV file holds it (the
   * COPY path); `cell` turns a column's value expression into its CSV cell expression */
  columns?: { list: Column[]; locale: Locale; cell: (type: CellType, expr: string) => string }
}

/** The fields a template's columns read, and the two the paging needs. */
function usedFields(template: ExportFilter['template']): Set<string> {
  const used = new Set<string>(['order_id', 'k_t'])
  for (const c of TEMPLATES[template].columns) {
    used.add(c.spec.field)
    if (c.spec.orElse) used.add(c.spec.orElse)
  }
  return used
}

/** The fields of a template's export query, in order: the rows' keys. */
function templateFields(template: ExportFilter['template'], tz: string, tcol: string, onlyUsed: boolean): Field[] {
  const all = [...orderFields(tz, tcol), ...TEMPLATE_FIELDS[template]]
  if (!onlyUsed) return all
  const used = usedFields(template)
  return all.filter(([n]) => used.has(n))
}

/** The names of the values of a row as the export reads them, in order (keys of ExportRow). */
export function exportFieldNames(template: ExportFilter['template']): string[] {
  return templateFields(template, '', '', true).map(([n]) => n)
}

/**
 * The rows of one template for the filter, ordered by the chosen time, then order id, then SKU /
 * package. With `page`, only the next `limit` orders after the given position. Without options,
 * every field as plain columns (what the benchmark hands to COPY).
 */
export function exportStatement(f: ExportFilter, opts: StatementOptions = {}): Statement {
  const params: unknown[] = []
  const tcol = TIME_COLUMN[f.timeField]
  const where = filterWhere(f, params, 'x')
  params.push(f.timeZone)
  const tz = `$${params.length}::text`
  let keyset = ''
  let limit = ''
  if (opts.range) {
    const { after, upTo } = opts.range
    if (after) {
      params.push(after.t, after.id)
      keyset = ` and (x.${tcol}, x.id) > ($${params.length - 1}::timestamptz, $${params.length}::text)`
    }
    params.push(upTo.t, upTo.id)
    keyset += ` and (x.${tcol}, x.id) <= ($${params.length - 1}::timestamptz, $${params.length}::text)`
  } else if (opts.page) {
    if (opts.page.afterT !== null) {
      params.push(opts.page.afterT, opts.page.afterId)
      keyset = ` and (x.${tcol}, x.id) > ($${params.length - 1}::timestamptz, $${params.length}::text)`
    }
    params.push(opts.page.limit)
    limit = ` limit $${params.length}::int`
  }
  // only the keys are sorted: the wide columns (and the raw platform JSON) stay out of the sort
  const picked = `picked as (select x.id, x.${tcol} from orders x where ${where}${keyset} order by x.${tcol}, x.id${limit})`
  // paged reads (the export) fetch only the fields the template shows; the plain statement (what
  // the benchmark hands to COPY) keeps them all
  const fields = templateFields(f.template, tz, tcol, !!opts.page)
  let select: string
  if (opts.columns) {
    const { list, locale, cell } = opts.columns
    const exprs = new Map(fields)
    const fieldSql = (name: string) => {
      const e = exprs.get(name)
      if (e === undefined) throw new Error(`the ${f.template} query has no field ${name}`)
      return e
    }
    select = list.map((c, i) => `${cell(c.type, valueSql(c.spec, locale, fieldSql))} as c${i + 1}`).join(',\n  ')
  } else select = fields.map(([n, e]) => (e === `o.${n}` ? e : `${e} as ${n}`)).join(', ')
  return { text: `with ${picked}
select ${select}
${FROM[f.template](tcol)}`, params }
}

const rowFactories = new Map<string, (a: unknown[]) => ExportRow>()
/** A function turning a row array (as the driver reads it) into an ExportRow (one object shape, built fast). */
function rowFactory(template: ExportFilter['template']): (a: unknown[]) => ExportRow {
  let make = rowFactories.get(template)
  if (!make) {
    const body = exportFieldNames(template).map((n, i) => `${JSON.stringify(n)}: a[${i}]`).join(', ')
    make = new Function('a', `return { ${body} }`) as (a: unknown[]) => ExportRow
    rowFactories.set(template, make)
  }
  return make
}

/** How many orders match (R7 counts orders, not rows). */
export async function countOrders(db: Executor, f: ExportFilter): Promise<number> {
  const params: unknown[] = []
  const where = filterWhere(f, params)
  const [row] = await clientOf(db).unsafe(`select count(*)::int as n from orders o where ${where}`, params as never[])
  return Number(row.n)
}

/**
 * The last order of each page of the export, with how many orders lie up to it: pages of
 * `pageOrders` orders that never straddle a multiple of `fileOrders` (where a split export starts
 * its next file). The last entry is the export's last order. Paging by known ends lets each page
 * be one COPY whose orders are counted before it runs.
 */
export async function pageEnds(db: Executor, f: ExportFilter, pageOrders: number, fileOrders = Number.POSITIVE_INFINITY): Promise<(OrderKey & { n: number })[]> {
  const params: unknown[] = []
  const where = filterWhere(f, params, 'x')
  const tcol = TIME_COLUMN[f.timeField]
  const file = Number.isFinite(fileOrders) ? Math.max(1, Math.floor(fileOrders)) : 2 ** 31 - 1
  params.push(file, Math.max(1, Math.floor(pageOrders)))
  const rows = await clientOf(db).unsafe(
    `select k_t, id, n::int as n from (
       select x.${tcol}::text as k_t, x.id, row_number() over (order by x.${tcol}, x.id) as n, count(*) over () as total
       from orders x where ${where}) s
     where n % $${params.length - 1}::int % $${params.length}::int = 0 or n = total order by n`,
    params as never[],
  )
  return rows.map((r: postgres.Row) => ({ t: String(r.k_t), id: String(r.id), n: Number(r.n) }))
}

/** Orders per period of the chosen time (its wall clock in the export's zone, as `format` of to_char). */
async function ordersPer(db: Executor, f: ExportFilter, format: string): Promise<{ key: string; n: number }[]> {
  const params: unknown[] = []
  const where = filterWhere(f, params)
  params.push(f.timeZone, format)
  const rows = await clientOf(db).unsafe(
    `select to_char(o.${TIME_COLUMN[f.timeField]} at time zone $${params.length - 1}::text, $${params.length}::text) as k, count(*)::int as n
     from orders o where ${where} group by 1 order by 1`,
    params as never[],
  )
  return rows.map((r: postgres.Row) => ({ key: String(r.k), n: Number(r.n) }))
}

/** Orders per day (in the export's zone) of the chosen time, for a split that fits the cap. */
export const ordersPerDay = async (db: Executor, f: ExportFilter) => (await ordersPer(db, f, 'YYYY-MM-DD')).map(({ key, n }) => ({ day: key, n }))

/** Orders per hour (wall clock in the export's zone), for a day that alone exceeds the cap. */
export const ordersPerHour = async (db: Executor, f: ExportFilter) => (await ordersPer(db, f, 'YYYY-MM-DD"T"HH24')).map(({ key, n }) => ({ hour: key, n }))

/**
 * Streams the export rows in batches of `batchOrders` orders. Each yielded batch holds every row of
 * its orders (an order's SKU rows never straddle two batches). The next batch is asked for before
 * the current one is handed out, so the database reads it while the caller writes this one.
 */
export async function* exportBatches(db: Executor, f: ExportFilter, batchOrders = 500): AsyncGenerator<ExportRow[]> {
  const client = clientOf(db)
  const make = rowFactory(f.template)
  const read = (afterT: string | null, afterId: string | null) => {
    const st = exportStatement(f, { page: { afterT, afterId, limit: batchOrders } })
    const q = client.unsafe(st.text, st.params as never[]).values().execute()
    // a read ahead nobody waits for any more (the writer failed) must not be an unhandled rejection
    q.catch(() => {})
    return q as unknown as Promise<unknown[][]>
  }
  const toRows = (raw: unknown[][]) => {
    const rows = new Array<ExportRow>(raw.length)
    for (let i = 0; i < raw.length; i++) rows[i] = make(raw[i])
    return rows
  }
  let next = read(null, null)
  for (;;) {
    // (the driver's arrays are not kept while the batch is written)
    const rows = toRows(await next)
    if (!rows.length) return
    let orders = 0
    let prev = ''
    for (const r of rows) if (r.order_id !== prev) (orders++, (prev = r.order_id))
    const more = orders >= batchOrders
    const last = rows[rows.length - 1]
    if (more) next = read(last.k_t, last.order_id)
    yield rows
    if (!more) return
  }
}
