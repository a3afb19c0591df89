import { audit } from '../../audit/audit.js'
import { parseRole, removeRole, setRole } from '../../channels/roles.js'
import type { MessageKey } from '../../i18n/index.js'
import type { Command } from '../types.js'
import type { CommandHandler } from '../context.js'
import { okReply } from '../replies.js'
import { userError } from '../user-error.js'

const targetKey = (platform: string, userId: string) => `${platform}:${userId}`

export const grant: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'grant' }>
  ctx.require('admin')
  const role = parseRole(c.role ?? '')
  if (!role) throw userError('bad_input', 'grant.bad_role', { role: c.role ?? '' })
  const now = ctx.deps.clock.now()
  const key = targetKey(ctx.actor.platform, c.target.userId)
  await ctx.deps.db.transaction(async (tx) => {
    const before = await setRole(tx, ctx.channel.id, { userKey: key, displayName: c.target.displayName }, role, ctx.actorKey, now)
    await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'role.grant', subject: `member:${key}`, details: { name: c.target.displayName, before, after: role }, at: now })
  })
  return okReply(ctx.t('grant.done', { name: c.target.displayName, role: ctx.t(`role.${role}` as MessageKey) }))
}

export const revoke: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'revoke' }>
  ctx.require('admin')
  const now = ctx.deps.clock.now()
  const key = targetKey(ctx.actor.platform, c.target.userId)
  const removed = await ctx.deps.db.transaction(async (tx) => {
    const before = await removeRole(tx, ctx.channel.id, key)
    if (before) await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'role.revoke', subject: `member:${key}`, details: { name: c.target.displayName, before }, at: now })
    return before
  })
  return okReply(ctx.t(removed ? 'revoke.done' : 'revoke.none', { name: c.target.displayName }))
}
