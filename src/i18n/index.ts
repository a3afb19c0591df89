/** Message catalogues (en, zh-CN) and `t(locale, key, params)`. */
import type { Locale } from '../assistant/types.js'
import { en, type MessageKey } from './en.js'
import { zhCN } from './zh-CN.js'

export type { MessageKey }
export type Params = Record<string, unknown>
export type Translate = (key: MessageKey, params?: Params) => string

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN }

export const LOCALES: Locale[] = ['en', 'zh-CN']

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key)
}

/** The message for `key` in `locale` with `{name}` placeholders filled; English when a key is missing. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogs[locale]?.[key] ?? en[key] ?? key
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

export const translator = (locale: Locale): Translate => (key, params) => t(locale, key, params)

/** A platform locale hint (Discord `zh-CN`, Telegram `zh-hans`…) → one of ours. */
export function localeFromHint(hint: string | undefined, fallback: Locale): Locale {
  if (!hint) return fallback
  const h = hint.toLowerCase()
  if (h.startsWith('zh')) return 'zh-CN'
  if (h.startsWith('en')) return 'en'
  return fallback
}

export function parseLocale(value: string): Locale | null {
  const v = value.trim().toLowerCase().replace('_', '-')
  if (v === 'en' || v.startsWith('en-') || v === 'english') return 'en'
  if (v === 'zh' || v.startsWith('zh-') || v === 'chinese' || v === '中文') return 'zh-CN'
  return null
}
