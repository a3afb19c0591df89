import { audit } from '../../audit/audit.js'
import { namedShops } from '../../channels/channels.js'
import { redeemLinkCode } from '../../channels/link-codes.js'
import { findShop } from '../../channels/shop-match.js'
import { setRole } from '../../channels/roles.js'
import { afterUnfollow, unfollowShop } from '../../channels/unfollow.js'
import type { Line } from '../../notifications/message.js'
import type { Command } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { okReply } from '../replies.js'
import { userError } from '../user-error.js'

/** /link CODE: the code is the authorisation; the person who links becomes the channel's admin. */
export const link: CommandHandler = async (ctx, command) => {
  const code = (command as Extract<Command, { name: 'link' }>).code ?? ''
  if (!code.trim()) throw userError('bad_input', 'link.missing_code')
  const now = ctx.deps.clock.now()
  const shop = await ctx.deps.db.transaction(async (tx) => {
    const s = await redeemLinkCode(tx, code, ctx.channel.id, ctx.actorKey, now)
    await setRole(tx, ctx.channel.id, { userKey: ctx.actorKey, displayName: ctx.actor.displayName }, 'admin', ctx.actorKey, now)
    await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'link', subject: `shop:${s.shopId}`, details: { channel: ctx.channel.externalId }, at: now })
    return s
  })
  return okReply(ctx.t('link.done_title', { shop: shop.shopName }), [ctx.t('link.done', { shop: shop.shopName })])
}

/** The chat's shop named by its ID or its name (any letter case), or a message listing the chat's shops. */
async function followedShop(ctx: CommandContext, typed: string): Promise<{ id: string; name: string }> {
  const list = await namedShops(ctx.deps.db, ctx.shopIds)
  const names = list.map((s) => `${s.id} (${s.name})`).join(', ')
  const v = typed.trim()
  if (!v) throw userError('bad_input', 'unlink.which', { shops: names })
  const hit = findShop(list, v)
  if (!hit) throw userError('bad_input', 'unlink.unknown', { shop: v.slice(0, 100), shops: names })
  return hit
}

/**
 * /unlink SHOP: the chat stops following a shop (an admin's decision, audited). The shop must be
 * named, even when it is the chat's only one: a stray /unlink must not silence a shop. The reply
 * says what stops, who still hears of the shop, and which buyer requests still wait for an answer.
 */
export const unlink: CommandHandler = async (ctx, command) => {
  ctx.requireLinked()
  ctx.require('admin')
  const shop = await followedShop(ctx, (command as Extract<Command, { name: 'unlink' }>).shop ?? '')
  const now = ctx.deps.clock.now()
  const removed = await ctx.deps.db.transaction(async (tx) => {
    if (!(await unfollowShop(tx, ctx.channel.id, shop.id))) return false
    await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'unlink', subject: `shop:${shop.id}`, details: { channel: ctx.channel.externalId, name: shop.name }, at: now })
    return true
  })
  // another admin's /unlink came first: nothing left to do
  if (!removed) return okReply(ctx.t('unlink.already', { shop: shop.name }))
  const after = await afterUnfollow(ctx.deps.db, ctx.channel.id, shop.id)
  const lines: (string | Line)[] = [ctx.t('unlink.done')]
  // nobody hearing of a shop any more is worth noticing: its deadlines still run
  lines.push(after.otherChats ? ctx.t('unlink.others', { n: after.otherChats }) : [{ bold: ctx.t('unlink.nobody') }])
  if (after.pending) lines.push([{ bold: ctx.t('unlink.pending', { n: after.pending }) }, ...(after.firstDue ? [{ at: after.firstDue.toISOString(), style: 'both' as const }] : [])])
  lines.push(ctx.t('unlink.again', { id: shop.id }))
  return okReply(ctx.t('unlink.done_title', { shop: shop.name }), lines)
}
