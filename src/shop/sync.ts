/**
 * Pull sync (reference §2.5): webhooks can be lost, so orders are also pulled on a schedule.
 *
 * Orders: Get Order List by `update_time` in [cursor − overlap, now], 100 a page, oldest first,
 * read a few pages ahead of storing (read-ahead.ts); the pages read so far go to the workflow core
 * together, in one transaction (idempotent; processPlatformOrderPage). Cancellations: every pending
 * buyer request (Search Cancellations, status PENDING) and every cancellation updated in the same
 * kind of window, 50 a page, read ahead and stored the same way (processPlatformCancellationPage).
 *
 * The cursor lives in `sync_state` and moves only after the pages are stored, so a crash or an
 * outage loses nothing and a re-run changes nothing. An outage is recorded in `sync_state.last_error` and
 * reported, never thrown. One sync per shop and kind runs at a time across instances: a lease row in
 * `sync_state` claimed by one UPDATE (crash-safe: it expires), renewed with every page.
 */
import { randomUUID } from 'node:crypto'
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import { oneTransactionAtATime, type Db, type Executor } from '../../db/database.js'
import { shops, syncState } from '../../db/schema.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import type { Clock } from '../shared/clock.js'
import { isAppError } from '../shared/errors.js'
import { stringField } from '../shared/json.js'
import type { Logger } from '../shared/logger.js'
import type { Page, PlatformCancellation, ShopPort } from './port.js'
import { joinPages, ReadAhead } from './read-ahead.js'
import type { PageFlow } from '../workflow/process-order-page.js'
import type { PlatformSink } from './sync-sink.js'
import { noteSyncOutcome } from './sync-outage.js'

export interface SyncOptions {
  /** re-read this much before the cursor (default 10 minutes) */
  overlapMs: number
  /** first sync of a shop reaches back this far (default 90 days, the export limit R7) */
  initialLookbackMs: number
  /** orders per page (1–100, default 100) */
  pageSize: number
  /** how long a claimed sync lease lasts without renewal (default 5 minutes) */
  leaseMs: number
  /**
   * pages read ahead of storing, and stored together at most (1–20, default 10, on the embedded
   * database 20: EMBEDDED_SYNC_OPTIONS; see read-ahead.ts).
   * Against a platform faster than our storing, a transaction's fixed costs (its reads, stock checks,
   * commit) are shared by more orders. A 10,000-order sync, every order posted, took 7–8 % less time
   * at 10 than at 5 on PostgreSQL and PGlite (a first sync: 9 % less on PGlite, the same on
   * PostgreSQL), and 1–3 % less again at 20; 10 keeps a transaction's row locks to 1,000 orders.
   */
  readAheadPages: number
  /** store a page of orders or cancellations with multi-row statements (default true;
   * processPlatformOrderPage, processPlatformCancellationPage); false: one record at a time through
   * processPlatformOrder / processPlatformCancellation (the reference path) */
  batch: boolean
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  overlapMs: 10 * 60_000,
  initialLookbackMs: 90 * 24 * 3_600_000,
  pageSize: 100,
  leaseMs: 5 * 60_000,
  readAheadPages: 10,
  batch: true,
}

/**
 * On the embedded database (oneTransactionAtATime) a run's fixed costs weigh more: its transaction
 * starts only once the one before has committed, and each has its pauses for our side's work. A
 * 10,000-order sync, every order posted, took about 15 % less time at 20 pages a run than at 10
 * (paired rounds; PostgreSQL: no difference measured). The cost: while a run is stored, other work on
 * that database (a chat command, a webhook) waits for its commit, up to about a second for 2,000
 * orders on our 2-core machine, and only while the shop answers faster than we store (a far platform
 * keeps runs to the pages that came meanwhile).
 */
const EMBEDDED_SYNC_OPTIONS: Partial<SyncOptions> = { readAheadPages: 20 }

export interface SyncDeps {
  db: Db
  shop: ShopPort
  clock: Clock
  logger: Logger
  sink: PlatformSink
  /** lease owner name (default: a random id per process) */
  instanceId?: string
  options?: Partial<SyncOptions>
  /** refreshes access tokens that expire soon (run by syncAll before the shops) */
  refreshExpiringTokens?: () => Promise<unknown>
}

export interface KindReport {
  pages: number
  /** records received from the platform */
  seen: number
  /** records the core refused as malformed (logged, skipped) */
  rejected: number
  /** records we already held at that update time (skipped without a write) */
  unchanged: number
  /** records we did not hold, or held at an older update time: stored */
  stored: number
}

export interface SyncReport {
  shopId: string
  ok: boolean
  /** another sync of this shop was running: nothing done */
  busy?: boolean
  orders: KindReport
  cancellations: KindReport
  /** what went wrong (the outage, the refusal), also stored in sync_state.last_error */
  error?: string
  ms: number
}

const processId = randomUUID()
const emptyKind = (): KindReport => ({ pages: 0, seen: 0, rejected: 0, unchanged: 0, stored: 0 })
const toSec = (d: Date) => Math.floor(d.getTime() / 1000)

class LostLease extends Error {
  constructor(kind: string) {
    super(`another instance took over the ${kind} sync of this shop`)
  }
}

/**
 * Syncs one shop: orders, then cancellations. Never throws for platform or network trouble. The
 * cancellations are read while the orders' last pages store (from when every order page has been
 * read) and stored once the orders are: the two kinds' reading overlaps, their storing does not.
 */
export async function syncShop(deps: SyncDeps, shopId: string): Promise<SyncReport> {
  const t0 = performance.now()
  const startedAt = deps.clock.now()
  const report: SyncReport = { shopId, ok: true, orders: emptyKind(), cancellations: emptyKind(), ms: 0 }
  const [shop] = await deps.db.select({ id: shops.id, authorized: shops.authorized }).from(shops).where(eq(shops.id, shopId))
  if (!shop) return { ...report, ok: false, error: `shop ${shopId} is not known`, ms: performance.now() - t0 }
  let ordersRead!: () => void
  const allRead = new Promise<'read'>((ok) => (ordersRead = () => ok('read')))
  const orders = withLease(deps, shopId, 'orders', (lease) => syncOrders(deps, shopId, lease, report.orders, ordersRead))
  // another sync of this shop is running (it does both kinds): leave the rest to it
  if ((await Promise.race([allRead, orders])) === 'busy') report.busy = true
  else {
    const cancellations = withLease(deps, shopId, 'cancellations', (lease) => syncCancellations(deps, shopId, lease, report.cancellations, orders))
    // both end before the sync does; a failure of our own database is thrown, as before
    const [o, c] = await Promise.allSettled([orders, cancellations])
    if (o.status === 'rejected') throw o.reason
    if (c.status === 'rejected') throw c.reason
    for (const [kind, r] of [['orders', o.value], ['cancellations', c.value]] as const) {
      if (r === 'busy') report.busy = true
      else if (r !== 'ok') {
        report.ok = false
        report.error = report.error ? `${report.error}; ${kind}: ${r}` : `${kind}: ${r}`
      }
    }
  }
  // a run of failures long enough is told to the shop's chats, and its end (sync-outage.ts); not when
  // another instance's sync of the shop was running: that one notes how it ended
  if (!report.busy) {
    const told = await noteSyncOutcome(deps, shopId, report.ok ? null : (report.error ?? 'unknown error'), startedAt)
    if (told) deps.logger.warn(told === 'told_down' ? 'shop unreachable: chats told' : 'shop reachable again: chats told', { shopId })
  }
  report.ms = performance.now() - t0
  deps.logger.info('shop sync done', { shopId, ok: report.ok, busy: report.busy, orders: report.orders.seen, cancellations: report.cancellations.seen, ms: Math.round(report.ms), error: report.error })
  return report
}

/** Syncs every authorised shop, one after another; refreshes soon-expiring tokens first. */
export async function syncAll(deps: SyncDeps): Promise<SyncReport[]> {
  if (deps.refreshExpiringTokens) await deps.refreshExpiringTokens().catch((err) => deps.logger.warn('token refresh pass failed', { err }))
  const list = await deps.db.select({ id: shops.id }).from(shops).where(eq(shops.authorized, true)).orderBy(shops.id)
  const out: SyncReport[] = []
  for (const s of list) out.push(await syncShop(deps, s.id))
  return out
}

interface Lease {
  owner: string
  /** the stored cursor when the lease was taken */
  cursor: Date | null
  /** store progress (a new cursor) and renew the lease; throws LostLease when another instance took it */
  advance(cursor: Date | null): Promise<void>
}

function opts(deps: SyncDeps): SyncOptions {
  const o = { ...DEFAULT_SYNC_OPTIONS, ...(oneTransactionAtATime(deps.db) ? EMBEDDED_SYNC_OPTIONS : {}), ...deps.options }
  o.pageSize = Math.max(1, Math.min(100, Math.floor(o.pageSize)))
  o.readAheadPages = Math.max(1, Math.min(20, Math.floor(o.readAheadPages)))
  return o
}

async function withLease(deps: SyncDeps, shopId: string, kind: string, work: (lease: Lease) => Promise<void>): Promise<'ok' | 'busy' | string> {
  const { db, clock } = deps
  const o = opts(deps)
  const owner = `${deps.instanceId ?? processId}:${randomUUID().slice(0, 8)}`
  const now = clock.now()
  const until = () => new Date(clock.now().getTime() + o.leaseMs)
  const claimed = await db
    .insert(syncState)
    .values({ shopId, kind, leaseOwner: owner, leaseUntil: until(), lastRunAt: now })
    .onConflictDoUpdate({
      target: [syncState.shopId, syncState.kind],
      set: { leaseOwner: owner, leaseUntil: until(), lastRunAt: now },
      setWhere: or(isNull(syncState.leaseUntil), lt(syncState.leaseUntil, now)),
    })
    .returning({ cursor: syncState.cursorTime })
  if (!claimed.length) return 'busy'
  const mine = and(eq(syncState.shopId, shopId), eq(syncState.kind, kind), eq(syncState.leaseOwner, owner))
  const lease: Lease = {
    owner,
    cursor: claimed[0].cursor,
    async advance(cursor) {
      const r = await db
        .update(syncState)
        .set({ ...(cursor ? { cursorTime: cursor } : {}), leaseUntil: until() })
        .where(mine)
        .returning({ k: syncState.kind })
      if (!r.length) throw new LostLease(kind)
    },
  }
  let outcome: 'ok' | string = 'ok'
  try {
    await work(lease)
  } catch (err) {
    if (!isAppError(err, 'shop_unavailable') && !isAppError(err, 'shop_error') && !(err instanceof LostLease))
      deps.logger.error('sync failed', { shopId, kind, err })
    else deps.logger.warn('sync stopped', { shopId, kind, err })
    outcome = (err as Error).message || String(err)
  }
  const end = clock.now()
  await db
    .update(syncState)
    .set(outcome === 'ok' ? { leaseOwner: null, leaseUntil: null, lastOkAt: end, lastError: null } : { leaseOwner: null, leaseUntil: null, lastError: outcome.slice(0, 1000) })
    .where(mine)
  return outcome
}

/**
 * Stores one page in one transaction (each record in a savepoint of it): one commit per page instead
 * of one per record. A malformed record (bad_input) is logged and skipped; anything else rolls the
 * page back and stops the sync (the cursor has not moved past it).
 */
async function storePage<T>(deps: SyncDeps, report: KindReport, items: T[], store: (item: T, tx: Executor) => Promise<void>): Promise<void> {
  if (!items.length) return
  await deps.db.transaction(async (tx) => {
    for (const it of items) {
      try {
        await tx.transaction((sp) => store(it, sp))
        report.stored++
      } catch (err) {
        if (!isAppError(err, 'bad_input')) throw err
        reject(deps, report, err)
      }
    }
  })
}

function reject(deps: SyncDeps, report: KindReport, err: unknown) {
  report.rejected++
  deps.logger.warn('platform record skipped', { err })
}

/** A page of orders through the workflow core's page use case: repeats cost one read, the rest a few multi-row writes. */
async function storeOrderPage(deps: SyncDeps, shopId: string, report: KindReport, items: PlatformOrder[], flow: PageFlow): Promise<void> {
  if (!items.length) return
  if (!opts(deps).batch) {
    await flow.after
    return storePage(deps, report, items, (o, tx) => deps.sink.order(shopId, o, tx))
  }
  countPage(deps, report, await deps.sink.orderPage(shopId, items, flow))
}

/** A page of cancellation records through the workflow core's page use case (processPlatformCancellationPage). */
async function storeCancellationPage(deps: SyncDeps, shopId: string, report: KindReport, items: PlatformCancellation[]): Promise<void> {
  if (!items.length) return
  if (!opts(deps).batch) return storePage(deps, report, items, (c, tx) => deps.sink.cancellation(shopId, c, tx))
  countPage(deps, report, await deps.sink.cancellationPage(shopId, items))
}

function countPage(deps: SyncDeps, report: KindReport, r: { stored: number; unchanged: number; rejected: { error: unknown }[] }) {
  report.stored += r.stored
  report.unchanged += r.unchanged
  for (const x of r.rejected) reject(deps, report, x.error)
}

/**
 * The pages of a window, oldest first, read ahead (ReadAhead) and stored run by run. A run may start
 * as soon as the run before it has locked its rows (`flow.planned`; a store that never says so runs
 * alone): it builds its rows while the one before writes, writes after it (`flow.mayWrite`), and
 * makes its checks and messages after its commit (`flow.after`, see PageFlow). The cursor moves after
 * each batch is stored, in order.
 */
async function windowed<T extends { update_time?: unknown }>(
  deps: SyncDeps,
  lease: Lease,
  report: KindReport,
  fetchPage: (ge: number, lt: number, token: string) => Promise<Page<T>>,
  idOf: (item: T) => string,
  storeItems: (items: T[], flow: PageFlow) => Promise<void>,
  /** called once every page has been read (the last ones may still be storing) */
  onReadEnd?: () => void,
): Promise<void> {
  const o = opts(deps)
  const now = deps.clock.now()
  const start = lease.cursor ? new Date(lease.cursor.getTime() - o.overlapMs) : new Date(now.getTime() - o.initialLookbackMs)
  const ge = toSec(start)
  const lt = toSec(now) + 1
  const end = new Date(lt * 1000)
  let cursor = lease.cursor
  const reader = new ReadAhead((token) => fetchPage(ge, lt, token), o.readAheadPages)
  // the last store started (the next one's checks and messages wait for it), and the cursor moved
  // past each batch once it is stored, in order; both observed at once so that a failure is thrown
  // where it is awaited (below), never left unhandled
  let stored: Promise<unknown> = Promise.resolve()
  let wrote: Promise<unknown> = Promise.resolve()
  let moving: Promise<unknown> = Promise.resolve()
  const trouble: { failed?: { error: unknown } } = {}
  const watch = <P extends Promise<unknown>>(p: P): P => {
    p.catch((error) => (trouble.failed ??= { error }))
    return p
  }
  // the ids of each run started, and whether it has ended
  let underWay: { ids: Set<string>; ended: boolean }[] = []
  try {
    for (;;) {
      // while the run before is still storing, wait for a full batch rather than take a small one
      await reader.ready(o.readAheadPages, stored)
      const pages = await reader.take(o.readAheadPages)
      if (!pages) break
      if (!pages[pages.length - 1].nextPageToken) onReadEnd?.()
      report.pages += pages.length
      for (const page of pages) report.seen += page.items.length
      for (const run of joinPages(pages, idOf)) {
        // A record a run still under way holds too (it changed between two page reads): this run
        // starts once those runs have ended. Started earlier, it could lock the record's row (taken
        // meanwhile by another writer, a webhook) before the run under way comes to store its own
        // version of it, which would then wait for this run, and this run for its commit.
        const ids = new Set(run.map(idOf))
        underWay = underWay.filter((r) => !r.ended)
        if (underWay.some((r) => [...ids].some((id) => r.ids.has(id)))) await stored.catch(() => {})
        if (trouble.failed) throw trouble.failed.error
        const mine = { ids, ended: false }
        underWay.push(mine)
        let planned!: () => void
        let written!: () => void
        const hasPlanned = new Promise<void>((ok) => (planned = ok))
        const hasWritten = new Promise<void>((ok) => (written = ok))
        stored = watch(storeItems(run, { planned, mayWrite: wrote, written, after: stored }))
        stored.then(
          () => (mine.ended = true),
          () => (mine.ended = true),
        )
        // the next run writes once this one has written, or has ended without saying so
        wrote = watch(Promise.race([hasWritten, stored]))
        await Promise.race([hasPlanned, stored])
      }
      // oldest first: everything not stored yet was updated at or after the newest time stored
      let newest = cursor?.getTime() ?? 0
      for (const page of pages)
        for (const it of page.items) {
          const t = Number(it.update_time) * 1000
          if (Number.isFinite(t) && t > newest) newest = t
        }
      const moved = newest ? new Date(Math.min(newest, end.getTime())) : null
      if (moved && (!cursor || moved > cursor)) cursor = moved
      if (!pages[pages.length - 1].nextPageToken) break
      const at = cursor
      const batch = stored
      moving = watch(Promise.all([moving, batch]).then(() => lease.advance(at)))
    }
  } finally {
    reader.stop()
    // what was started finishes (and moves the cursor) before the lease is given up
    await Promise.allSettled([stored, moving])
  }
  if (trouble.failed) throw trouble.failed.error
  await lease.advance(cursor && cursor > end ? cursor : end)
}

const recordId = (key: 'id' | 'cancel_id') => (x: unknown) => stringField(x, key)

async function syncOrders(deps: SyncDeps, shopId: string, lease: Lease, report: KindReport, onReadEnd: () => void): Promise<void> {
  const o = opts(deps)
  if (!lease.cursor) await deps.sink.historyBegins(shopId, deps.clock.now())
  await windowed<PlatformOrder>(
    deps,
    lease,
    report,
    (ge, lt, token) => deps.shop.searchOrders(shopId, { updateTimeGe: ge, updateTimeLt: lt, pageSize: o.pageSize, pageToken: token }),
    recordId('id'),
    (items, flow) => storeOrderPage(deps, shopId, report, items, flow),
    onReadEnd,
  )
  await deps.sink.ordersSynced(shopId)
}

const PENDING = 'CANCELLATION_REQUEST_PENDING'

/**
 * The open buyer requests, then every change since the cursor. Both listings are read from the start;
 * nothing is stored before `storeAfter` settles (the orders' sync), and the changes only after the
 * open requests.
 */
async function syncCancellations(deps: SyncDeps, shopId: string, lease: Lease, report: KindReport, storeAfter: Promise<unknown>): Promise<void> {
  const o = opts(deps)
  const store = (items: PlatformCancellation[]) => storeCancellationPage(deps, shopId, report, items)
  // every open buyer request, whatever its age (no cursor): read ahead, the pages read so far stored together
  const pending = new ReadAhead((token) => deps.shop.searchCancellations(shopId, { cancelStatus: [PENDING], pageSize: 50, pageToken: token }), o.readAheadPages)
  const open = (async () => {
    try {
      await Promise.allSettled([storeAfter])
      for (let pages = await pending.take(o.readAheadPages); pages; pages = await pending.take(o.readAheadPages)) {
        report.pages += pages.length
        for (const page of pages) report.seen += page.items.length
        for (const run of joinPages(pages, recordId('cancel_id'))) await store(run)
      }
    } finally {
      pending.stop()
    }
  })()
  // and every change since the cursor (accepted, withdrawn, expired, seller cancellations), stored after them
  const changes = windowed<PlatformCancellation>(
    deps,
    lease,
    report,
    (ge, lt, t) => deps.shop.searchCancellations(shopId, { updateTimeGe: ge, updateTimeLt: lt, pageSize: 50, pageToken: t }),
    recordId('cancel_id'),
    async (items) => {
      await open
      await store(items)
    },
  )
  // both end before the lease is given up; the first failure is the sync's
  const failed = (await Promise.allSettled([open, changes])).find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** sync_state rows of a shop, for `shop list` and `doctor`. */
export async function syncStatus(db: Db, shopId?: string) {
  return db
    .select()
    .from(syncState)
    .where(shopId ? eq(syncState.shopId, shopId) : sql`true`)
    .orderBy(syncState.shopId, syncState.kind)
}
