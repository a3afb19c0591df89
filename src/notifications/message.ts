/**
 * The platform-neutral message model. The core fills it (already in the channel's language);
 * each chat adapter renders it: Discord as an embed, Telegram as escaped HTML, the terminal as text.
 * Plain strings are literal text, often buyer-supplied: adapters must escape them for their platform.
 */
import type { Action } from './actions.js'

/** One piece of a line. */
export type Inline =
  | string
  /** an instant, shown in the reader's / channel's time zone (Discord: <t:unix:f> / <t:unix:R>) */
  | { at: string; style?: 'datetime' | 'relative' | 'both' }
  | { bold: string }
  | { code: string }

export type Line = Inline[]

export interface Field {
  label: string
  value: Line
  inline?: boolean
}

export interface Button {
  label: string
  action: Action
  style?: 'primary' | 'secondary' | 'success' | 'danger'
}

export type Tone = 'info' | 'success' | 'warning' | 'danger'

export interface NeutralMessage {
  /** what kind of message this is (new_order, cancel_request, warning, digest, outcome, error, reply…) */
  kind: string
  tone: Tone
  title: string
  lines: Line[]
  fields: Field[]
  /** rows of buttons */
  buttons: Button[][]
  footer?: Line
}

export const message = (m: Partial<NeutralMessage> & Pick<NeutralMessage, 'kind' | 'title'>): NeutralMessage => ({
  tone: 'info',
  lines: [],
  fields: [],
  buttons: [],
  ...m,
})

/** The plain text of a line (instants as ISO), for logs, tests and the terminal. */
export function lineText(line: Line, fmt: (iso: string) => string = (iso) => iso): string {
  return line
    .map((p) => (typeof p === 'string' ? p : 'at' in p ? fmt(p.at) : 'bold' in p ? p.bold : p.code))
    .join('')
}

export function messageText(m: NeutralMessage, fmt?: (iso: string) => string): string {
  return [
    m.title,
    ...m.lines.map((l) => lineText(l, fmt)),
    ...m.fields.map((f) => `${f.label}: ${lineText(f.value, fmt)}`),
    ...(m.footer ? [lineText(m.footer, fmt)] : []),
  ].join('\n')
}
