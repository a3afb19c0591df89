/**
 * Where synced and webhook-delivered platform records go: the workflow core's use cases
 * (processPlatformOrder, processPlatformOrderPage / processPlatformCancellation,
 * processPlatformCancellationPage), which store the record and raise the
 * follow-ups (stock check, notifications) in one transaction, idempotently.
 */
import type { Db, Executor } from '../../db/database.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'
import { announceImport, beginHistory } from '../workflow/history.js'
import { processPlatformCancellationPage, type CancellationPageResult } from '../workflow/process-cancellation-page.js'
import { processPlatformCancellation } from '../workflow/process-cancellation.js'
import { processPlatformOrder } from '../workflow/process-order.js'
import { processPlatformOrderPage, type OrderPageResult, type PageFlow } from '../workflow/process-order-page.js'
import type { PlatformCancellation } from './port.js'

export interface PlatformSink {
  /** `tx`: run inside this open transaction (as a savepoint) instead of a transaction of its own */
  order(shopId: string, order: PlatformOrder, tx?: Executor): Promise<void>
  /** a page of orders in one transaction (malformed ones are reported, not thrown); `flow`: see PageFlow */
  orderPage(shopId: string, orders: PlatformOrder[], flow?: PageFlow): Promise<OrderPageResult>
  cancellation(shopId: string, c: PlatformCancellation, tx?: Executor): Promise<void>
  /** a page of cancellation records in one transaction (malformed ones are reported, not thrown) */
  cancellationPage(shopId: string, list: PlatformCancellation[]): Promise<CancellationPageResult>
  /** the shop's first orders sync is beginning: what was paid before `now` is its history (once) */
  historyBegins(shopId: string, now: Date): Promise<void>
  /** an orders sync completed: after the first, the following chats are told what it imported (once) */
  ordersSynced(shopId: string): Promise<void>
}

/** The workflow core as the sink; `kick` wakes the outbox dispatcher after new messages. */
export function workflowSink(deps: { db: Db; clock: Clock; logger: Logger; kick?: () => void }): PlatformSink {
  return {
    async order(shopId, order, tx) {
      await processPlatformOrder(tx ? { ...deps, db: tx as Db } : deps, shopId, order)
    },
    orderPage: (shopId, list, flow) => processPlatformOrderPage(deps, shopId, list, flow),
    async cancellation(shopId, c, tx) {
      await processPlatformCancellation(tx ? { ...deps, db: tx as Db } : deps, shopId, c)
    },
    cancellationPage: (shopId, list) => processPlatformCancellationPage(deps, shopId, list),
    historyBegins: (shopId, now) => beginHistory(deps.db, shopId, now),
    async ordersSynced(shopId) {
      await announceImport(deps, shopId)
    },
  }
}
