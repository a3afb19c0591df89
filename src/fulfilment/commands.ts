/**
 * The fulfilment commands for the assistant: /picklist and /label ORDER (operators), /late [HOURS]
 * (everyone with a role). Each returns a Reply whose files are temp files the adapter sends and deletes.
 */
import type { CommandContext, CommandHandler } from '../assistant/context.js'
import { errorReply } from '../assistant/replies.js'
import { resolveOrderRef } from '../assistant/commands/orders.js'
import type { Command, Reply } from '../assistant/types.js'
import { message, type Line } from '../notifications/message.js'
import { isAppError } from '../shared/errors.js'
import { fulfilmentErrorText } from './errors.js'
import { shippingLabel } from './labels.js'
import { lateView } from './late.js'
import { printPickList } from './picklist.js'
import { texts } from './texts.js'

/** Our refusals answered in the channel's language; anything else goes to the assistant. */
async function answering(ctx: CommandContext, work: () => Promise<Reply>): Promise<Reply> {
  try {
    return await work()
  } catch (err) {
    const text = isAppError(err) ? fulfilmentErrorText(err, ctx.channel.locale) : null
    if (text) return errorReply(text)
    throw err
  }
}

/** Who asks, for which shops, in which language and zone, and when: what every fulfilment use case is given. */
const requestOf = (ctx: CommandContext) => ({
  shopIds: ctx.shopIds,
  actor: ctx.actorKey,
  actorName: ctx.actor.displayName,
  channelId: ctx.channel.id,
  locale: ctx.channel.locale,
  timeZone: ctx.channel.timeZone,
  now: ctx.deps.clock.now(),
})

export const picklistHandler: CommandHandler = async (ctx) => {
  ctx.require('operator')
  return answering(ctx, async () => {
    const locale = ctx.channel.locale
    const zh = locale === 'zh-CN'
    const t = texts(locale)
    const r = await printPickList(ctx.deps.db, requestOf(ctx))
    const notes: Line[] = []
    if (r.list.cancelRequested)
      notes.push([zh ? `${r.list.cancelRequested} 个订单有待处理的取消申请，未列入：请先答复。` : `${r.list.cancelRequested} order(s) with a pending cancellation request were left out: answer them first.`])
    if (!r.file)
      return { ok: true, message: message({ kind: 'picklist', tone: 'info', title: zh ? '没有待拣货的订单。' : 'No paid orders are waiting for a pick list.', lines: notes }) }
    const { list } = r
    const lines: Line[] = list.skus.slice(0, 10).map((s) => [{ code: s.sellerSku || s.skuId }, ` ${s.productName}${s.skuName ? ` · ${s.skuName}` : ''} × `, { bold: String(s.quantity) }])
    if (list.skus.length > 10) lines.push([zh ? `… 另有 ${list.skus.length - 10} 个 SKU（见 PDF）` : `… and ${list.skus.length - 10} more SKUs (see the PDF)`])
    if (list.leftOver)
      notes.push([zh ? `另有 ${list.leftOver} 个订单留待下一张拣货单（每张最多 ${list.orders.length} 个）。` : `${list.leftOver} more order(s) wait for the next pick list (at most ${list.orders.length} per list).`])
    notes.push([zh ? `已将 ${list.orders.length} 个订单标记为“拣货单已打印”。` : `Marked the pick list printed on ${list.orders.length} order(s).`])
    const title = zh
      ? `${t.pickListTitle}：${list.orders.length} 个订单，${list.totalUnits} 件`
      : `${t.pickListTitle}: ${list.orders.length} orders, ${list.totalUnits} units`
    return {
      ok: true,
      message: message({ kind: 'picklist', tone: 'success', title, lines: [...lines, ...notes] }),
      files: [{ ...r.file, caption: title }],
    }
  })
}

export const labelHandler: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'label' }>
  ctx.require('operator')
  // the order as the team names it: its number, or the end of it, a tracking number, a package ID
  const ref = await resolveOrderRef(ctx, c.orderId ?? '')
  if (ref.reply) return ref.reply
  return answering(ctx, async () => {
    const locale = ctx.channel.locale
    const zh = locale === 'zh-CN'
    const r = await shippingLabel(ctx.deps.db, ctx.deps.shop, {
      ...requestOf(ctx),
      orderId: ref.id,
      logger: ctx.deps.logger,
    })
    const lines: Line[] = []
    if (r.trackingNumbers.length) lines.push([zh ? '运单号：' : 'Tracking: ', ...r.trackingNumbers.flatMap((n, i) => (i ? [', ', { code: n }] : [{ code: n }]))])
    for (const l of r.links)
      lines.push([
        zh ? '面单文件未能下载，请用链接打印（有效至 ' : 'The label file could not be downloaded; print it from this link (valid until ',
        { at: l.validUntil.toISOString(), style: 'datetime' },
        zh ? '）：' : '): ',
        l.url,
      ])
    if (r.orderIds.length > 1)
      lines.push([zh ? `合并包裹，同时标记了订单：${r.orderIds.join(', ')}` : `Combined package: also marked ${r.orderIds.filter((id) => id !== r.orderId).join(', ')}`])
    const source = r.source === 'platform' ? (zh ? '平台面单' : "platform's label") : zh ? '自发货面单' : 'seller-shipping label'
    const title = zh ? `订单 ${r.orderId} 的面单（${source}）` : `Shipping label for order ${r.orderId} (${source})`
    return {
      ok: true,
      message: message({ kind: 'label', tone: r.files.length ? 'success' : 'warning', title, lines }),
      files: r.files.map((f) => ({ ...f, caption: f.caption ?? title })),
    }
  })
}

export const lateHandler: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'late' }>
  ctx.require('viewer')
  return answering(ctx, async () => {
    const view = await lateView(ctx.deps.db, {
      shopIds: ctx.shopIds,
      now: ctx.deps.clock.now(),
      hours: c.hours,
      locale: ctx.channel.locale,
      timeZone: ctx.channel.timeZone,
    })
    return { ok: true, message: view.message, files: view.files }
  })
}

/** For the composition root: `createAssistant({ ..., handlers: fulfilmentHandlers })`. */
export const fulfilmentHandlers = { picklist: picklistHandler, label: labelHandler, late: lateHandler }
