/**
 * A page of platform cancellation records (the pull sync reads 50 at a time): what
 * processPlatformCancellation does for each record, in ONE transaction with a few multi-row
 * statements per page instead of about ten round trips per record. The decisions are the same
 * function's (planCancellation), so the outcome is the same as storing the records one after another
 * in page order (test/core/cancellation-page.test.ts compares the two row by row):
 * - repeats and older versions change nothing (judged after one read without locks: a no-op needs no lock);
 * - the rows of the rest that we hold are locked, in id order, and judged again;
 * - new records are inserted by one statement, changed ones updated by one statement;
 * - their messages (a new buyer request posted with Accept / Reject; a closed request or a new
 *   answer-by time edited) are built from the rows as written and enqueued in two statements.
 */
import { eq, getTableColumns, sql, type Column } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import { rows, type Executor } from '../../db/database.js'
import { insertJsonRows } from '../../db/json-rows.js'
import { cancellations, shops } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import { channelsFollowing, enqueueManyForShop, type ShopMessage } from '../notifications/outbox.js'
import { isAppError, notFound } from '../shared/errors.js'
import { stringField } from '../shared/json.js'
import type { PlatformCancellation } from '../shop/port.js'
import { loadOrderViews, type CancellationRow } from './order-view.js'
import { storeOneByOne, type PageResult } from './page-result.js'
import {
  checkPlatformCancellation,
  followUpMessage,
  planCancellation,
  processPlatformCancellation,
  type CancellationFollowUp,
  type CancellationPlan,
  type CancellationUpdate,
  type CheckedCancellation,
} from './process-cancellation.js'

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

export type CancellationPageResult = PageResult

const idOf = (x: unknown) => stringField(x, 'cancel_id')

/** Stores a page of platform cancellation records for a shop, with their messages, in one transaction. */
export async function processPlatformCancellationPage(deps: Deps, shopId: string, inputs: unknown[]): Promise<CancellationPageResult> {
  const now = deps.clock.now()
  const result = await deps.db.transaction(async (tx) => {
    const one = { ...deps, db: tx, kick: undefined }
    const ids = inputs.map(idOf).filter(Boolean)
    if (new Set(ids).size !== ids.length) return storeOneByOne(inputs, (input) => processPlatformCancellation(one, shopId, input as PlatformCancellation))
    const out: CancellationPageResult = { stored: 0, unchanged: 0, rejected: [] }

    const valid: CheckedCancellation[] = []
    for (const input of inputs) {
      try {
        valid.push(checkPlatformCancellation(input))
      } catch (error) {
        if (!isAppError(error, 'bad_input')) throw error
        out.rejected.push({ input, error })
      }
    }
    if (!valid.length) return out
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId))
    if (!shop) throw notFound(`shop ${shopId} is not known`, { shopId })

    // judge each record against the row we hold; a record that needs no write is done without a lock
    // (a concurrent writer's change comes after it), the rows of the rest are locked and judged again
    const judge = (v: CheckedCancellation, held: Map<string, CancellationRow>): CancellationPlan | null => {
      try {
        return planCancellation(shopId, v, held.get(v.c.cancel_id), shop, now)
      } catch (error) {
        if (!isAppError(error, 'bad_input')) throw error
        out.rejected.push({ input: v.c, error })
        return null
      }
    }
    const seen = byId(await tx.select().from(cancellations).where(anyOf(cancellations.id, valid.map((v) => v.c.cancel_id))))
    const todo = valid.filter((v) => {
      const plan = judge(v, seen)
      if (plan?.outcome === 'unchanged') out.unchanged++
      return plan && plan.outcome !== 'unchanged'
    })
    const lock = todo.filter((v) => seen.has(v.c.cancel_id)).map((v) => v.c.cancel_id)
    const held = lock.length ? byId(await tx.select().from(cancellations).where(anyOf(cancellations.id, lock)).orderBy(cancellations.id).for('update')) : new Map<string, CancellationRow>()
    const planned: { v: CheckedCancellation; plan: Exclude<CancellationPlan, { outcome: 'unchanged' }> }[] = []
    for (const v of todo) {
      const plan = judge(v, held)
      if (!plan) continue
      if (plan.outcome === 'unchanged') out.unchanged++
      else planned.push({ v, plan })
    }

    // writes: the new rows in one insert, the changed ones in one update
    const written = new Map<string, CancellationRow>()
    const inserts = planned.flatMap((p) => (p.plan.outcome === 'insert' ? [p.plan.row] : []))
    if (inserts.length) for (const r of await rows(tx, insertJsonRows(cancellations, inserts, sql`on conflict do nothing returning *`))) written.set(String(r.id), fromDriver(r))
    const updates = planned.flatMap((p) => (p.plan.outcome === 'update' ? [{ id: p.plan.id, set: p.plan.set }] : []))
    if (updates.length) for (const row of await updateRows(tx, updates)) written.set(row.id, row)
    out.stored += written.size

    // another writer inserted these since our read: stored one by one, judged against its row
    for (const p of planned) {
      if (written.has(p.v.c.cancel_id)) continue
      const r = await processPlatformCancellation(one, shopId, p.v.c)
      if (r.outcome === 'unchanged') out.unchanged++
      else out.stored++
    }

    // the messages, built from the rows as written, in page order
    const follow = planned.flatMap((p) => {
      const row = written.get(p.v.c.cancel_id)
      return row && p.plan.followUp ? [{ row, f: p.plan.followUp }] : []
    })
    if (follow.length) {
      const views = await loadOrderViews(tx, [...new Set(follow.map((x) => x.row.orderId))])
      const following = await channelsFollowing(tx, shopId)
      const of = (kind: CancellationFollowUp['kind']): ShopMessage[] => follow.filter((x) => x.f.kind === kind).map((x) => followUpMessage(x.f, x.row, views.get(x.row.orderId) ?? null))
      for (const kind of ['post', 'edit'] as const) {
        const list = of(kind)
        if (list.length) await enqueueManyForShop(tx, shopId, list, kind, following)
      }
    }
    return out
  })
  deps.kick?.()
  return result
}

const byId = (list: CancellationRow[]) => new Map(list.map((r) => [r.id, r]))

const COLUMNS = Object.entries(getTableColumns(cancellations)) as [keyof CancellationRow, Column][]

/** A row of a raw `returning *` (column names, driver values) as drizzle returns it. */
function fromDriver(raw: Record<string, unknown>): CancellationRow {
  const row: Record<string, unknown> = {}
  for (const [key, col] of COLUMNS) {
    const v = raw[col.name]
    row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v)
  }
  return row as CancellationRow
}

/**
 * Updates many rows, each with its own columns, in one statement: the rows as one JSON parameter
 * (as db/json-rows.ts inserts them), typed by the table's row type. A column some rows do not set
 * keeps its value in those rows.
 */
async function updateRows(tx: Executor, list: { id: string; set: CancellationUpdate }[]): Promise<CancellationRow[]> {
  const cols = getTableColumns(cancellations) as Record<string, Column>
  const keys = [...new Set(list.flatMap((u) => Object.keys(u.set)))]
  const json = JSON.stringify(
    list.map((u) => {
      const o: Record<string, unknown> = { id: u.id }
      for (const [k, v] of Object.entries(u.set)) o[cols[k].name] = v ?? null
      return o
    }),
  )
  const assign = keys.map((k) => {
    const n = cols[k].name
    return list.every((u) => k in u.set) ? `"${n}" = r."${n}"` : `"${n}" = case when e.j ? '${n}' then r."${n}" else t."${n}" end`
  })
  const got = await rows(
    tx,
    sql`update "cancellations" as t set ${sql.raw(assign.join(', '))}
      from jsonb_array_elements(${json}::jsonb) as e(j), jsonb_populate_record(null::"cancellations", e.j) as r
      where t."id" = r."id" returning t.*`,
  )
  return got.map(fromDriver)
}
