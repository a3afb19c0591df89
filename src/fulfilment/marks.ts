/**
 * R4 progress marks: pick list printed, label printed, packed, handed over. From commands (with an
 * audit row) or from the platform's status. A mark stops that step's deadline warnings.
 */
import { eq, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { orders } from '../../db/schema.js'
import { audit } from '../audit/audit.js'
import type { MarkStep } from '../notifications/actions.js'
import { isHandedOver, isShipmentArranged } from '../orders/status.js'

export const MARK_STEPS: MarkStep[] = ['pick_list', 'label', 'packed', 'handed_over']

export const MARK_COLUMN = {
  pick_list: orders.pickListPrintedAt,
  label: orders.labelPrintedAt,
  packed: orders.packedAt,
  handed_over: orders.handedOverAt,
} as const

const FIELD = { pick_list: 'pickListPrintedAt', label: 'labelPrintedAt', packed: 'packedAt', handed_over: 'handedOverAt' } as const

export function parseMarkStep(value: string): MarkStep | null {
  const v = value.trim().toLowerCase().replace(/[\s-]/g, '_')
  const aliases: Record<string, MarkStep> = {
    pick_list: 'pick_list', picklist: 'pick_list', picked: 'pick_list', 拣货单: 'pick_list',
    label: 'label', labelled: 'label', 面单: 'label',
    packed: 'packed', pack: 'packed', 打包: 'packed', 已打包: 'packed',
    handed_over: 'handed_over', handover: 'handed_over', shipped: 'handed_over', 交运: 'handed_over', 已交运: 'handed_over',
  }
  return aliases[v] ?? null
}

export interface MarkInput {
  orderId: string
  step: MarkStep
  actor: { key: string; name: string; channelId?: number | null }
  at: Date
}

/**
 * Sets the step's time if it is not set yet (the first mark wins). Packing implies the pick list and
 * label were printed; handing over implies packed. Returns whether it changed and the step's time.
 */
export async function markOrder(tx: Executor, input: MarkInput): Promise<{ changed: boolean; at: Date | null }> {
  const col = MARK_COLUMN[input.step]
  const implied: MarkStep[] =
    input.step === 'handed_over' ? ['pick_list', 'label', 'packed'] : input.step === 'packed' ? ['pick_list', 'label'] : []
  const set: Record<string, unknown> = { [FIELD[input.step]]: sql`coalesce(${col}, ${input.at.toISOString()}::timestamptz)` }
  for (const s of implied) set[FIELD[s]] = sql`coalesce(${MARK_COLUMN[s]}, ${input.at.toISOString()}::timestamptz)`
  const [before] = await tx.select({ at: col }).from(orders).where(eq(orders.id, input.orderId)).for('update')
  if (!before) return { changed: false, at: null }
  if (before.at) return { changed: false, at: before.at }
  await tx.update(orders).set(set).where(eq(orders.id, input.orderId))
  await audit(tx, {
    actor: input.actor.key,
    actorName: input.actor.name,
    channelId: input.actor.channelId,
    action: 'order.mark',
    subject: `order:${input.orderId}`,
    details: { step: input.step },
    at: input.at,
  })
  return { changed: true, at: input.at }
}

/** The label and packed marks a platform status proves (shipment arranged), as column values: stored
 * with coalesce, so a mark we already hold keeps its time. Hand-over comes with the order row itself. */
export function platformMarks(platformStatus: string, at: Date): { labelPrintedAt: Date | null; packedAt: Date | null } {
  const arranged = isShipmentArranged(platformStatus)
  return { labelPrintedAt: arranged ? at : null, packedAt: arranged ? at : null }
}

/** Marks that the platform's status proves (shipment arranged → label and packed; collected → handed over). */
export async function applyPlatformMarks(tx: Executor, orderId: string, platformStatus: string, at: Date): Promise<void> {
  const set: Record<string, unknown> = {}
  const iso = at.toISOString()
  if (platformMarks(platformStatus, at).packedAt) {
    set.labelPrintedAt = sql`coalesce(${orders.labelPrintedAt}, ${iso}::timestamptz)`
    set.packedAt = sql`coalesce(${orders.packedAt}, ${iso}::timestamptz)`
  }
  if (isHandedOver(platformStatus)) set.handedOverAt = sql`coalesce(${orders.handedOverAt}, ${iso}::timestamptz)`
  if (Object.keys(set).length) await tx.update(orders).set(set).where(eq(orders.id, orderId))
}
