/**
 * Print status (R4, R6): "pick list printed" and "label printed" marks on orders, written with the
 * audit row in the caller's transaction. The first print time is kept; a reprint only adds an audit row.
 * Print marks are a status for the team and the order SKU export; they do not stop pack-by warnings
 * (only the packed mark does).
 */
import { and, inArray, isNull } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { auditLog, orders } from '../../db/schema.js'

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

/** Sets the mark where it is not set yet; returns the ids that were newly marked. */
export async function markPrinted(tx: Executor, m: PrintMark): Promise<string[]> {
  if (!m.orderIds.length) return []
  const column = m.step === 'pick_list' ? orders.pickListPrintedAt : orders.labelPrintedAt
  const set = m.step === 'pick_list' ? { pickListPrintedAt: m.at } : { labelPrintedAt: m.at }
  const marked = await tx
    .update(orders)
    .set(set)
    .where(and(inArray(orders.id, m.orderIds), isNull(column)))
    .returning({ id: orders.id })
  const fresh = new Set(marked.map((r) => r.id))
  await tx.insert(auditLog).values(
    m.orderIds.map((id) => ({
      at: m.at,
      actor: m.actor,
      actorName: m.actorName ?? '',
      channelId: m.channelId ?? null,
      action: m.step === 'pick_list' ? 'order.pick_list_printed' : 'order.label_printed',
      subject: `order:${id}`,
      details: { ...m.details, reprint: !fresh.has(id) },
    })),
  )
  return [...fresh]
}
