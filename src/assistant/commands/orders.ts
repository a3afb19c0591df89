import { and, desc, eq, inArray } from 'drizzle-orm'
import { orders } from '../../../db/schema.js'
import { shopNamesIfSeveral } from '../../channels/channels.js'
import type { MessageKey } from '../../i18n/index.js'
import { message, type Button, type Line } from '../../notifications/message.js'
import { findOrders, MIN_SUFFIX_DIGITS, ORDER_REF, orderListColumns, type OrderListRow } from '../../orders/find.js'
import { STATUS_FILTERS, type StatusFilter } from '../../orders/status.js'
import { orderDetailMessage, orderSummary } from '../../workflow/order-messages.js'
import { loadOrderView } from '../../workflow/order-view.js'
import type { Command, Reply } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { userError } from '../user-error.js'

const LIMIT = 15
/** the orders a partial number or a tracking number lists at most (more: give more digits) */
const FOUND_LIMIT = 10
/** a number this long is taken for a whole order number, not its last digits */
const WHOLE_NUMBER_DIGITS = 15

/** Accepts the R5 names, with spaces or dashes, and the Chinese tab names. */
export function parseStatusFilter(value: string | undefined): StatusFilter | null {
  if (value === undefined || value.trim() === '') return 'all'
  const v = value.trim().toLowerCase().replace(/[\s-]+/g, '_')
  const zh: Record<string, StatusFilter> = { 全部: 'all', 待付款: 'unpaid', 待发货: 'awaiting_shipment', 已发货: 'shipped', 已完成: 'completed', 取消中: 'cancelling', 已取消: 'cancelled' }
  if ((STATUS_FILTERS as readonly string[]).includes(v)) return v as StatusFilter
  return zh[value.trim()] ?? null
}

export const ordersList: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'orders' }>
  ctx.require('viewer')
  const status = parseStatusFilter(c.status)
  if (!status) throw userError('bad_input', 'orders.bad_status', { status: c.status, allowed: STATUS_FILTERS.join(', ') })
  const where = status === 'all' ? inArray(orders.shopId, ctx.shopIds) : and(inArray(orders.shopId, ctx.shopIds), eq(orders.status, status))
  const [list, total] = await Promise.all([
    ctx.deps.db.select(orderListColumns).from(orders).where(where).orderBy(desc(orders.createTime)).limit(LIMIT),
    ctx.deps.db.$count(orders, where),
  ])
  const t = ctx.t
  // more than are shown: how many, and how to get them all
  const footer = total > list.length ? t('orders.more', { shown: list.length, total, status }) : undefined
  return { ok: true, ephemeral: true, message: await orderListMessage(ctx, t('orders.title', { status: t(`status.${status}` as MessageKey) }), list, footer) }
}

/**
 * A list of orders, a line each, with a button to show each of the first five. In a chat that
 * follows several shops, each line names its order's shop.
 */
async function orderListMessage(ctx: CommandContext, title: string, list: OrderListRow[], footer?: string) {
  const t = ctx.t
  const names = await shopNamesIfSeveral(ctx.deps.db, ctx.shopIds)
  const lines: Line[] = list.length
    ? list.map((o) => [
        { code: o.id },
        ` · ${orderSummary(t, o)} · `,
        { at: o.createTime.toISOString(), style: 'datetime' },
        ...(names ? [` · ${names.get(o.shopId) ?? o.shopId}`] : []),
      ])
    : [[t('orders.none')]]
  const buttons: Button[][] = list.slice(0, 5).map((o) => [{ label: o.id, style: 'secondary', action: { type: 'order.show', orderId: o.id } }])
  return message({ kind: 'orders', title, lines, buttons, ...(footer ? { footer: [footer] } : {}) })
}

/**
 * The order a team member names, by its whole number or, failing that, by the end of its number, its
 * tracking number or its package ID (findOrders): `id` when it names one order of the chat's shops,
 * else `reply`, the list of the orders it names (give more digits). Naming none is a clear error.
 */
export async function resolveOrderRef(ctx: CommandContext, ref: string): Promise<{ id: string; reply?: undefined } | { id?: undefined; reply: Reply }> {
  const id = ref.trim()
  if (!id) throw userError('bad_input', 'order.missing_id')
  if (!ORDER_REF.test(id)) throw userError('not_found', 'order.not_found', { id: id.slice(0, 64) })
  const [whole] = await ctx.deps.db.select({ id: orders.id }).from(orders).where(and(eq(orders.id, id), inArray(orders.shopId, ctx.shopIds)))
  if (whole) return { id }
  const found = await findOrders(ctx.deps.db, ctx.shopIds, id, FOUND_LIMIT + 1)
  if (found.length === 1) return { id: found[0].id }
  if (!found.length) {
    const digits = /^\d+$/.test(id)
    if (digits && id.length < MIN_SUFFIX_DIGITS) throw userError('bad_input', 'order.too_few_digits', { id, min: MIN_SUFFIX_DIGITS })
    // a whole order number (TikTok Shop's have 18 digits or so) that is not this chat's: said as before
    throw userError('not_found', digits && id.length >= WHOLE_NUMBER_DIGITS ? 'order.not_found' : 'order.not_found_anywhere', { id })
  }
  const more = found.length > FOUND_LIMIT
  const t = ctx.t
  const title = t('order.found_title', { id, count: more ? `${FOUND_LIMIT}+` : String(found.length) })
  return { reply: { ok: true, ephemeral: true, message: await orderListMessage(ctx, title, found.slice(0, FOUND_LIMIT), more ? t('order.found_more') : undefined) } }
}

export async function showOrder(ctx: CommandContext, orderId: string): Promise<Reply> {
  ctx.require('viewer')
  // the whole number (every button press) is read once; anything else is resolved first
  const whole = ORDER_REF.test(orderId.trim()) ? await loadOrderView(ctx.deps.db, orderId.trim(), ctx.shopIds) : null
  if (whole) return { ok: true, ephemeral: true, message: orderDetailMessage(ctx.channel, whole) }
  const ref = await resolveOrderRef(ctx, orderId)
  if (ref.reply) return ref.reply
  const view = await loadOrderView(ctx.deps.db, ref.id, ctx.shopIds)
  if (!view) throw userError('not_found', 'order.not_found', { id: ref.id })
  return { ok: true, ephemeral: true, message: orderDetailMessage(ctx.channel, view) }
}

export const orderDetail: CommandHandler = async (ctx, command) => showOrder(ctx, (command as Extract<Command, { name: 'order' }>).orderId ?? '')
