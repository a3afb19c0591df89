import { COMMAND_DOCS } from '../../i18n/commands.js'
import { COMMAND_HELP } from '../../i18n/command-help.js'
import type { MessageKey } from '../../i18n/index.js'
import { message, type Line } from '../../notifications/message.js'
import { addDays, dayOf, ymdString } from '../../shared/zoned-time.js'
import type { Command } from '../types.js'
import type { CommandContext, CommandHandler } from '../context.js'
import { userError } from '../user-error.js'

export const help: CommandHandler = async (ctx, command) => {
  const topic = (command as Extract<Command, { name: 'help' }>).topic
  if (topic !== undefined) return helpOn(ctx, topic)
  const { t } = ctx
  const zh = ctx.channel.locale === 'zh-CN'
  return {
    ok: true,
    ephemeral: true,
    message: message({
      kind: 'help',
      title: t('help.title'),
      lines: [
        [t('help.intro')],
        ...COMMAND_DOCS.map((d) => [{ code: `/${d.name}` }, ` — ${zh ? d.zh : d.en}`]),
        [t('help.roles')],
        [t('help.your_role', { role: t(`role.${ctx.role ?? 'none'}` as MessageKey) })],
        // where a command's options are the platform's own fields, its picker shows them; typed commands are learnt here
        ...(ctx.commandForm === 'options' ? [] : [[t('help.more')]]),
        ...(ctx.shopIds.length ? [] : [[t('error.not_linked')]]),
      ],
    }),
  }
}

/** `/help export`: how to write one command, with examples (dates in them relative to today, in the chat's zone). */
function helpOn(ctx: CommandContext, topic: string) {
  const { t } = ctx
  const zh = ctx.channel.locale === 'zh-CN'
  const h = Object.hasOwn(COMMAND_HELP, topic) ? COMMAND_HELP[topic] : undefined
  if (!h) throw userError('bad_input', 'help.unknown_topic', { topic: topic.slice(0, 40), list: Object.keys(COMMAND_HELP).join(', ') })
  const today = dayOf(ctx.deps.clock.now(), ctx.channel.timeZone)
  const dated = (text: string) => text.replaceAll('{week}', ymdString(addDays(today, -7))).replaceAll('{yesterday}', ymdString(addDays(today, -1)))
  const doc = COMMAND_DOCS.find((d) => d.name === topic)
  const lines: Line[] = [[t('help.usage'), { code: h.usage }]]
  if (h.examples.length) lines.push([t('help.examples')], ...h.examples.map((e): Line => [{ code: dated(e.text) }, ` — ${zh ? e.zh : e.en}`]))
  if (ctx.commandForm === 'options') lines.push([t('help.options_form')])
  return { ok: true, ephemeral: true, message: message({ kind: 'help', title: doc ? `/${topic} — ${zh ? doc.zh : doc.en}` : `/${topic}`, lines }) }
}
