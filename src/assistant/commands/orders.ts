import { and, desc, eq, inArray } from 'drizzle-orm'
import { orders } from '../../../db/schema.js'
import { formatMoney } from '../../i18n/format.js'
import type { MessageKey } from '../../i18n/index.js'
import { message, type Button, type Line } from '../../notifications/message.js'
import { STATUS_FILTERS, type StatusFilter } from '../../orders/status.js'
import { orderDetailMessage, statusLabel } from '../../workflow/order-messages.js'
import { loadOrderView } from '../../workflow/order-view.js'
import type { Command } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { userError } from '../user-error.js'

const LIMIT = 15

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
  const list = await ctx.deps.db
    .select({ id: orders.id, status: orders.status, isOnHold: orders.isOnHold, total: orders.totalAmount, currency: orders.currency, createTime: orders.createTime })
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createTime))
    .limit(LIMIT)
  const t = ctx.t
  const lines: Line[] = list.length
    ? list.map((o) => [{ code: o.id }, ` · ${statusLabel(t, o)} · ${formatMoney(o.total, o.currency)} · `, { at: o.createTime.toISOString(), style: 'datetime' }])
    : [[t('orders.none')]]
  const buttons: Button[][] = list.slice(0, 5).map((o) => [{ label: o.id, style: 'secondary', action: { type: 'order.show', orderId: o.id } }])
  return {
    ok: true,
    ephemeral: true,
    message: message({ kind: 'orders', title: t('orders.title', { status: t(`status.${status}` as MessageKey) }), lines, buttons }),
  }
}

export async function showOrder(ctx: CommandContext, orderId: string) {
  ctx.require('viewer')
  const id = orderId.trim()
  if (!id) throw userError('bad_input', 'order.missing_id')
  const view = /^\w{1,64}$/.test(id) ? await loadOrderView(ctx.deps.db, id, ctx.shopIds) : null
  if (!view) throw userError('not_found', 'order.not_found', { id: id.slice(0, 64) })
  return { ok: true, ephemeral: true, message: orderDetailMessage(ctx.channel, view) }
}

export const orderDetail: CommandHandler = async (ctx, command) => showOrder(ctx, (command as Extract<Command, { name: 'order' }>).orderId ?? '')
