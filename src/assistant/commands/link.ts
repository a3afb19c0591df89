import { audit } from '../../audit/audit.js'
import { redeemLinkCode } from '../../channels/link-codes.js'
import { setRole } from '../../channels/roles.js'
import type { Command } from '../types.js'
import type { CommandHandler } from '../context.js'
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
