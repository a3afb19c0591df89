/**
 * The terminal rendering of a NeutralMessage: title, lines, fields, footer, instants in the
 * channel's time zone, buttons as numbered choices (`[1] Accept  [2] Reject`).
 * Buyer text reaches a terminal here, so control characters (ANSI escapes that could rewrite the
 * screen, carriage returns, bells) are made visible instead of being obeyed.
 */
import { wallMinutes } from '../../src/shared/zoned-time.js'
import type { Locale } from '../../src/assistant/types.js'
import type { Button, Inline, Line, NeutralMessage, Tone } from '../../src/notifications/message.js'

export interface RenderOptions {
  timeZone: string
  locale: Locale
  now: Date
  /** colour with ANSI codes (a TTY) */
  color?: boolean
  /** the number shown for each button, row by row */
  numberOf?: (button: Button, row: number, col: number) => number | undefined
  /** a short reference shown in the header, e.g. "#3" */
  ref?: string
  /** "(updated)" header for edits */
  edited?: boolean
}

/** Makes any control character visible (⟨ESC⟩-style escapes as \x1b), keeps tabs as spaces. */
export function sanitize(text: string): string {
  return String(text)
    .replace(/\t/g, '  ')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

const formatIn = (at: Date, timeZone: string): string => wallMinutes(at, timeZone)

function relative(at: Date, now: Date, locale: Locale): string {
  const diff = at.getTime() - now.getTime()
  const rtf = new Intl.RelativeTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en', { numeric: 'auto' })
  const min = Math.round(diff / 60_000)
  if (Math.abs(min) < 60) return rtf.format(min, 'minute')
  const h = Math.round(diff / 3_600_000)
  if (Math.abs(h) < 48) return rtf.format(h, 'hour')
  return rtf.format(Math.round(diff / 86_400_000), 'day')
}

export function instant(p: { at: string; style?: 'datetime' | 'relative' | 'both' }, o: RenderOptions): string {
  const at = new Date(p.at)
  if (Number.isNaN(at.getTime())) return sanitize(p.at)
  const abs = `${formatIn(at, o.timeZone)} (${o.timeZone})`
  const rel = relative(at, o.now, o.locale)
  return p.style === 'relative' ? rel : p.style === 'both' ? `${abs}, ${rel}` : abs
}

const ansi = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s)

function inline(p: Inline, o: RenderOptions): string {
  if (typeof p === 'string') return sanitize(p)
  if ('at' in p) return instant(p, o)
  if ('bold' in p) return ansi(Boolean(o.color), '1', sanitize(p.bold))
  return ansi(Boolean(o.color), '36', sanitize(p.code))
}

export const lineText = (l: Line, o: RenderOptions) => l.map((p) => inline(p, o)).join('')

const TONE: Record<Tone, { mark: string; code: string }> = {
  info: { mark: 'ℹ', code: '34' },
  success: { mark: '✔', code: '32' },
  warning: { mark: '⚠', code: '33' },
  danger: { mark: '✖', code: '31' },
}

/** Indents continuation lines so a multi-line value stays under its label. */
const indent = (text: string, pad: string) => text.split('\n').join(`\n${pad}`)

/** Terminal columns a text takes: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let w = 0
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1
  return w
}

const padDisplay = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)))

export function renderMessage(m: NeutralMessage, o: RenderOptions): string {
  const tone = TONE[m.tone] ?? TONE.info
  const out: string[] = []
  const head = [o.ref, o.edited ? (o.locale === 'zh-CN' ? '(已更新)' : '(updated)') : ''].filter(Boolean).join(' ')
  out.push(ansi(Boolean(o.color), '2', head ? `── ${head} ${'─'.repeat(Math.max(4, 40 - head.length))}` : '─'.repeat(44)))
  out.push(ansi(Boolean(o.color), `1;${tone.code}`, `${tone.mark} ${sanitize(m.title)}`))
  for (const l of m.lines) out.push(indent(lineText(l, o), ''))
  if (m.fields.length) {
    // the values in one column, unless a label is longer than 28 columns (then it only pushes its own)
    const width = Math.min(28, Math.max(...m.fields.map((f) => displayWidth(sanitize(f.label)))))
    for (const f of m.fields) {
      const label = sanitize(f.label)
      out.push(`  ${padDisplay(label, width)}  ${indent(lineText(f.value, o), ' '.repeat(width + 4))}`)
    }
  }
  if (m.footer) out.push(ansi(Boolean(o.color), '2', lineText(m.footer, o)))
  m.buttons.forEach((row, r) => {
    const parts = row.map((b, c) => {
      const n = o.numberOf?.(b, r, c)
      return n === undefined ? `[${sanitize(b.label)}]` : `[${n}] ${sanitize(b.label)}`
    })
    if (parts.length) out.push(parts.join('  '))
  })
  return out.join('\n')
}
