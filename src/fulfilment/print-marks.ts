/**
 * Print status (R4, R6): "pick list printed" and "label printed". Each order is marked through
 * markOrder (the first time wins, with its 'order.mark' audit row), and the print itself gets one
 * audit row naming every order on it (reprints included), all in the caller's transaction.
 * Print marks are a status for the team and the order SKU export; they do not stop pack-by
 * warnings (only the packed mark does).
 */
import type { Executor } from '../../db/database.js'
import { audit } from '../audit/audit.js'
import { markOrder } from './marks.js'

export type PrintStep = 'pick_list' | 'label'

export interface PrintMark {
  orderIds: string[]
  step: PrintStep
  /** actor key, e.g. telegram:12345 */
  actor: string
  actorName?: string
  channelId?: number | null
  at: Date
  details?: Record<string, unknown>
}

/** Marks the orders (those not marked yet) and audits the print; returns the ids newly marked. */
export async function recordPrint(tx: Executor, m: PrintMark): Promise<string[]> {
  const ids = [...new Set(m.orderIds)].sort() // one lock order for every print: two prints cannot deadlock
  const fresh: string[] = []
  for (const orderId of ids) {
    const r = await markOrder(tx, {
      orderId,
      step: m.step,
      actor: { key: m.actor, name: m.actorName ?? '', channelId: m.channelId ?? null },
      at: m.at,
    })
    if (r.changed) fresh.push(orderId)
  }
  await audit(tx, {
    actor: m.actor,
    actorName: m.actorName,
    channelId: m.channelId ?? null,
    action: m.step === 'pick_list' ? 'print.pick_list' : 'print.label',
    subject: ids.length === 1 ? `order:${ids[0]}` : `orders:${ids.length}`,
    details: { ...m.details, orderIds: ids, newlyMarked: fresh.length },
    at: m.at,
  })
  return fresh
}
