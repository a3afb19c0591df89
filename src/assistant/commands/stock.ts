import { and, eq, inArray, sql } from 'drizzle-orm'
import { stockLevels } from '../../../db/schema.js'
import { namedShops, shopNamesIfSeveral, type NamedShop } from '../../channels/channels.js'
import { adjustStock, setStock, stockLineText, stockViews, validateQuantity, validateSku, type StockView } from '../../inventory/stock.js'
import { ordersCoverMoved, ordersHolding, type HoldingOrder } from '../../inventory/stock-check.js'
import { knownSkus, matchSku } from '../../inventory/sku-match.js'
import { dailySales, daysLeft, LOW_DAYS, roughly, SALES_DAYS } from '../../inventory/sales-rate.js'
import { recheckAfterChange } from '../../workflow/stock-recheck.js'
import { stockFromFile, stockSheet } from './stock-file.js'
import { message, type Line, type NeutralMessage } from '../../notifications/message.js'
import type { Command } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { okReply } from '../replies.js'
import { userError } from '../user-error.js'

const listed = (list: NamedShop[]) => list.map((s) => `${s.id} (${s.name})`).join(', ')

/**
 * "SKU" in a one-shop channel. In a channel that follows several: "SHOP:SKU", the shop by its ID or
 * its name (any letter case), or the SKU alone when stock of it is recorded in exactly one of them.
 */
async function resolveShopSku(ctx: CommandContext, raw: string): Promise<{ shopId: string; sku: string }> {
  const text = raw.trim()
  if (ctx.shopIds.length === 1) return { shopId: ctx.shopIds[0], sku: validateSku(text) }
  const list = await namedShops(ctx.deps.db, ctx.shopIds)
  const lower = text.toLowerCase()
  const prefix = (s: string) => `${s.trim().toLowerCase()}:`
  const byId = list.find((s) => lower.startsWith(prefix(s.id)))
  const named = byId ? { shop: byId, len: prefix(byId.id).length } : list.map((s) => ({ shop: s, len: prefix(s.name).length })).find((x) => x.len > 1 && lower.startsWith(prefix(x.shop.name)))
  if (named) return { shopId: named.shop.id, sku: validateSku(text.slice(named.len)) }
  const sku = validateSku(text)
  // the shops with stock of it recorded, in any letter case (the SKU is then matched in that shop)
  const stocked = await ctx.deps.db
    .selectDistinct({ shopId: stockLevels.shopId })
    .from(stockLevels)
    .where(and(inArray(stockLevels.shopId, ctx.shopIds), eq(sql`lower(${stockLevels.sellerSku})`, sku.toLowerCase())))
  if (stocked.length === 1) return { shopId: stocked[0].shopId, sku }
  throw userError('bad_input', stocked.length ? 'stock.which_shop_several' : 'stock.which_shop', { sku, shops: listed(list) })
}

/**
 * The typed SKU as the shop writes it (`tote-blu` is its `TOTE-BLU`: stock recorded under another
 * spelling would never meet the orders), and, for a SKU the shop has never had (no stock recorded, in
 * no order of the last 90 days), the nearest ones it has. A SKU with stock recorded as typed is
 * taken at once.
 */
async function shopSku(ctx: CommandContext, shopId: string, typed: string): Promise<{ sku: string; isNew: boolean; near: string[] }> {
  const [exact] = await ctx.deps.db
    .select({ sku: stockLevels.sellerSku })
    .from(stockLevels)
    .where(and(eq(stockLevels.shopId, shopId), eq(stockLevels.sellerSku, typed)))
  if (exact) return { sku: typed, isNew: false, near: [] }
  const m = matchSku(typed, await knownSkus(ctx.deps.db, shopId, ctx.deps.clock.now()))
  if (m.kind === 'ambiguous') throw userError('bad_input', 'stock.sku_case_ambiguous', { sku: typed, skus: m.options.join(', ') })
  return m.kind === 'known' ? { sku: m.sku, isNew: false, near: [] } : { sku: typed, isNew: true, near: m.near }
}

/** What to say of a SKU new to the shop: that it is new, and the shop's SKUs it may have been meant for. */
function newSkuLines(t: CommandContext['t'], s: { sku: string; isNew: boolean; near: string[] }): string[] {
  if (!s.isNew) return []
  return [t('stock.new_sku', { sku: s.sku }), ...(s.near.length ? [t('stock.did_you_mean', { skus: s.near.join(', ') })] : [])]
}

/** What a stock change leaves for the next orders: on hand less the units open orders hold. */
async function afterChange(ctx: CommandContext, shopId: string, sku: string): Promise<string[]> {
  const [v] = await stockViews(ctx.deps.db, shopId, sku)
  if (!v) return []
  if (v.available < 0) return [ctx.t('stock.after_change_short', { reserved: v.reserved, short: -v.available })]
  return [ctx.t('stock.after_change', { reserved: v.reserved, available: v.available })]
}

/** the SKUs a shop's list shows besides the short ones (every short one is shown) */
const LIST_LIMIT = 40

/** the open orders one SKU's view lists at most */
const HOLDING_LIMIT = 10

/**
 * Below one SKU's line, the open orders that hold it, first paid first: which the stock on hand
 * covers (✓) and which it does not (✗), with their pack-by times; buttons open the first uncovered
 * ones, to pack them once stock comes in, or to cancel them (R2).
 */
async function withHoldingOrders(ctx: CommandContext, m: NeutralMessage, shopId: string, sku: string, onHand: number): Promise<NeutralMessage> {
  const { list, total } = await ordersHolding(ctx.deps.db, shopId, sku, HOLDING_LIMIT)
  if (!list.length) return m
  const t = ctx.t
  const covered = (h: HoldingOrder) => h.running <= onHand
  m.lines.push([t('stock.holding', { count: total })])
  for (const h of list) m.lines.push(holdingLine(t, h, covered(h)))
  if (total > list.length) m.lines.push([t('stock.holding_more', { n: total - list.length })])
  m.buttons = openButtons(list.filter((h) => !covered(h)))
  return m
}

/** One open order holding the SKU: ✓ covered by the stock on hand or ✗ not, its units, its pack-by time. */
function holdingLine(t: CommandContext['t'], h: HoldingOrder, covered: boolean): Line {
  return [
    covered ? '✓ ' : '✗ ',
    { code: h.orderId },
    ` · ${t('stock.units', { n: h.units })} · ${t(covered ? 'stock.covered' : 'stock.not_covered')}${h.status === 'cancelling' ? ` · ${t('stock.buyer_cancelling')}` : ''}`,
    ...(h.packByAt ? [` · ${t('stock.pack_by')} `, { at: h.packByAt.toISOString(), style: 'datetime' as const }] : []),
  ]
}

/** Buttons that open the first five of these orders. */
const openButtons = (list: HoldingOrder[]): NeutralMessage['buttons'] =>
  list.slice(0, 5).map((h) => [{ label: h.orderId, style: 'secondary', action: { type: 'order.show', orderId: h.orderId } }])

/** the open orders a change lists at most (of those it covers now, or no longer covers) */
const CHANGED_LIMIT = 10

/**
 * The open orders a change of the units on hand from `before` to `after` covers now (units came in:
 * they can be packed), or no longer covers (units went out), first paid first, with buttons to open
 * them; their posts are edited to show it (recheckAfterChange).
 */
async function coverageChange(ctx: CommandContext, shopId: string, sku: string, before: number, after: number): Promise<{ lines: Line[]; buttons: NeutralMessage['buttons'] }> {
  const changed = await ordersCoverMoved(ctx.deps.db, shopId, [{ sku, before, after }])
  if (!changed.length) return { lines: [], buttons: [] }
  await recheckAfterChange(ctx.deps, shopId, changed.map((h) => h.orderId), ctx.deps.clock.now(), { sku })
  const gained = after > before
  const t = ctx.t
  return {
    lines: [
      [t(gained ? 'stock.now_covered' : 'stock.no_longer_covered', { count: changed.length })],
      ...changed.slice(0, CHANGED_LIMIT).map((h) => holdingLine(t, h, gained)),
      ...(changed.length > CHANGED_LIMIT ? [[t('stock.holding_more', { n: changed.length - CHANGED_LIMIT })]] : []),
    ],
    buttons: openButtons(changed),
  }
}

/** A SKU's line, in bold when open orders hold more than is on hand. */
function stockLine(t: CommandContext['t'], v: StockView): Line {
  return v.available < 0 ? [{ bold: stockLineText(t, v) }] : [stockLineText(t, v)]
}

export const stock: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'stock' }>
  if (c.file) return stockFromFile(ctx, c)
  if (c.sheet !== undefined) return stockSheet(ctx, c)
  const t = ctx.t
  if (c.adjust !== undefined && c.adjust !== null) {
    ctx.require('operator')
    if (c.quantity !== undefined && c.quantity !== null) throw userError('bad_input', 'stock.set_or_adjust')
    const { shopId, sku: typed } = await resolveShopSku(ctx, c.sku ?? '')
    const found = await shopSku(ctx, shopId, typed)
    const sku = found.sku
    // a change to a SKU the shop has never had, when it has ones like it, is most likely a typo
    if (found.isNew && found.near.length) throw userError('bad_input', 'stock.adjust_unknown_near', { sku, skus: found.near.join(', ') })
    const now = ctx.deps.clock.now()
    const r = await ctx.deps.db.transaction((tx) =>
      adjustStock(tx, { shopId, sellerSku: sku, delta: c.adjust!, actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, now }),
    )
    const change = await coverageChange(ctx, shopId, sku, r.after - c.adjust, r.after)
    return okReply(
      t('stock.adjusted', { sku, before: r.after - c.adjust, delta: c.adjust > 0 ? `+${c.adjust}` : String(c.adjust), quantity: r.after }),
      [...newSkuLines(t, found), ...(await afterChange(ctx, shopId, sku)), ...change.lines],
      { message: { buttons: change.buttons } },
    )
  }
  if (c.quantity !== undefined && c.quantity !== null) {
    ctx.require('operator')
    const quantity = validateQuantity(c.quantity)
    const { shopId, sku: typed } = await resolveShopSku(ctx, c.sku ?? '')
    const found = await shopSku(ctx, shopId, typed)
    const sku = found.sku
    const now = ctx.deps.clock.now()
    const before = await ctx.deps.db.transaction((tx) =>
      setStock(tx, { shopId, sellerSku: sku, quantity, actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, now }),
    )
    const change = await coverageChange(ctx, shopId, sku, before ?? 0, quantity)
    return okReply(t('stock.set', { sku, quantity, before: before ?? '—' }), [...newSkuLines(t, found), ...(await afterChange(ctx, shopId, sku)), ...change.lines], {
      message: { buttons: change.buttons },
    })
  }
  ctx.require('viewer')
  const lines: Line[] = []
  if (c.sku) {
    const { shopId, sku: typed } = await resolveShopSku(ctx, c.sku)
    const found = await shopSku(ctx, shopId, typed)
    const sku = found.sku
    const views = await stockViews(ctx.deps.db, shopId, sku)
    if (!views.length) {
      lines.push([t('stock.unknown_sku', { sku })])
      if (found.near.length) lines.push([t('stock.did_you_mean', { skus: found.near.join(', ') })])
    }
    for (const v of views) lines.push(stockLine(t, v))
    const m = message({ kind: 'stock', title: t('stock.title'), lines })
    // (a SKU with no stock recorded is not checked: nothing to say which orders it covers)
    return { ok: true, ephemeral: true, message: views.length ? await withHoldingOrders(ctx, m, shopId, sku, views[0].onHand) : m }
  } else {
    // several shops: each one's SKUs under its name
    const heads = await shopNamesIfSeveral(ctx.deps.db, ctx.shopIds)
    for (const shopId of ctx.shopIds) {
      const views = await stockViews(ctx.deps.db, shopId)
      if (heads && views.length) lines.push([{ bold: `${heads.get(shopId) ?? ''} (${shopId})` }])
      // every SKU open orders are short of first: what to restock (or cancel) before packing; then
      // the others, as many as a chat message holds
      const short = views.filter((v) => v.available < 0)
      for (const v of short) lines.push(stockLine(t, v))
      // then those that sell out within LOW_DAYS at the pace of the last SALES_DAYS, soonest first
      const enough = views.filter((v) => v.available >= 0)
      const pace = await dailySales(ctx.deps.db, shopId, enough.map((v) => v.sellerSku), ctx.deps.clock.now())
      const left = (v: StockView) => daysLeft(v.available, pace.get(v.sellerSku))
      const low = enough.filter((v) => left(v) < LOW_DAYS).sort((a, b) => left(a) - left(b))
      if (low.length) lines.push([t('stock.running_low', { days: LOW_DAYS, sales: SALES_DAYS, count: low.length })])
      for (const v of low) lines.push([`${stockLineText(t, v)} · ${t('stock.days_left', { days: roughly(left(v)), rate: roughly(pace.get(v.sellerSku)!) })}`])
      const rest = enough.filter((v) => !low.includes(v))
      const shown = rest.slice(0, Math.max(0, LIST_LIMIT - short.length - low.length))
      for (const v of shown) lines.push(stockLine(t, v))
      if (rest.length > shown.length) lines.push([t('stock.list_more', { n: rest.length - shown.length })])
    }
    // the import hint names the shop when there is one
    if (!lines.length) lines.push([t('stock.none', { shop: ctx.shopIds.length === 1 ? ctx.shopIds[0] : 'SHOP_ID' })])
  }
  return { ok: true, ephemeral: true, message: message({ kind: 'stock', title: t('stock.title'), lines }) }
}
