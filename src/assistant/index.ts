/**
 * The assistant: the one entry point every chat adapter calls. It finds (or creates) the channel,
 * resolves the actor's role, runs the command's handler and turns every refusal into a reply in the
 * channel's language that says what to change. It never throws for a user's mistake.
 */
import { channelInfo, ensureChannel, followedShops } from '../channels/channels.js'
import { actorKey, atLeast, resolveRole } from '../channels/roles.js'
import { isMessageKey, t as translate, translator, type MessageKey } from '../i18n/index.js'
import { isAppError, type AppError } from '../shared/errors.js'
import { builtinHandlers } from './commands/index.js'
import type { CommandContext, CommandHandler, CoreDeps } from './context.js'
import { errorReply } from './replies.js'
import type { Actor, Assistant, ChannelInfo, ChannelRef, Command, Locale, Reply } from './types.js'
import { userError } from './user-error.js'
import { suggestOrders, suggestShops, suggestSkus } from '../channels/suggestions.js'

export type { CommandContext, CommandHandler, CoreDeps } from './context.js'

/** The text for an AppError in the locale: its catalogue key when it has one, else its message. */
export function errorText(err: AppError, locale: Locale): string {
  const key = err.params.i18nKey
  if (typeof key === 'string' && isMessageKey(key)) return translate(locale, key, err.params)
  if (err.code === 'shop_unavailable') return translate(locale, 'error.shop_unavailable', { detail: err.message })
  if (err.code === 'shop_error') return translate(locale, 'error.shop_error', { detail: err.message })
  return err.message
}

export function createAssistant(deps: CoreDeps): Assistant {
  const handlers: Partial<Record<Command['name'], CommandHandler>> = { ...builtinHandlers, ...(deps.handlers ?? {}) }

  async function context(ref: ChannelRef, actor: Actor, onProgress?: CommandContext['onProgress']): Promise<CommandContext> {
    const row = await ensureChannel(deps.db, ref, deps.defaults)
    const channel = channelInfo(row)
    const shopIds = await followedShops(deps.db, channel.id)
    const role = await resolveRole(deps.db, channel.id, actor, shopIds.length > 0)
    const t = translator(channel.locale)
    return {
      deps,
      channel,
      channelSettings: {
        title: row.title,
        warnThresholdsMinutes: row.warnThresholdsMinutes,
        digestThreshold: row.digestThreshold,
        uploadLimitBytes: row.uploadLimitBytes,
      },
      actor,
      actorKey: actorKey(actor),
      role,
      shopIds,
      t,
      commandForm: ref.commandForm ?? 'typed',
      onProgress,
      requireLinked() {
        if (!shopIds.length) throw userError('forbidden', 'error.not_linked')
      },
      require(needed) {
        if (!shopIds.length) throw userError('forbidden', 'error.not_linked')
        if (!atLeast(role, needed))
          throw userError('forbidden', 'error.forbidden', { needed: t(`role.${needed}` as MessageKey), have: t(`role.${role ?? 'none'}` as MessageKey) })
      },
    }
  }

  /** Does any text in the command (at any depth) hold a NUL character? */
  function holdsNul(v: unknown, depth = 0): boolean {
    if (typeof v === 'string') return v.includes('\u0000')
    if (!v || typeof v !== 'object' || depth > 6) return false
    return Object.values(v).some((x) => holdsNul(x, depth + 1))
  }

  async function handle(ref: ChannelRef, actor: Actor, command: Command, onProgress?: CommandContext['onProgress']): Promise<Reply> {
    let locale: Locale = deps.defaults.locale
    let channel: ChannelInfo | undefined
    try {
      const ctx = await context(ref, actor, onProgress)
      locale = ctx.channel.locale
      channel = ctx.channel
      const handler = handlers[command.name]
      if (!handler) return { ...errorReply(ctx.t('error.not_available', { command: command.name })), channel }
      // PostgreSQL text cannot hold NUL: refuse it here, with one clear answer, before any query sees it
      if (holdsNul(command)) throw userError('bad_input', 'error.nul_text')
      const reply = await handler(ctx, command)
      deps.kick?.()
      return { ...reply, channel: reply.channel ?? channel }
    } catch (err) {
      deps.kick?.()
      if (isAppError(err) && err.code !== 'internal') {
        if (err.code === 'shop_unavailable' || err.code === 'shop_error') deps.logger.warn('shop refused a command', { command: command.name, code: err.code, error: err.message })
        return { ...errorReply(errorText(err, locale)), channel }
      }
      deps.logger.error('command failed', { command: command.name, platform: ref.platform, err })
      return { ...errorReply(translate(locale, 'error.generic')), channel }
    }
  }

  return {
    handle: (ref, actor, command) => handle(ref, actor, command),
    handleWithProgress: (ref, actor, command, onProgress) => handle(ref, actor, command, onProgress),
    suggest: (ref, actor, field, query) =>
      field === 'sku' ? suggestSkus(deps.db, ref, actor, query, deps.clock.now()) : (field === 'shop' ? suggestShops : suggestOrders)(deps.db, ref, actor, query),
  }
}
