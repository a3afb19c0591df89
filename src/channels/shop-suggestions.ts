/**
 * Shop suggestions for a chat's export picker (Discord autocomplete): the shops the channel
 * follows whose id or name contains what was typed. Read-only; only for members with a role
 * (viewer or above), like /export itself. Unknown channels get nothing and are not created.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { channelShops, channels, shops } from '../../db/schema.js'
import type { Actor, ChannelRef } from '../assistant/types.js'
import { atLeast, resolveRole } from './roles.js'

export interface ShopSuggestion {
  name: string
  value: string
}

export async function suggestShops(db: Executor, ref: ChannelRef, actor: Actor, query: string, limit = 25): Promise<ShopSuggestion[]> {
  const [ch] = await db
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.platform, ref.platform), eq(channels.externalId, ref.externalId)))
  if (!ch) return []
  const rows = await db
    .select({ id: shops.id, name: shops.name })
    .from(channelShops)
    .innerJoin(shops, eq(shops.id, channelShops.shopId))
    .where(eq(channelShops.channelId, ch.id))
    .orderBy(asc(shops.name))
  if (!rows.length || !atLeast(await resolveRole(db, ch.id, actor, true), 'viewer')) return []
  const q = query.trim().toLowerCase()
  return rows
    .filter((r) => !q || r.id.includes(q) || r.name.toLowerCase().includes(q))
    .slice(0, limit)
    .map((r) => ({ name: `${r.name} (${r.id})`.slice(0, 100), value: r.id }))
}
