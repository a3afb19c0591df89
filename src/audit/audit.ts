/** The audit log: who did what, written in the caller's transaction so it commits with the change. */
import type { Executor } from '../../db/database.js'
import { auditLog } from '../../db/schema.js'

export type AuditAction =
  | 'link'
  | 'unlink'
  | 'role.grant'
  | 'role.revoke'
  | 'settings.change'
  | 'cancel.accept'
  | 'cancel.reject'
  | 'cancel.expired'
  | 'order.cancel'
  | 'order.mark'
  | 'stock.set'
  | 'stock.import'
  | 'export'
  | (string & {})

export interface AuditEntry {
  /** e.g. telegram:123, discord:456, cli, system, platform */
  actor: string
  actorName?: string
  channelId?: number | null
  action: AuditAction
  /** what it was done to, e.g. order:5766…, cancel:4035…, channel:12, stock:SHOP/SKU */
  subject: string
  details?: Record<string, unknown>
  /** defaults to the database time */
  at?: Date
}

export async function audit(tx: Executor, e: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actor: e.actor,
    actorName: e.actorName ?? '',
    channelId: e.channelId ?? null,
    action: e.action,
    subject: e.subject,
    details: e.details ?? {},
    ...(e.at ? { at: e.at } : {}),
  })
}
