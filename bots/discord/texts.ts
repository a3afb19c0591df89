/** The few sentences the Discord adapter says itself (everything else comes from the core, already translated). */
import type { Locale } from '../../src/assistant/types.js'
import { localeFromHint, t } from '../../src/i18n/index.js'
import { isAppError } from '../../src/shared/errors.js'

const TEXTS = {
  working: { en: 'Working on it…', zh: '正在处理…' },
  progress: { en: 'Working on it… {done} / {total}', zh: '正在处理… {done} / {total}' },
  unknownCommand: { en: 'This command is not known to this version of the bot. Send /help for the list.', zh: '本机器人版本不认识此命令。发送 /help 查看命令列表。' },
  tooLarge: {
    en: '{name} is {size} MiB, over this server’s upload limit of {limit} MiB. Narrow the filters (status, dates, shop) and try again.',
    zh: '{name} 大小为 {size} MiB,超过本服务器 {limit} MiB 的上传限制。请缩小筛选范围(状态、日期、店铺)后重试。',
  },
  failed: { en: '{generic} If it keeps failing, tell your admin (ref {ref}).', zh: '{generic} 若仍失败,请联系管理员(编号 {ref})。' },
} as const

export type TextKey = keyof typeof TEXTS

export function say(locale: Locale, key: TextKey, params: Record<string, unknown> = {}): string {
  const tpl = locale === 'zh-CN' ? TEXTS[key].zh : TEXTS[key].en
  return tpl.replace(/\{(\w+)\}/g, (w, k: string) => (k in params ? String(params[k]) : w))
}

/** The user's locale for adapter sentences (Discord sends the client's locale with every interaction). */
export const userLocale = (locale: string | undefined): Locale => localeFromHint(locale, 'en')

/** What to tell a user when handling threw: the core's own words for its typed errors, else a generic line. */
export function failureText(locale: Locale, err: unknown, ref: string): string {
  if (isAppError(err)) {
    const key = err.params.i18nKey
    if (typeof key === 'string') {
      try {
        return t(locale, key as never, err.params)
      } catch {
        // fall through to the English message
      }
    }
    if (err.code !== 'internal') return err.message
  }
  return say(locale, 'failed', { generic: t(locale, 'error.generic'), ref })
}
