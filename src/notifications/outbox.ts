/**
 * Writing to the stored outbox. Always inside the caller's transaction, so a message exists exactly
 * when the change that caused it committed. `dedupeKey` is unique: enqueueing twice posts once.
 */
import { and, eq, sql } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import { rows, type Executor } from '../../db/database.js'
import { insertJsonRows } from '../../db/json-rows.js'
import { channelShops, channels, outbox } from '../../db/schema.js'
import type { ChannelInfo, Locale, Platform } from '../assistant/types.js'
import type { NeutralMessage } from './message.js'

export interface OutboxItem {
  channelId: number
  dedupeKey: string
  kind: 'post' | 'edit'
  /** the logical message (e.g. cancel:123): a post records its platform id under it, an edit finds it */
  refKey?: string
  payload: NeutralMessage
  notBefore?: Date
}

/** Returns the new row id, or null when a row with this dedupe key already exists. */
export async function enqueue(tx: Executor, item: OutboxItem): Promise<number | null> {
  const rows = await tx
    .insert(outbox)
    .values({
      channelId: item.channelId,
      dedupeKey: item.dedupeKey,
      kind: item.kind,
      refKey: item.refKey ?? null,
      payload: item.payload,
      // due at once, whatever the clock says (the database's now() and a test clock may differ)
      nextAttemptAt: item.notBefore ?? new Date(0),
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id })
  return rows[0]?.id ?? null
}

export const toChannelInfo = (c: typeof channels.$inferSelect): ChannelInfo => ({
  id: c.id,
  platform: c.platform as Platform,
  externalId: c.externalId,
  locale: (c.locale === 'zh-CN' ? 'zh-CN' : 'en') as Locale,
  timeZone: c.timeZone,
})

/** The messages still to send to a channel (pending or being sent), and since when the oldest waits. */
export async function channelBacklog(db: Executor, channelId: number): Promise<{ count: number; oldest: Date | null }> {
  const [r] = await rows<{ n: number; oldest: Date | string | null }>(
    db,
    sql`select count(*)::int as n, min(created_at) as oldest from outbox where channel_id = ${channelId} and status in ('pending', 'sending')`,
  )
  return { count: r.n, oldest: r.oldest ? new Date(r.oldest) : null }
}

/** Every channel that follows the shop. */
export async function channelsFollowing(tx: Executor, shopId: string): Promise<ChannelInfo[]> {
  const rows = await tx
    .select({ c: channels, shops: sql<number>`(select count(*) from ${channelShops} x where x.channel_id = ${channels.id})`.mapWith(Number) })
    .from(channelShops)
    .innerJoin(channels, eq(channels.id, channelShops.channelId))
    .where(eq(channelShops.shopId, shopId))
    .orderBy(channels.id)
  return rows.map((r) => ({ ...toChannelInfo(r.c), ...(r.shops > 1 ? { severalShops: true } : {}) }))
}

/** One logical message for every channel following a shop. */
export interface ShopMessage {
  /** dedupe key per channel: `${dedupeKeyBase}@${channelId}` */
  dedupeKeyBase: string
  refKey?: string
  build: (ch: ChannelInfo) => NeutralMessage
}

/**
 * Each message once per channel following the shop, built in that channel's language and zone, in
 * one multi-row insert (rows in the order given: message by message, channel by channel). An edit
 * goes only to the channels that were sent the message it edits (its refKey): a chat that began to
 * follow the shop later, or whose order came in as history, never saw it, and the edit would reach
 * it as a message about something it was never told of. Returns how many rows were new.
 */
export async function enqueueManyForShop(
  tx: Executor,
  shopId: string,
  messages: ShopMessage[],
  kind: 'post' | 'edit' = 'post',
  /** the shop's followers, when the caller already read them */
  following?: ChannelInfo[],
): Promise<number> {
  if (!messages.length) return 0
  const chans = following ?? (await channelsFollowing(tx, shopId))
  if (!chans.length) return 0
  const shown = kind === 'edit' ? await channelsShowing(tx, messages) : null
  const values = messages.flatMap((m) =>
    chans
      .filter((ch) => !shown || (m.refKey !== undefined && shown.has(`${ch.id}:${m.refKey}`)))
      .map((ch) => ({
        channelId: ch.id,
        dedupeKey: `${m.dedupeKeyBase}@${ch.id}`,
        kind,
        refKey: m.refKey ?? null,
        payload: m.build(ch),
        // due at once, whatever the clock says
        nextAttemptAt: new Date(0),
      })),
  )
  if (!values.length) return 0
  return (await rows(tx, insertJsonRows(outbox, values, sql`on conflict (dedupe_key) do nothing returning id`))).length
}

/** `channel:refKey` of every message among these that was posted (or is to be) to a channel. */
async function channelsShowing(tx: Executor, messages: ShopMessage[]): Promise<Set<string>> {
  const refs = [...new Set(messages.flatMap((m) => (m.refKey === undefined ? [] : [m.refKey])))]
  if (!refs.length) return new Set()
  const posted = await tx
    .select({ channelId: outbox.channelId, refKey: outbox.refKey })
    .from(outbox)
    .where(and(eq(outbox.kind, 'post'), anyOf(outbox.refKey, refs)))
  return new Set(posted.map((r) => `${r.channelId}:${r.refKey}`))
}

/** One message per channel following the shop (see enqueueManyForShop). */
export const enqueueForShop = (
  tx: Executor,
  shopId: string,
  dedupeKeyBase: string,
  refKey: string | undefined,
  build: (ch: ChannelInfo) => NeutralMessage,
  kind: 'post' | 'edit' = 'post',
): Promise<number> => enqueueManyForShop(tx, shopId, [{ dedupeKeyBase, refKey, build }], kind)

/** An edit of a logical message in every channel that shows it (see enqueueManyForShop). */
export const enqueueEditForShop = (
  tx: Executor,
  shopId: string,
  dedupeKeyBase: string,
  refKey: string,
  build: (ch: ChannelInfo) => NeutralMessage,
) => enqueueForShop(tx, shopId, dedupeKeyBase, refKey, build, 'edit')
