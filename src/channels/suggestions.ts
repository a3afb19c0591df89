/**
 * What a member may pick while typing a command's option (Discord autocomplete): the shops the
 * channel follows (/export's shop), their orders (/order, /label, /mark, /cancel), or their SKUs
 * (/stock). Read-only;
 * only for members with a role (viewer or above), like the commands themselves. A channel the
 * assistant does not know yet gets nothing, and is not created.
 */
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { channelShops, channels, orders } from '../../db/schema.js'
import type { Actor, ChannelRef, Locale, Suggestion } from '../assistant/types.js'
import { translator } from '../i18n/index.js'
import { knownSkus } from '../inventory/sku-match.js'
import { stockLineText, stockViews, type StockView } from '../inventory/stock.js'
import { orderListColumns } from '../orders/find.js'
import { orderSummary } from '../workflow/order-messages.js'
import { namedShops, shopNamesIfSeveral } from './channels.js'
import { atLeast, resolveRole } from './roles.js'

/** Discord shows at most 25 suggestions, each name and value at most 100 characters. */
const MAX = 25

/** The channel's shops and language, when the member may see them. */
async function scope(db: Executor, ref: ChannelRef, actor: Actor): Promise<{ shopIds: string[]; locale: Locale } | null> {
  const [ch] = await db
    .select({ id: channels.id, locale: channels.locale })
    .from(channels)
    .where(and(eq(channels.platform, ref.platform), eq(channels.externalId, ref.externalId)))
  if (!ch) return null
  const followed = await db.select({ shopId: channelShops.shopId }).from(channelShops).where(eq(channelShops.channelId, ch.id))
  if (!followed.length || !atLeast(await resolveRole(db, ch.id, actor, true), 'viewer')) return null
  return { shopIds: followed.map((f) => f.shopId), locale: ch.locale as Locale }
}

/** The shops the channel follows whose id or name contains what was typed. */
export async function suggestShops(db: Executor, ref: ChannelRef, actor: Actor, query: string, limit = MAX): Promise<Suggestion[]> {
  const s = await scope(db, ref, actor)
  if (!s) return []
  const rows = await namedShops(db, s.shopIds)
  const q = query.trim().toLowerCase()
  return rows
    .filter((r) => !q || r.id.includes(q) || r.name.toLowerCase().includes(q))
    .slice(0, limit)
    .map((r) => ({ name: `${r.name} (${r.id})`.slice(0, 100), value: r.id }))
}

/**
 * The channel's orders whose number holds what was typed (its start, its last digits, any part), or
 * whose tracking number starts with it; newest first. Nothing typed: the newest orders.
 */
export async function suggestOrders(db: Executor, ref: ChannelRef, actor: Actor, query: string, limit = MAX): Promise<Suggestion[]> {
  const q = query.trim()
  // letters, digits and dashes only: nothing LIKE would read as a wildcard
  if (!/^[A-Za-z0-9-]{0,64}$/.test(q)) return []
  const s = await scope(db, ref, actor)
  if (!s) return []
  const typed = q ? or(sql`${orders.id} like ${`%${q}%`}`, sql`upper(${orders.trackingNumber}) like ${`${q.toUpperCase()}%`}`) : undefined
  const rows = await db
    .select(orderListColumns)
    .from(orders)
    .where(and(inArray(orders.shopId, s.shopIds), typed))
    .orderBy(desc(orders.createTime))
    .limit(limit)
  const t = translator(s.locale)
  // a channel of several shops: whose order each is
  const names = await shopNamesIfSeveral(db, s.shopIds)
  return rows.map((o) => ({ name: `${o.id} · ${orderSummary(t, o)}${names ? ` · ${names.get(o.shopId) ?? ''}` : ''}`.slice(0, 100), value: o.id }))
}

/**
 * The SKUs of the channel's shops (stock recorded, or in an order of the last 90 days) that hold what
 * was typed, in any letter case; each with its stock line (on hand, reserved, available or short) or
 * "no stock recorded". In a channel of several shops each is `SHOP_ID:SKU`, named with its shop,
 * which is what /stock takes there.
 */
export async function suggestSkus(db: Executor, ref: ChannelRef, actor: Actor, query: string, now: Date, limit = MAX): Promise<Suggestion[]> {
  const s = await scope(db, ref, actor)
  if (!s) return []
  const q = query.trim().toLowerCase()
  const t = translator(s.locale)
  const names = await shopNamesIfSeveral(db, s.shopIds)
  // those starting with what was typed first, then by shop and SKU
  const found: { shopId: string; sku: string; starts: boolean }[] = []
  for (const shopId of s.shopIds)
    for (const sku of await knownSkus(db, shopId, now)) if (sku.toLowerCase().includes(q)) found.push({ shopId, sku, starts: sku.toLowerCase().startsWith(q) })
  found.sort((a, b) => Number(b.starts) - Number(a.starts) || a.shopId.localeCompare(b.shopId) || a.sku.localeCompare(b.sku))
  const picked = found.slice(0, limit)
  const views = new Map<string, StockView>()
  for (const shopId of s.shopIds)
    for (const v of await stockViews(db, shopId, picked.filter((f) => f.shopId === shopId).map((f) => f.sku))) views.set(`${shopId}:${v.sellerSku}`, v)
  return picked.map(({ shopId, sku }) => {
    const v = views.get(`${shopId}:${sku}`)
    const line = v ? stockLineText(t, v) : `${sku} · ${t('stock.no_stock_recorded')}`
    return names ? { name: `${names.get(shopId) ?? shopId} · ${line}`.slice(0, 100), value: `${shopId}:${sku}` } : { name: line.slice(0, 100), value: sku }
  })
}
