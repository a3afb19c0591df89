import { COMMAND_DOCS } from '../../i18n/commands.js'
import type { MessageKey } from '../../i18n/index.js'
import { message } from '../../notifications/message.js'
import type { CommandHandler } from '../context.js'

export const help: CommandHandler = async (ctx) => {
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
        ...(ctx.shopIds.length ? [] : [[t('error.not_linked')]]),
      ],
    }),
  }
}
