/**
 * NeutralMessage → a Discord message: one embed (colour by tone, fields, instants as <t:unix:f> /
 * <t:unix:R> so each reader sees their own zone), buttons as action rows whose custom_id is the
 * encoded action, pick-one choices as select menus. Every text from the core is escaped for
 * Discord markdown and mentions are neutralised; `allowed_mentions.parse` is empty on every
 * message, so buyer text can never ping anyone. Discord's limits are respected by clipping.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  type APIStringSelectComponent,
} from 'discord.js'
import type { Choice } from '../../src/assistant/types.js'
import { encodeAction } from '../../src/notifications/actions.js'
import type { Button, Inline, Line, NeutralMessage, Tone } from '../../src/notifications/message.js'

export const LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  selectOptions: 25,
  optionLabel: 100,
  placeholder: 150,
  customId: 100,
} as const

export const TONE_COLOURS: Record<Tone, number> = {
  info: 0x3b82f6,
  success: 0x22c55e,
  warning: 0xf59e0b,
  danger: 0xef4444,
}

const STYLES: Record<NonNullable<Button['style']>, ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
}

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>

/** The parts of a Discord message the adapter sends (REST body: `allowed_mentions`; discord.js: `allowedMentions`). */
export interface RenderedMessage {
  embeds: APIEmbed[]
  components: ActionRow[]
  allowed_mentions: { parse: [] }
}

export interface RenderOptions {
  /** the channel's zone, for instants in the footer (Discord does not render <t:…> there) */
  timeZone?: string
}

/**
 * Escapes text for Discord markdown and neutralises mentions: `@everyone`, `@here`, `<@id>`, `<@&id>`,
 * `<#id>`, `<t:…>` and slash-command mentions show as text. (No message of ours pings anyone anyway:
 * allowed_mentions is empty; this keeps buyer text from even looking like a mention.)
 */
export function escapeText(s: string): string {
  // Linear on purpose (discord.js escapeMarkdown is slow on long text): every inline marker is
  // backslash-escaped, and block markers (headings, quotes, lists) only where a line starts.
  return String(s)
    .replace(/[\\*_~`|[\]]/g, '\\$&')
    .replace(/^(\s*)(#{1,3} |>|-# |[-+] |\d+\. )/gm, (_, sp: string, mark: string) =>
      /^\d/.test(mark) ? `${sp}${mark.slice(0, -2)}\\. ` : `${sp}\\${mark}`,
    )
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<([@#:/]|t:|a:)/g, '<\u200b$1')
}

/** Cuts to `max` characters with an ellipsis, never in the middle of a surrogate pair or after a lone backslash. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s
  let cut = s.slice(0, max - 1)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0
  if (trailing % 2 === 1) cut = cut.slice(0, -1)
  return cut + '…'
}

const unix = (iso: string): number | null => {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

function inline(p: Inline): string {
  if (typeof p === 'string') return escapeText(p)
  if ('at' in p) {
    const s = unix(p.at)
    if (s === null) return escapeText(p.at)
    if (p.style === 'relative') return `<t:${s}:R>`
    if (p.style === 'both') return `<t:${s}:f> (<t:${s}:R>)`
    return `<t:${s}:f>`
  }
  if ('bold' in p) return p.bold.trim() ? `**${escapeText(p.bold)}**` : ''
  const code = p.code.replace(/`/g, 'ˋ')
  return code ? `\`${code}\`` : ''
}

export const renderLine = (line: Line): string => line.map(inline).join('')

/** Plain text (footer, labels): instants in the channel's zone, no markdown. */
function plainLine(line: Line, timeZone = 'UTC'): string {
  return line
    .map((p) => {
      if (typeof p === 'string') return p
      if ('at' in p) {
        const ms = Date.parse(p.at)
        if (Number.isNaN(ms)) return p.at
        const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
        return `${f.format(new Date(ms))} ${timeZone}`
      }
      return 'bold' in p ? p.bold : p.code
    })
    .join('')
}

function fields(msg: NeutralMessage): APIEmbedField[] {
  const all = msg.fields.map((f) => ({
    name: clip(escapeText(f.label), LIMITS.fieldName) || '\u200b',
    value: clip(renderLine(f.value), LIMITS.fieldValue) || '—',
    inline: Boolean(f.inline),
  }))
  if (all.length <= LIMITS.fields) return all
  const kept = all.slice(0, LIMITS.fields - 1)
  kept.push({ name: '…', value: `+${all.length - kept.length}`, inline: false })
  return kept
}

/** Clips field values evenly (the longest first) so names and values fit in `budget` characters. */
function fitFields(fs: APIEmbedField[], budget: number): APIEmbedField[] {
  let out = fs
  const size = (x: APIEmbedField[]) => x.reduce((n, f) => n + f.name.length + f.value.length, 0)
  // drop fields from the end while even one character per value cannot fit
  while (out.length && out.reduce((n, f) => n + f.name.length + 2, 0) > budget) out = out.slice(0, -1)
  if (size(out) <= budget) return out
  const room = budget - out.reduce((n, f) => n + f.name.length, 0)
  const lens = out.map((f) => f.value.length).sort((a, b) => a - b)
  // the largest cap c with sum(min(len, c)) <= room
  let cap = 0
  let used = 0
  for (let i = 0; i < lens.length; i++) {
    const c = Math.floor((room - used) / (lens.length - i))
    if (lens[i] <= c) {
      used += lens[i]
      continue
    }
    cap = c
    break
  }
  return out.map((f) => (f.value.length > cap ? { ...f, value: clip(f.value, Math.max(2, cap)) } : f))
}

export function renderEmbed(msg: NeutralMessage, opts: RenderOptions = {}): APIEmbed {
  const embed: APIEmbed = { color: TONE_COLOURS[msg.tone] ?? TONE_COLOURS.info }
  // a title too long for Discord's 256 (e.g. a long refusal) is shown whole as the first description line
  const fullTitle = escapeText(msg.title)
  const titleFits = fullTitle.length <= LIMITS.title
  if (fullTitle && titleFits) embed.title = fullTitle
  const footer = msg.footer ? clip(plainLine(msg.footer, opts.timeZone), LIMITS.footer) : ''
  if (footer) embed.footer = { text: footer }
  // 6,000 characters in all: the description (the message's lines) gets up to half of what the
  // title and footer leave when there are fields, the fields the rest, the description any remainder.
  const description = [...(titleFits ? [] : [`**${fullTitle}**`]), ...msg.lines.map(renderLine)].join('\n')
  const avail = LIMITS.embedTotal - (embed.title?.length ?? 0) - footer.length
  const all = fields(msg)
  const descWanted = Math.min(description.length, LIMITS.description)
  const descFirst = all.length ? Math.min(descWanted, Math.floor(avail / 2)) : descWanted
  const fs = fitFields(all, avail - descFirst)
  if (fs.length) embed.fields = fs
  const room = Math.min(LIMITS.description, avail - fs.reduce((n, f) => n + f.name.length + f.value.length, 0))
  if (description && room > 1) embed.description = clip(description, room)
  if (!embed.title && !embed.description && !embed.fields) embed.description = '\u200b'
  return embed
}

export function buttonRows(rows: Button[][], maxRows: number = LIMITS.rows): ActionRow[] {
  const seen = new Set<string>()
  const out: ActionRow[] = []
  for (const row of rows) {
    const buttons: APIButtonComponentWithCustomId[] = []
    for (const b of row) {
      const id = encodeAction(b.action)
      if (id.length > LIMITS.customId || seen.has(id)) continue
      seen.add(id)
      buttons.push({ type: ComponentType.Button, style: STYLES[b.style ?? 'secondary'], label: clip(b.label, LIMITS.buttonLabel) || '…', custom_id: id })
    }
    for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow)
      out.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow) })
  }
  return out.slice(0, maxRows)
}

/** The custom_id prefix of our pick-one select menus; the chosen value is the encoded action. */
export const CHOICE_PREFIX = 'choice:'

export function choiceRows(prompt: string, options: Choice[], maxRows: number = LIMITS.rows): ActionRow[] {
  const seen = new Set<string>()
  const opts = options
    .map((o) => ({ label: clip(o.label, LIMITS.optionLabel) || '…', value: encodeAction(o.action) }))
    .filter((o) => o.value.length <= LIMITS.customId && !seen.has(o.value) && seen.add(o.value))
  const rows: ActionRow[] = []
  for (let i = 0; i < opts.length && rows.length < maxRows; i += LIMITS.selectOptions) {
    const menu: APIStringSelectComponent = {
      type: ComponentType.StringSelect,
      custom_id: `${CHOICE_PREFIX}${rows.length}`,
      placeholder: clip(prompt, LIMITS.placeholder),
      min_values: 1,
      max_values: 1,
      options: opts.slice(i, i + LIMITS.selectOptions),
    }
    rows.push({ type: ComponentType.ActionRow, components: [menu] })
  }
  return rows
}

export function renderMessage(msg: NeutralMessage, opts: RenderOptions = {}): RenderedMessage {
  return { embeds: [renderEmbed(msg, opts)], components: buttonRows(msg.buttons), allowed_mentions: { parse: [] } }
}
