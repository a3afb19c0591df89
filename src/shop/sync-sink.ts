/**
 * Where synced and webhook-delivered platform records go: the workflow core's use cases
 * (processPlatformOrder / processPlatformCancellation), which store the record and raise the
 * follow-ups (stock check, notifications) in one transaction.
 */
import type { Db } from '../../db/database.js'
import { ingestOrder } from '../orders/ingest.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import type { Clock } from '../shared/clock.js'
import type { PlatformCancellation } from './port.js'

export interface PlatformSink {
  order(shopId: string, order: PlatformOrder): Promise<void>
  cancellation(shopId: string, c: PlatformCancellation): Promise<void>
}

/** Until the workflow core is wired: orders through the idempotent ingest, cancellations not stored. */
export function ingestOnlySink(deps: { db: Db; clock: Clock }): PlatformSink {
  return {
    async order(shopId, order) {
      await deps.db.transaction((tx) => ingestOrder(tx, shopId, order, deps.clock.now()))
    },
    async cancellation() {},
  }
}
