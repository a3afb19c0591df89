/**
 * Ingest of a page of platform orders (the pull sync reads 100 at a time): the decisions of
 * ingestOrder, order by order, made with a handful of multi-row statements instead of a dozen round
 * trips per order. Two steps, so the workflow sees the decisions before anything is written:
 * `planPage` locks the rows we hold and judges every order; `writePage` writes the ones it is given.
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import { rows, type Executor } from '../../db/database.js'
import { insertJsonRows, jsonRows } from '../../db/json-rows.js'
import { orderLineItems, orderPackages, orders, packages } from '../../db/schema.js'
import { isAppError } from '../shared/errors.js'
import { stringField } from '../shared/json.js'
import {
  childRows,
  handedOverAtFor,
  judgeIngest,
  shopDeadlineSettings,
  toOrderRow,
  validatePlatformOrder,
  type HeldOrder,
  type IngestResult,
  type NewOrderRow,
  type PackageRow,
} from './ingest.js'
import type { PlatformOrder } from './platform-order.js'
import { normalizePlatformStatus } from './status.js'

export interface PlannedOrder {
  order: PlatformOrder
  /** the row to store (hand-over time included); the workflow may add the platform's marks */
  row: NewOrderRow
  /** the row we held before this page, if any */
  held?: HeldOrder
  result: IngestResult
  children: ReturnType<typeof childRows>
}

export interface PagePlan {
  /** the orders to store (new, or newer than ours), in page order, each judged */
  planned: PlannedOrder[]
  /** orders we hold at that update time or newer (nothing to do) */
  unchanged: number
  /** malformed orders and orders of another shop, with the error */
  rejected: { input: unknown; error: unknown }[]
}

const idOf = (x: unknown) => stringField(x, 'id')

const HELD = {
  id: orders.id,
  shopId: orders.shopId,
  status: orders.status,
  platformStatus: orders.platformStatus,
  isBuyerRequestCancel: orders.isBuyerRequestCancel,
  paidTime: orders.paidTime,
  updateTime: orders.updateTime,
  handedOverAt: orders.handedOverAt,
}

/**
 * Judges each order of the page as ingestOrder would. Orders we already hold at that update time or
 * newer are counted as unchanged after one read without locks (a concurrent writer can only make our
 * row newer); the rows of the rest are then locked, in id order, and read again. Returns null when an
 * order id appears twice in the page: such a page is stored one order at a time, in order.
 */
export async function planPage(tx: Executor, shopId: string, inputs: unknown[], now: Date): Promise<PagePlan | null> {
  const ids = inputs.map(idOf).filter(Boolean)
  if (new Set(ids).size !== ids.length) return null
  const plan: PagePlan = { planned: [], unchanged: 0, rejected: [] }
  const valid: PlatformOrder[] = []
  for (const input of inputs) {
    try {
      validatePlatformOrder(input)
      valid.push(input)
    } catch (error) {
      plan.rejected.push({ input, error })
    }
  }
  if (!valid.length) return plan
  const seen = new Map((await tx.select(HELD).from(orders).where(anyOf(orders.id, valid.map((o) => o.id)))).map((r) => [r.id, r]))
  const todo = valid.filter((o) => {
    const h = seen.get(o.id)
    if (!h || h.shopId !== shopId || Number(o.update_time) * 1000 > h.updateTime.getTime()) return true
    plan.unchanged++
    return false
  })
  if (!todo.length) return plan
  const settings = await shopDeadlineSettings(tx, shopId)
  const lock = todo.filter((o) => seen.has(o.id)).map((o) => o.id)
  const held = new Map(lock.length ? (await tx.select(HELD).from(orders).where(anyOf(orders.id, lock)).orderBy(orders.id).for('update')).map((r) => [r.id, r]) : [])
  for (const o of todo) {
    const row = toOrderRow(shopId, o, settings)
    const h = held.get(o.id)
    try {
      const result = judgeIngest(shopId, row, h, normalizePlatformStatus(o.status) === null)
      if (result.outcome === 'unchanged' || result.outcome === 'stale') {
        plan.unchanged++
        continue
      }
      row.handedOverAt = handedOverAtFor(row, h, now)
      plan.planned.push({ order: o, row, held: h, result, children: childRows(shopId, o) })
    } catch (error) {
      if (!isAppError(error, 'bad_input')) throw error
      plan.rejected.push({ input: o, error })
    }
  }
  return plan
}

/** Marks a platform fact may set but never clears or moves: a time we hold stays. */
const KEPT_MARKS = new Set(['handedOverAt', 'labelPrintedAt', 'packedAt'])

/** Last one wins, as when the rows are written one after another. */
const lastById = <T extends { id: string }>(xs: T[]): T[] => [...new Map(xs.map((x) => [x.id, x])).values()]

/**
 * The line items each order of `items` holds once writePage has written them all with none lost (a
 * line item on two orders of the page stays with the later one, as writePage stores it).
 */
export function linesAfterWrite(items: PlannedOrder[]): Map<string, PlannedOrder['children']['items']> {
  const out = new Map<string, PlannedOrder['children']['items']>(items.map((p) => [p.row.id, []]))
  for (const li of lastById(items.flatMap((p) => p.children.items))) out.get(li.orderId)?.push(li)
  return out
}

const excluded = (names: string[]) => sql.raw(names.map((n) => `"${n}" = excluded."${n}"`).join(', '))

/**
 * A write of a plan's orders, built but not yet sent (prepareWrite): the JSON of every row is made
 * while the database is still busy with the page before, and sent by writePrepared.
 */
export interface PreparedWrite {
  items: PlannedOrder[]
  /** the orders we hold: upserted, their line items cleared */
  upsert: SQL | null
  /** the new orders and every written order's line items, packages and links */
  insert: SQL
  now: Date
}

/**
 * Builds the write of inserted and updated orders of a plan (all rows must carry the same columns):
 * at most two statements, each with its rows as single JSON parameters (db/json-rows.ts). The orders
 * we hold are upserted and their line items cleared; then one statement inserts the new orders and,
 * for every order written, its line items, packages and order–package links (data-modifying CTEs).
 */
export function prepareWrite(items: PlannedOrder[], now: Date): PreparedWrite {
  const fresh = items.filter((p) => !p.held)
  const known = items.filter((p) => p.held)
  const at = sql`${now.toISOString()}::timestamptz`
  let upsert: SQL | null = null
  if (known.length) {
    const cols = getTableColumns(orders) as Record<string, { name: string }>
    const set = Object.keys(known[0].row)
      .filter((key) => key !== 'id' && key !== 'shopId')
      .map((key) => {
        const n = cols[key].name
        return KEPT_MARKS.has(key) ? `"${n}" = coalesce("orders"."${n}", excluded."${n}")` : `"${n}" = excluded."${n}"`
      })
    const rowsSql = insertJsonRows(orders, known.map((p) => p.row), sql`on conflict (id) do update set ${sql.raw(set.join(', '))}, "updated_at" = ${at} returning id`)
    upsert = sql`with u as (${rowsSql}) delete from ${orderLineItems} where ${orderLineItems.orderId} in (select id from u)`
  }
  // the children of every order of the plan, last one wins; only those of orders written are stored
  const lineItems = lastById(items.flatMap((p) => p.children.items))
  const pkgs: PackageRow[] = lastById(items.flatMap((p) => p.children.packages))
  const links = items.flatMap((p) => p.children.packages.map((k) => ({ orderId: p.row.id, packageId: k.id })))
  const ctes: SQL[] = [
    fresh.length
      ? sql`o as (${insertJsonRows(orders, fresh.map((p) => p.row), sql`on conflict do nothing returning id`)})`
      : sql`o as (select null::text as id where false)`,
    sql`w as (select id from o union all select unnest(${sql.param(known.map((p) => p.row.id))}::text[]))`,
  ]
  if (lineItems.length) {
    const li = jsonRows(orderLineItems, lineItems)
    ctes.push(sql`li as (insert into ${li.table} (${li.columns}) ${li.select} where ${li.cell('orderId')} in (select id from w) on conflict (id) do update set ${excluded(['order_id'])})`)
  }
  if (links.length) {
    const ln = jsonRows(orderPackages, links)
    const pk = jsonRows(packages, pkgs)
    // the links of written orders, read once (one parameter) for both the links and the packages they name
    ctes.push(
      sql`lw as (select x.order_id, x.package_id from (${ln.select}) x where x.order_id in (select id from w))`,
      sql`ln as (insert into ${ln.table} (${ln.columns}) select order_id, package_id from lw on conflict do nothing)`,
      sql`pk as (insert into ${pk.table} (${pk.columns}) ${pk.select}
        where ${pk.cell('id')} in (select package_id from lw)
        on conflict (id) do update set ${excluded(['status', 'tracking_number', 'shipping_provider_name'])}, "updated_at" = ${at})`,
    )
  }
  return { items, upsert, insert: sql`with ${sql.join(ctes, sql`, `)} select id from o`, now }
}

/**
 * Sends a prepared write. A new order that another writer inserted since `planPage` is not written,
 * nor are its children: it comes back in `lost`, for the caller to store one by one.
 *
 * `alone`: no other transaction can run beside this one (oneTransactionAtATime, the embedded
 * database). Every row the write references is then known to be there for the whole write, and
 * PostgreSQL's checks of its foreign keys, a query and a row lock per line item, link, package and
 * order (a fifth of the embedded database's work in a sync, bench/sync.bench.ts), are left out for
 * it: orders and packages name the page's shop, which planPage read in this transaction; line items
 * and links name the orders of the write, inserted by the same statement or held (locked by
 * planPage); links name the packages the same statement writes. Only this write is concerned (the
 * setting is put back after it; the schema has no triggers besides the foreign keys' own), and
 * test/core/order-page.test.ts checks that no row of a page is left without what it names.
 */
export async function writePrepared(tx: Executor, w: PreparedWrite, alone = false): Promise<{ written: PlannedOrder[]; lost: PlannedOrder[] }> {
  if (!w.items.length) return { written: [], lost: [] }
  if (alone) await tx.execute(sql`set local session_replication_role = replica`)
  if (w.upsert) await tx.execute(w.upsert)
  const inserted = new Set((await rows<{ id: string }>(tx, w.insert)).map((r) => r.id))
  const written = w.items.filter((p) => p.held || inserted.has(p.row.id))
  const lost = w.items.filter((p) => !p.held && !inserted.has(p.row.id))
  // rare: a child shared with a lost order may have been taken from it (or left out); write the written orders' own
  if (lost.length) await writeChildren(tx, written, w.now)
  if (alone) await tx.execute(sql`set local session_replication_role = origin`)
  return { written, lost }
}

/** Writes inserted and updated orders of a plan (prepareWrite, then writePrepared). */
export const writePage = (tx: Executor, items: PlannedOrder[], now: Date, alone = false) => writePrepared(tx, prepareWrite(items, now), alone)

/** Upserts the line items, packages and links of these orders (last one wins). */
async function writeChildren(tx: Executor, written: PlannedOrder[], now: Date): Promise<void> {
  const lineItems = lastById(written.flatMap((p) => p.children.items))
  if (lineItems.length) await tx.execute(insertJsonRows(orderLineItems, lineItems, sql`on conflict (id) do update set ${excluded(['order_id'])}`))
  const pkgs: PackageRow[] = lastById(written.flatMap((p) => p.children.packages))
  if (pkgs.length) {
    const set = excluded(['status', 'tracking_number', 'shipping_provider_name'])
    await tx.execute(insertJsonRows(packages, pkgs, sql`on conflict (id) do update set ${set}, "updated_at" = ${now.toISOString()}::timestamptz`))
    const links = written.flatMap((p) => p.children.packages.map((k) => ({ orderId: p.row.id, packageId: k.id })))
    await tx.execute(insertJsonRows(orderPackages, links, sql`on conflict do nothing`))
  }
}
