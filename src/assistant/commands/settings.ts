import { eq } from 'drizzle-orm'
import { channels } from '../../../db/schema.js'
import { audit } from '../../audit/audit.js'
import { namedShops } from '../../channels/channels.js'
import { applySettings, formatThresholds, parseSettings } from '../../channels/settings.js'
import { translator } from '../../i18n/index.js'
import { message } from '../../notifications/message.js'
import type { Command } from '../types.js'
import type { CommandHandler } from '../context.js'

/** /settings: shows them to anyone; changing them needs an admin. */
export const settings: CommandHandler = async (ctx, command) => {
  const c = command as Extract<Command, { name: 'settings' }>
  const wantsChange = [c.language, c.timeZone, c.thresholds, c.daily].some((v) => v !== undefined && v !== '')
  let saved = false
  if (wantsChange) {
    ctx.require('admin')
    const change = parseSettings(c)
    const now = ctx.deps.clock.now()
    await ctx.deps.db.transaction(async (tx) => {
      await applySettings(tx, ctx.channel.id, change, now)
      await audit(tx, { actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, action: 'settings.change', subject: `channel:${ctx.channel.id}`, details: { ...change }, at: now })
    })
    saved = true
  }
  const [row] = await ctx.deps.db.select().from(channels).where(eq(channels.id, ctx.channel.id))
  const t = translator(row.locale === 'zh-CN' ? 'zh-CN' : 'en')
  const shopRows = await namedShops(ctx.deps.db, ctx.shopIds)
  return {
    ok: true,
    channel: { ...ctx.channel, locale: row.locale === 'zh-CN' ? 'zh-CN' : 'en', timeZone: row.timeZone },
    ephemeral: !saved,
    message: message({
      kind: 'settings',
      tone: saved ? 'success' : 'info',
      title: saved ? t('settings.saved') : t('settings.title'),
      lines: [],
      fields: [
        { label: t('settings.language'), value: [row.locale], inline: true },
        { label: t('settings.time_zone'), value: [row.timeZone], inline: true },
        { label: t('settings.thresholds'), value: [formatThresholds(row.warnThresholdsMinutes, t('settings.overdue'))], inline: true },
        { label: t('settings.digest'), value: [String(row.digestThreshold)], inline: true },
        { label: t('settings.daily'), value: [row.dailySummaryAt ? t('settings.daily_at', { time: row.dailySummaryAt, zone: row.timeZone }) : t('settings.daily_off')], inline: true },
        { label: t('settings.shops'), value: [shopRows.map((s) => `${s.name} (${s.id})`).join(', ') || '—'] },
      ],
    }),
  }
}
