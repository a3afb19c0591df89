/**
 * A chat stops following a shop (/unlink): the link goes, in the caller's transaction; the shop,
 * its orders and the chat's roles stay. What the team should know afterwards is read here too: who
 * else still follows the shop, and the buyer requests that still wait for an answer (R3).
 */
import { and, count, eq, min, ne } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { cancellations, channelShops } from '../../db/schema.js'

/** Removes the link; false when the chat did not follow the shop (an unlink that came first). */
export async function unfollowShop(tx: Executor, channelId: number, shopId: string): Promise<boolean> {
  const gone = await tx
    .delete(channelShops)
    .where(and(eq(channelShops.channelId, channelId), eq(channelShops.shopId, shopId)))
    .returning({ shopId: channelShops.shopId })
  return gone.length > 0
}

export interface AfterUnfollow {
  /** other chats that still follow the shop */
  otherChats: number
  /** buyer cancellation requests of the shop still waiting for an answer, and the first one's deadline */
  pending: number
  firstDue: Date | null
}

export async function afterUnfollow(db: Executor, channelId: number, shopId: string): Promise<AfterUnfollow> {
  const [others] = await db
    .select({ n: count() })
    .from(channelShops)
    .where(and(eq(channelShops.shopId, shopId), ne(channelShops.channelId, channelId)))
  const [open] = await db
    .select({ n: count(), first: min(cancellations.respondBy) })
    .from(cancellations)
    .where(and(eq(cancellations.shopId, shopId), eq(cancellations.state, 'pending')))
  return { otherChats: Number(others?.n ?? 0), pending: Number(open?.n ?? 0), firstDue: open?.first ? new Date(open.first) : null }
}
