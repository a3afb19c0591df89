/**
 * NeutralMessage → Telegram HTML. Every piece of text is escaped (`&`, `<`, `>`), instants are shown
 * in the channel's zone, fields become lines, buttons an inline keyboard whose callback_data is the
 * core's compact action encoding (≤ 64 bytes). Messages over Telegram's 4,096 characters are split
 * at line boundaries (buttons on the last part); one line that alone is too long is cut with "…".
 */
import { wallMinutes } from '../../src/shared/zoned-time.js'
import type { Locale } from '../../src/assistant/types.js'
import { encodeAction } from '../../src/notifications/actions.js'
import type { Button, Inline, Line, NeutralMessage, Tone } from '../../src/notifications/message.js'

export const MAX_TEXT = 4096
export const MAX_CALLBACK_BYTES = 64

export interface InlineButton {
  text: string
  callback_data: string
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][]
}
export interface RenderedMessage {
  /** one or more HTML texts, each within MAX_TEXT characters; the keyboard goes on the last */
  parts: string[]
  keyboard?: InlineKeyboard
}
export interface RenderOptions {
  timeZone: string
  locale: Locale
  now?: Date
  /** text limit per part (tests use a smaller one) */
  limit?: number
}

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const TONE_ICON: Record<Tone, string> = { info: '', success: '✅ ', warning: '⚠️ ', danger: '⛔ ' }

/** `2026-11-20 16:00` in the zone, 24-hour clock. */
export const formatInstantIn = (at: Date, timeZone: string): string => wallMinutes(at, timeZone)

const rtfs = new Map<Locale, Intl.RelativeTimeFormat>()
function relative(at: Date, now: Date, locale: Locale): string {
  const diff = at.getTime() - now.getTime()
  let rtf = rtfs.get(locale)
  if (!rtf) rtfs.set(locale, (rtf = new Intl.RelativeTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en', { numeric: 'auto' })))
  const min = Math.round(diff / 60_000)
  if (Math.abs(min) < 60) return rtf.format(min, 'minute')
  const h = Math.round(diff / 3_600_000)
  if (Math.abs(h) < 48) return rtf.format(h, 'hour')
  return rtf.format(Math.round(diff / 86_400_000), 'day')
}

function instant(p: { at: string; style?: 'datetime' | 'relative' | 'both' }, o: RenderOptions): string {
  const at = new Date(p.at)
  if (Number.isNaN(at.getTime())) return p.at
  const zone = o.timeZone === 'UTC' || o.timeZone === 'Etc/UTC' ? 'UTC' : o.timeZone
  const abs = `${formatInstantIn(at, o.timeZone)} (${zone})`
  const rel = relative(at, o.now ?? new Date(), o.locale)
  return p.style === 'relative' ? rel : p.style === 'both' ? `${abs}, ${rel}` : abs
}

/** One inline piece as HTML; `plain` gives the text a reader sees (for length checks). */
function inline(p: Inline, o: RenderOptions): { html: string; plain: string } {
  if (typeof p === 'string') return { html: escapeHtml(p), plain: p }
  if ('at' in p) {
    const s = instant(p, o)
    return { html: escapeHtml(s), plain: s }
  }
  if ('bold' in p) return { html: `<b>${escapeHtml(p.bold)}</b>`, plain: p.bold }
  return { html: `<code>${escapeHtml(p.code)}</code>`, plain: p.code }
}

interface Block {
  html: string
  plain: string
}

function line(parts: Line, o: RenderOptions, wrap?: 'b' | 'i'): Block {
  const pieces = parts.map((p) => inline(p, o))
  const html = pieces.map((p) => p.html).join('')
  const plain = pieces.map((p) => p.plain).join('')
  return wrap ? { html: `<${wrap}>${html}</${wrap}>`, plain } : { html, plain }
}

/** A block too long for one message: its plain text, cut and escaped to fit. */
function cut(b: Block, limit: number): Block {
  if (b.html.length <= limit) return b
  let n = Math.min(b.plain.length, limit - 1)
  for (;;) {
    const plain = b.plain.slice(0, n).replace(/[\uD800-\uDBFF]$/, '') + '…'
    const html = escapeHtml(plain)
    if (html.length <= limit || n <= 1) return { html, plain }
    n = Math.floor(n * 0.8)
  }
}

export function renderBlocks(m: NeutralMessage, o: RenderOptions): Block[] {
  const blocks: Block[] = []
  const title = `${TONE_ICON[m.tone] ?? ''}${m.title}`
  if (title.trim()) blocks.push({ html: `<b>${escapeHtml(title)}</b>`, plain: title })
  for (const l of m.lines) blocks.push(line(l, o))
  for (const f of m.fields) {
    const v = line(f.value, o)
    blocks.push({ html: `<b>${escapeHtml(f.label)}:</b> ${v.html}`, plain: `${f.label}: ${v.plain}` })
  }
  if (m.footer?.length) blocks.push(line(m.footer, o, 'i'))
  return blocks
}

export function keyboard(buttons: Button[][]): InlineKeyboard | undefined {
  const rows = buttons
    .map((row) =>
      row
        .map((b) => ({ text: b.label.slice(0, 64) || '·', callback_data: encodeAction(b.action) }))
        .filter((b) => Buffer.byteLength(b.callback_data) <= MAX_CALLBACK_BYTES),
    )
    .filter((r) => r.length)
  return rows.length ? { inline_keyboard: rows } : undefined
}

/** Renders a message into one or more HTML parts. */
export function renderMessage(m: NeutralMessage, o: RenderOptions): RenderedMessage {
  const limit = o.limit ?? MAX_TEXT
  const blocks = renderBlocks(m, o).map((b) => cut(b, limit))
  if (!blocks.length) blocks.push({ html: escapeHtml(m.kind || '…'), plain: m.kind || '…' })
  const parts: string[] = []
  let cur = ''
  for (const b of blocks) {
    // a blank line after the title reads better; count it in the length
    const sep = cur ? (parts.length === 0 && cur === blocks[0]!.html ? '\n\n' : '\n') : ''
    if (cur && cur.length + sep.length + b.html.length > limit) {
      parts.push(cur)
      cur = b.html
    } else cur += sep + b.html
  }
  if (cur) parts.push(cur)
  return { parts, keyboard: keyboard(m.buttons) }
}

/** For edits (one message only): the first part, marked as cut when there was more. */
export function renderSingle(m: NeutralMessage, o: RenderOptions): { html: string; keyboard?: InlineKeyboard } {
  const limit = o.limit ?? MAX_TEXT
  const r = renderMessage(m, { ...o, limit: limit - 2 })
  return { html: r.parts.length > 1 ? `${r.parts[0]}\n…` : r.parts[0]!, keyboard: r.keyboard }
}
