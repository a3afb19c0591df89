/** Stored chat channels: found or created on first contact, with the shops they follow. */
import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { channelShops, channels, shops } from '../../db/schema.js'
import type { ChannelInfo, ChannelRef, Locale } from '../assistant/types.js'
import { localeFromHint } from '../i18n/index.js'
import { toChannelInfo } from '../notifications/outbox.js'

export type ChannelRow = typeof channels.$inferSelect

/** The channel row for (platform, externalId), created with the platform's locale hint when new. */
export async function ensureChannel(
  db: Executor,
  ref: ChannelRef,
  defaults: { locale: Locale; timeZone: string },
): Promise<ChannelRow> {
  const where = and(eq(channels.platform, ref.platform), eq(channels.externalId, ref.externalId))
  let [row] = await db.select().from(channels).where(where)
  if (!row) {
    await db
      .insert(channels)
      .values({
        platform: ref.platform,
        externalId: ref.externalId,
        title: (ref.title ?? '').slice(0, 200),
        locale: localeFromHint(ref.localeHint, defaults.locale),
        timeZone: defaults.timeZone,
        uploadLimitBytes: ref.uploadLimitBytes ?? null,
      })
      .onConflictDoNothing()
    ;[row] = await db.select().from(channels).where(where)
  } else if (ref.uploadLimitBytes && ref.uploadLimitBytes !== row.uploadLimitBytes) {
    ;[row] = await db.update(channels).set({ uploadLimitBytes: ref.uploadLimitBytes }).where(eq(channels.id, row.id)).returning()
  }
  return row
}

export const channelInfo = (row: ChannelRow): ChannelInfo => toChannelInfo(row)

export async function followedShops(db: Executor, channelId: number): Promise<string[]> {
  const rows = await db
    .select({ shopId: channelShops.shopId })
    .from(channelShops)
    .where(eq(channelShops.channelId, channelId))
    .orderBy(channelShops.linkedAt)
  return rows.map((r) => r.shopId)
}

export interface NamedShop {
  id: string
  name: string
}

/** These shops' IDs and names, by name (none for no IDs). */
export async function namedShops(db: Executor, shopIds: string[]): Promise<NamedShop[]> {
  if (!shopIds.length) return []
  return db.select({ id: shops.id, name: shops.name }).from(shops).where(inArray(shops.id, shopIds)).orderBy(asc(shops.name))
}

/** The shops' names by ID when there are several (a list then says whose each order is), else null. */
export async function shopNamesIfSeveral(db: Executor, shopIds: string[]): Promise<Map<string, string> | null> {
  return shopIds.length > 1 ? new Map((await namedShops(db, shopIds)).map((s) => [s.id, s.name])) : null
}
