/**
 * Flow 1 for a page of platform orders (the pull sync reads 100 at a time): what processPlatformOrder
 * does for each order, in ONE transaction with a few multi-row statements per page instead of a
 * dozen round trips per order. The outcome is the same as storing the orders one after another in
 * page order (test/core/order-page.test.ts compares the two row by row):
 * - repeats and older versions change nothing;
 * - new and changed orders are written together (writePage), with the marks the platform proves;
 * - an order that became paid and is to be shipped gets its stock check — seeing the orders before
 *   it in the page as stored and the ones after it as they were — and its "new order" message, built
 *   from the rows as written (storedRow), not read back; unless it is history (history.ts);
 * - the rarer changes that close or update earlier messages (a paid order cancelled or shipped, an
 *   order out of its remorse window) go through processPlatformOrder one by one, first.
 */
import { sql } from 'drizzle-orm'
import { orders } from '../../db/schema.js'
import { oneTransactionAtATime, type Executor } from '../../db/database.js'
import { storedRow } from '../../db/stored-row.js'
import type { CoreDeps } from '../assistant/context.js'
import { platformMarks } from '../fulfilment/marks.js'
import { channelsFollowing } from '../notifications/outbox.js'
import { reservedByOrders, reservesStock, pageStockChecks, storeStockChecks, unitsBySku, type PageStockEntry } from '../inventory/stock-check.js'
import { linesAfterWrite, planPage, prepareWrite, writePrepared, type PlannedOrder } from '../orders/ingest-page.js'
import { historyBefore, isHistory } from './history.js'
import { storeOneByOne, type PageResult } from './page-result.js'
import { loadWrittenViewsContext, viewsOfWritten } from './order-view.js'
import { enqueueNewOrderMessages, followUpOf, processPlatformOrder } from './process-order.js'

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

/**
 * How a page's transaction fits with the pages before it, when the sync stores several at once:
 * - the next page may start once this one has locked the rows it holds (`planned`): it judges its
 *   orders and builds their rows while this one writes;
 * - this one writes once the page before has written (`mayWrite`), and says so (`written`);
 * - this one's stock checks and messages wait until the page before has committed (`after`).
 * Any order two pages hold is serialised by its row lock, and a new order both insert by its key,
 * always the later page waiting for the earlier (which then stores it one by one, as `lost`); every
 * stock check and message follows the earlier page's, as when the pages are stored one after the other.
 * (The sync goes further: it does not start a page that holds an order of a page under way.)
 */
export interface PageFlow {
  planned?: () => void
  mayWrite?: Promise<unknown>
  written?: () => void
  after?: Promise<unknown>
  /**
   * How long the page waits for a row lock before it fails (default PAGE_LOCK_TIMEOUT_MS). Pages wait
   * for each other in the program as well as in the database, whose deadlock detection cannot see
   * the former: a wait neither foresees ends in a failed page, which the next sync retries, not in
   * a sync that waits for ever with its rows locked.
   */
  lockTimeoutMs?: number
}

/** a page's longest wait for a row lock (the writers it waits behind hold theirs for milliseconds) */
export const PAGE_LOCK_TIMEOUT_MS = 30_000

export type OrderPageResult = PageResult

const EMPTY = new Map<string, number>()

/**
 * What the "new order" messages of a page's new orders read besides the orders: which are news (history,
 * paid before the shop's first sync, is summed up once, not posted order by order), the chats that
 * follow the shop, and the views' context. No page before changes these, so they are read while it commits.
 */
async function readForMessages(tx: Executor, shopId: string, fresh: PlannedOrder[]) {
  const cutoff = await historyBefore(tx, shopId)
  const news = fresh.filter((p) => !isHistory(p.row.paidTime, cutoff))
  if (!news.length) return { news, following: [], context: null }
  const following = await channelsFollowing(tx, shopId)
  const context = following.length ? await loadWrittenViewsContext(tx, shopId, news.map((p) => p.row.id)) : null
  return { news, following, context }
}

/** Stores a page of platform orders for a shop, with their follow-ups, in one transaction. */
export async function processPlatformOrderPage(deps: Deps, shopId: string, inputs: unknown[], flow: PageFlow = {}): Promise<OrderPageResult> {
  const now = deps.clock.now()
  const noOtherWriter = oneTransactionAtATime(deps.db)
  const result = await deps.db.transaction(async (tx) => {
    const one = { ...deps, db: tx, kick: undefined }
    // the foreign keys of the rows written (migration 0004) are checked once the page has written
    // (below), not inside its write, which the next page waits for
    await tx.execute(sql`set constraints all deferred`)
    await tx.execute(sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(flow.lockTimeoutMs ?? PAGE_LOCK_TIMEOUT_MS))}ms`}, true)`)
    const plan = await planPage(tx, shopId, inputs, now)
    if (!plan) {
      // one order at a time (checks and messages included): after the page before, and the next page after all of it
      await flow.after
      const r = await storeOneByOne(inputs, (input) => processPlatformOrder(one, shopId, input))
      flow.planned?.()
      flow.written?.()
      return r
    }
    flow.planned?.()
    const changed = plan.planned
    const alone = new Set(changed.filter((p) => ['closed', 'released'].includes(followUpOf(p.result))))

    // what the changed orders reserved before the page (read before their items are rewritten)
    const before = await reservedByOrders(tx, changed.filter((p) => p.held && reservesStock(p.held.status, p.held.handedOverAt)).map((p) => p.row.id))
    const together = changed.filter((p) => !alone.has(p))
    for (const p of together) Object.assign(p.row, platformMarks(p.row.platformStatus!, now))
    const write = prepareWrite(together, now)
    // nothing is written before the page before has written (see PageFlow)
    await flow.mayWrite
    for (const p of changed) if (alone.has(p)) await processPlatformOrder(one, shopId, p.order)
    const { lost } = await writePrepared(tx, write, noOtherWriter)
    flow.written?.()
    // the deferred keys are checked now, while the next page writes and this one waits for the page
    // before to commit (at the commit, they would lengthen the chain of commits the checks follow)
    await tx.execute(sql`set constraints all immediate`)
    const lostSet = new Set(lost)
    const fresh = together.filter((p) => !lostSet.has(p) && followUpOf(p.result) === 'new_order')
    // what the messages need that no page before can change, read while the page before commits
    const ahead = fresh.length ? readForMessages(tx, shopId, fresh) : null
    ahead?.catch(() => undefined) // awaited below, unless the page before failed: then this one fails with it
    await flow.after
    // another writer inserted these since planPage: stored one by one, judged against its row
    for (const p of lost) await processPlatformOrder(one, shopId, p.order)

    if (fresh.length) {
      const checked = new Set(fresh)
      const page: PageStockEntry[] = changed.map((p) => ({
        orderId: p.row.id,
        items: p.children.items,
        before: before.get(p.row.id) ?? EMPTY,
        after: reservesStock(p.row.status!, p.row.handedOverAt) ? unitsBySku(p.children.items) : EMPTY,
        check: checked.has(p),
      }))
      const checks = await pageStockChecks(tx, shopId, page)
      // the new orders as just stored (unless another writer took some: then as read back)
      const lines = lost.length ? null : linesAfterWrite(together)
      const stored = (p: PlannedOrder) => {
        const check = checks.get(p.row.id)
        return storedRow(orders, { ...p.row, stockCheck: check ?? null, stockCheckedAt: check ? now : null }, now)
      }
      const { news, following, context } = (await ahead)!
      const views = lines && context ? () => viewsOfWritten(context, news.map((p) => ({ order: stored(p), lines: lines.get(p.row.id) ?? [] }))) : undefined
      const ids = news.map((p) => p.row.id)
      if (views) {
        // the checks are stored while the messages are built from the rows held: both statements sent at once
        await Promise.all([storeStockChecks(tx, checks, now), enqueueNewOrderMessages(tx, shopId, ids, { following, views })])
      } else {
        // the messages read the orders back, checks included
        await storeStockChecks(tx, checks, now)
        if (ids.length) await enqueueNewOrderMessages(tx, shopId, ids, { following })
      }
    }
    return { stored: changed.length, unchanged: plan.unchanged, rejected: plan.rejected }
  })
  deps.kick?.()
  return result
}
