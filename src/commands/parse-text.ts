/**
 * The shared text-command parser (Telegram messages, the terminal chat): one line of text →
 * a `Command`, or one clear error saying what to change. Syntax only (unknown command or key,
 * missing id, a number that is not a number); the core validates values (statuses, dates, zones…).
 * Never throws.
 *
 * Accepted: `/name args…` and `/name@BotName args…`, the leading slash optional; full-width
 * punctuation typed with a Chinese input method (／ ＝ ， “ ”) is read as its ASCII form.
 */
import type { Command, ExportArgs } from '../assistant/types.js'
import { USAGE } from '../i18n/command-help.js'

/** A syntax error: English in `error`, Simplified Chinese in `zh` (adapters pick by the channel's language). */
export interface ParseError {
  error: string
  zh: string
}
export type ParseResult = Command | ParseError
/** `/stock export`: the stock sheet (not a SKU of that name) */
const STOCK_EXPORT_WORDS = ['export', '导出', '库存表']

const E = (error: string, zh: string): ParseError => ({ error, zh })

export interface ParseContext {
  /** the member whose message this command replies to (Telegram reply), for /grant and /revoke */
  replyTo?: { userId: string; displayName: string }
}

export const EXPORT_KEYS = ['status', 'time', 'from', 'to', 'template', 'format', 'shop', 'tz'] as const
/** the status key's Chinese names (/orders and /export) */
const STATUS_KEY_ALIASES = { 状态: 'status', 订单状态: 'status' } as const
/** "status" or one of its other names, alone or with its value after a colon */
const STATUS_KEY = new RegExp(`^(?:${['status', ...Object.keys(STATUS_KEY_ALIASES)].join('|')})(?::(.*))?$`, 'i')

/** other names of the export keys, Chinese ones included (从 … 到 …: from … to …) */
const EXPORT_KEY_ALIASES: Record<string, keyof ExportArgs> = {
  timezone: 'tz',
  time_zone: 'tz',
  type: 'time',
  ...STATUS_KEY_ALIASES,
  时间: 'time',
  时间类型: 'time',
  从: 'from',
  开始: 'from',
  开始日期: 'from',
  到: 'to',
  至: 'to',
  结束: 'to',
  结束日期: 'to',
  模板: 'template',
  格式: 'format',
  店铺: 'shop',
  时区: 'tz',
}

const SETTINGS_KEYS: Record<string, 'language' | 'timeZone' | 'thresholds' | 'daily'> = {
  lang: 'language',
  language: 'language',
  tz: 'timeZone',
  timezone: 'timeZone',
  time_zone: 'timeZone',
  zone: 'timeZone',
  warn: 'thresholds',
  warnings: 'thresholds',
  thresholds: 'thresholds',
  daily: 'daily',
  summary: 'daily',
  语言: 'language',
  时区: 'timeZone',
  提醒: 'thresholds',
  每日汇总: 'daily',
  日报: 'daily',
}

const ALIASES: Record<string, string> = { cancel_order: 'cancel', pick_list: 'picklist', start: 'help', health: 'status' }

const MAX_INPUT = 4096

export function parseTextCommand(text: string, ctx: ParseContext = {}): ParseResult {
  try {
    return parse(text, ctx)
  } catch {
    // parse is written not to throw; this is the last line of the "never throws" promise
    return E('Could not read that command. Send /help for the list of commands.', '无法识别该命令。发送 /help 查看命令列表。')
  }
}

function parse(raw: string, ctx: ParseContext): ParseResult {
  if (typeof raw !== 'string') return E('Send a command such as /help.', '请发送命令,例如 /help。')
  const text = normalise(raw).trim()
  if (!text) return E('Send a command such as /help.', '请发送命令,例如 /help。')
  if (text.length > MAX_INPUT) return E(`That command is too long (over ${MAX_INPUT} characters).`, `命令太长(超过 ${MAX_INPUT} 个字符)。`)

  const m = /^\/?([A-Za-z_][A-Za-z0-9_]*)(?:@([A-Za-z0-9_]+))?(?=\s|$)/.exec(text)
  if (!m) {
    const word = text.split(/\s/, 1)[0]!.slice(0, 40)
    return E(`Unknown command “${word}”. Send /help for the list of commands.`, `未知命令“${word}”。发送 /help 查看命令列表。`)
  }
  const typed = m[1]!.toLowerCase()
  const name = ALIASES[typed] ?? typed
  const rest = text.slice(m[0].length).trim()
  if (name === 'cancel') return parseCancel(rest)
  const tokens = tokenize(rest)
  if ('error' in tokens) return tokens
  const args = tokens.list
  const usage = (n: string) => `Usage: ${USAGE[n]}`
  const yongfa = (n: string) => `用法:${USAGE[n]}`

  switch (name) {
    case 'help': {
      // /help export (or /help /export): how to write that command, with examples
      if (args.length > 1) return E(`Name one command. ${usage('help')}`, `请只写一个命令。${yongfa('help')}`)
      if (!args.length) return { name: 'help' }
      const word = args[0]!.replace(/^\//, '').toLowerCase()
      return { name: 'help', topic: ALIASES[word] ?? word }
    }
    case 'status':
      return args.length ? E('/status takes no arguments.', '/status 不需要参数。') : { name: 'status' }
    case 'picklist':
      return args.length ? E('/picklist takes no arguments.', '/picklist 不需要参数。') : { name: 'picklist' }
    case 'link': {
      if (args.length !== 1) return args.length ? E(`Send only the code. ${usage('link')}`, `只需发送代码。${yongfa('link')}`) : E(`The link code is missing. ${usage('link')}`, `缺少关联代码。${yongfa('link')}`)
      return { name: 'link', code: args[0]! }
    }
    case 'unlink':
      // a shop's name may hold spaces: every word after the command is the shop
      return args.length ? { name: 'unlink', shop: args.join(' ') } : { name: 'unlink' }
    case 'orders': {
      if (!args.length) return { name: 'orders' }
      // "status shipped", "status:shipped": the key written without its equals sign
      const bare = STATUS_KEY.exec(args[0]!)
      if (bare) {
        const status = [bare[1] ?? '', ...args.slice(1)].join(' ').trim()
        return status ? { name: 'orders', status } : E(`status has no value. ${usage('orders')}`, `status 没有值。${yongfa('orders')}`)
      }
      if (args.some((a) => a.includes('='))) {
        const kv = keyValues(args, ['status'], STATUS_KEY_ALIASES, 'orders')
        if ('error' in kv) return kv
        return kv.values.status === undefined ? { name: 'orders' } : { name: 'orders', status: kv.values.status }
      }
      return { name: 'orders', status: args.join(' ') }
    }
    case 'order':
    case 'label': {
      if (!args.length) return E(`The order ID is missing. ${usage(name)}`, `缺少订单号。${yongfa(name)}`)
      if (args.length > 1) return E(`Send one order ID. ${usage(name)}`, `请只发送一个订单号。${yongfa(name)}`)
      return name === 'order' ? { name: 'order', orderId: args[0]! } : { name: 'label', orderId: args[0]! }
    }
    case 'mark': {
      if (!args.length) return E(`The order ID is missing. ${usage('mark')}`, `缺少订单号。${yongfa('mark')}`)
      if (args.length === 1) return E(`Say which step to mark. ${usage('mark')}`, `请说明要标记哪一步。${yongfa('mark')}`)
      if (args.length > 2) return E(`Too many words. ${usage('mark')}`, `参数太多。${yongfa('mark')}`)
      return { name: 'mark', orderId: args[0]!, step: args[1]!.toLowerCase() }
    }
    case 'late': {
      if (!args.length) return { name: 'late' }
      const h = /^(\d{1,4})\s*h?$/i.exec(args.join(''))
      if (!h) return E(`“${clip(args.join(' '))}” is not a number of hours. ${usage('late')}`, `“${clip(args.join(' '))}”不是小时数。${yongfa('late')}`)
      return { name: 'late', hours: Number(h[1]) }
    }
    case 'stock': {
      if (!args.length) return { name: 'stock' }
      // /stock export [xlsx|csv] [shop]: the stock sheet (the core checks the format)
      if (STOCK_EXPORT_WORDS.includes(args[0]!.toLowerCase())) {
        // one word after it is a format or a shop (the core tells them apart); a format comes first
        const format = args.length === 2 || /^\.?(xlsx|excel|csv)$/i.test(args[1] ?? '') ? args[1] ?? '' : ''
        const shop = args.slice(format ? 2 : 1).join(' ')
        return { name: 'stock', sheet: format, ...(shop ? { shop } : {}) }
      }
      if (args.length > 2) return E(`Too many words. ${usage('stock')}`, `参数太多。${yongfa('stock')}`)
      if (args.length === 1) return { name: 'stock', sku: args[0]! }
      if (!/^[+-]?\d{1,9}$/.test(args[1]!)) return E(`“${clip(args[1]!)}” is not a whole number. ${usage('stock')}`, `“${clip(args[1]!)}”不是整数。${yongfa('stock')}`)
      // a signed number changes what is on hand (+20 received, -3 damaged); a plain one sets it
      return /^[+-]/.test(args[1]!) ? { name: 'stock', sku: args[0]!, adjust: Number(args[1]) } : { name: 'stock', sku: args[0]!, quantity: Number(args[1]) }
    }
    case 'export': {
      // "time" (时间) also ends a value ("paid time", "create time"): it takes its value after a colon only
      const isExportKey = (k: string) => (EXPORT_KEYS as readonly string[]).includes(k) || k in EXPORT_KEY_ALIASES
      const pairs = keyedPairs(args, isExportKey, (k) => isExportKey(k) && !['time', 'type', '时间'].includes(k))
      // words without a key are passed on as they are: the exports core knows the values and places them
      const words = pairs.filter((a) => !a.includes('='))
      const kv = keyValues(pairs.filter((a) => a.includes('=')), EXPORT_KEYS, EXPORT_KEY_ALIASES, 'export')
      if ('error' in kv) return kv
      return { name: 'export', args: words.length ? { ...(kv.values as ExportArgs), words } : (kv.values as ExportArgs) }
    }
    case 'settings': {
      const kv = keyValues(
        keyedPairs(args, (k) => k in SETTINGS_KEYS, (k) => k in SETTINGS_KEYS),
        Object.keys(SETTINGS_KEYS),
        {},
        'settings',
      )
      if ('error' in kv) return kv
      const out: { name: 'settings'; language?: string; timeZone?: string; thresholds?: string; daily?: string } = { name: 'settings' }
      for (const [k, v] of Object.entries(kv.values)) {
        const field = SETTINGS_KEYS[k]!
        if (out[field] !== undefined) return E(`${k} is given twice. ${usage('settings')}`, `${k} 重复了。${yongfa('settings')}`)
        out[field] = v
      }
      return out
    }
    case 'grant': {
      if (!args.length) return E(`Say which role: admin, operator or viewer. ${usage('grant')}`, `请说明角色:admin(管理员)、operator(操作员)或 viewer(查看者)。${yongfa('grant')}`)
      const role = args[0]!.toLowerCase()
      const target = ctx.replyTo ?? (args[1] ? userToken(args[1]) : undefined)
      if (!target) return E(`Say who: send /grant ${role} as a reply to the member’s message.`, `请说明给谁:回复该成员的消息并发送 /grant ${role}。`)
      if (args.length > 2) return E(`Too many words. ${usage('grant')}`, `参数太多。${yongfa('grant')}`)
      return { name: 'grant', target, role }
    }
    case 'revoke': {
      const target = ctx.replyTo ?? (args[0] ? userToken(args[0]) : undefined)
      if (!target) return E(`Say who: send /revoke as a reply to the member’s message.`, `请说明是谁:回复该成员的消息并发送 /revoke。`)
      if (args.length > 1) return E(`Too many words. ${usage('revoke')}`, `参数太多。${yongfa('revoke')}`)
      return { name: 'revoke', target }
    }
    default:
      return E(`Unknown command /${clip(typed)}. Send /help for the list of commands.`, `未知命令 /${clip(typed)}。发送 /help 查看命令列表。`)
  }
}

/** `/cancel ORDER_ID free text reason` — the reason is taken as typed (apostrophes and all). */
function parseCancel(rest: string): ParseResult {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest)
  if (!m) return E(`The order ID is missing. Usage: ${USAGE.cancel}`, `缺少订单号。用法:${USAGE.cancel}`)
  let reason = m[2]!.trim()
  const q = /^(["'])([\s\S]*)\1$/.exec(reason)
  if (q) reason = q[2]!.trim()
  return reason ? { name: 'cancel_order', orderId: m[1]!, reason } : { name: 'cancel_order', orderId: m[1]! }
}

/** Full-width punctuation from Chinese input methods → ASCII; curly quotes → straight. */
function normalise(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[“”„]/g, '"')
    .replace(/[‘’]/g, "'")
}

/** Splits on white space; "double" or 'single' quotes keep spaces inside one token. */
function tokenize(s: string): { list: string[] } | ParseError {
  const list: string[] = []
  let cur = ''
  let quote: string | null = null
  let has = false
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null
      else cur += ch
    } else if ((ch === '"' || ch === "'") && (!has || cur.endsWith('='))) {
      quote = ch
      has = true
    } else if (/\s/.test(ch)) {
      if (has) list.push(cur)
      cur = ''
      has = false
    } else {
      cur += ch
      has = true
    }
  }
  if (quote) return E(`A quote (${quote}) is not closed.`, `引号(${quote})没有闭合。`)
  if (has) list.push(cur)
  return { list }
}

/**
 * A key written without its equals sign, as people write in other tools, read as `key=value`: `key:value`
 * (`from:2026-11-01`, `tz:Asia/Shanghai`; a full-width colon is already ASCII here), and a key followed
 * by its value as the next word (`lang zh-CN`, `from 2026-11-01 to 2026-11-20`) for the keys
 * `takesNext` allows. Only words `isKey` knows are taken as keys; a key with nothing after it becomes
 * `key=`, which keyValues says has no value.
 */
function keyedPairs(args: string[], isKey: (key: string) => boolean, takesNext: (key: string) => boolean): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a.includes('=')) {
      out.push(a)
      continue
    }
    const colon = a.indexOf(':')
    if (colon > 0 && isKey(a.slice(0, colon).toLowerCase())) {
      out.push(`${a.slice(0, colon)}=${a.slice(colon + 1)}`)
      continue
    }
    if (!takesNext(a.toLowerCase())) {
      out.push(a)
      continue
    }
    const next = args[i + 1]
    const nextIsKey = next !== undefined && (next.includes('=') || isKey(next.toLowerCase()) || isKey(next.slice(0, Math.max(0, next.indexOf(':'))).toLowerCase()))
    out.push(next === undefined || nextIsKey ? `${a}=` : `${a}=${next}`)
    if (next !== undefined && !nextIsKey) i++
  }
  return out
}

function keyValues(
  args: string[],
  keys: readonly string[],
  aliases: Record<string, string>,
  cmd: string,
): { values: Record<string, string> } | ParseError {
  const values: Record<string, string> = {}
  for (const a of args) {
    const eq = a.indexOf('=')
    if (eq <= 0) {
      return E(
        `“${clip(a)}” is not key=value. Write it as e.g. ${keys[0]}=… Keys: ${keys.join(', ')}. Usage: ${USAGE[cmd]}`,
        `“${clip(a)}”不是 键=值 的形式,例如 ${keys[0]}=…。可用的键:${keys.join('、')}。用法:${USAGE[cmd]}`,
      )
    }
    const typed = a.slice(0, eq).toLowerCase()
    const key = aliases[typed] ?? typed
    if (!keys.includes(key)) return E(`Unknown key “${clip(typed)}”. Keys: ${keys.join(', ')}.`, `未知的键“${clip(typed)}”。可用的键:${keys.join('、')}。`)
    const value = a.slice(eq + 1).trim()
    if (!value) return E(`${key}= has no value. Usage: ${USAGE[cmd]}`, `${key}= 没有值。用法:${USAGE[cmd]}`)
    if (key in values) return E(`${key} is given twice.`, `${key} 重复了。`)
    values[key] = value
  }
  return { values }
}

/** `@name` or a numeric user id typed instead of replying. */
function userToken(t: string): { userId: string; displayName: string } {
  const name = t.startsWith('@') ? t.slice(1) : t
  return { userId: name, displayName: t }
}

function clip(s: string, n = 40): string {
  return s.length > n ? s.slice(0, n) + '…' : s
}
