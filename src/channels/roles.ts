/**
 * Roles per channel. A stored member role wins; a platform operator (Telegram chat admin, Discord
 * Manage Server / configured role) counts as operator; anyone else in a linked channel is a viewer.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { channelMembers, channels } from '../../db/schema.js'
import type { Actor, Role } from '../assistant/types.js'
import { userError } from '../assistant/user-error.js'

export const ROLES: Role[] = ['admin', 'operator', 'viewer']
export const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 }

export const actorKey = (a: Pick<Actor, 'platform' | 'userId'>) => `${a.platform}:${a.userId}`

export function parseRole(value: string): Role | null {
  const v = value.trim().toLowerCase()
  const aliases: Record<string, Role> = { admin: 'admin', operator: 'operator', op: 'operator', viewer: 'viewer', 管理员: 'admin', 操作员: 'operator', 查看者: 'viewer' }
  return aliases[v] ?? null
}

export function atLeast(role: Role | null, needed: Role): boolean {
  return role !== null && ROLE_RANK[role] >= ROLE_RANK[needed]
}

export async function resolveRole(db: Executor, channelId: number, actor: Actor, linked: boolean): Promise<Role | null> {
  const [m] = await db
    .select({ role: channelMembers.role })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userKey, actorKey(actor))))
  let role: Role | null = m && ROLES.includes(m.role as Role) ? (m.role as Role) : null
  if (actor.platformOperator && !atLeast(role, 'operator')) role = 'operator'
  if (!role && linked) role = 'viewer'
  return role
}

/** Serialises role changes of one channel (so "the last admin" is decided once). */
async function lockChannel(tx: Executor, channelId: number): Promise<void> {
  await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update')
}

async function adminCount(tx: Executor, channelId: number): Promise<number> {
  const [r] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.role, 'admin')))
  return r.n
}

async function currentRole(tx: Executor, channelId: number, userKey: string): Promise<string | null> {
  const [m] = await tx
    .select({ role: channelMembers.role })
    .from(channelMembers)
    .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userKey, userKey)))
  return m?.role ?? null
}

/** Sets a member's role. Call in a transaction. Refuses to demote the last admin. Returns the previous role. */
export async function setRole(
  tx: Executor,
  channelId: number,
  target: { userKey: string; displayName: string },
  role: Role,
  grantedBy: string,
  at: Date,
): Promise<string | null> {
  await lockChannel(tx, channelId)
  const before = await currentRole(tx, channelId, target.userKey)
  if (before === 'admin' && role !== 'admin' && (await adminCount(tx, channelId)) <= 1) throw userError('conflict', 'roles.last_admin')
  await tx
    .insert(channelMembers)
    .values({ channelId, userKey: target.userKey, displayName: target.displayName, role, grantedBy, grantedAt: at })
    .onConflictDoUpdate({
      target: [channelMembers.channelId, channelMembers.userKey],
      set: { role, displayName: target.displayName, grantedBy, grantedAt: at },
    })
  return before
}

/** Removes a member's role. Call in a transaction. Refuses to remove the last admin. Returns the removed role. */
export async function removeRole(tx: Executor, channelId: number, userKey: string): Promise<string | null> {
  await lockChannel(tx, channelId)
  const before = await currentRole(tx, channelId, userKey)
  if (!before) return null
  if (before === 'admin' && (await adminCount(tx, channelId)) <= 1) throw userError('conflict', 'roles.last_admin')
  await tx.delete(channelMembers).where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userKey, userKey)))
  return before
}
