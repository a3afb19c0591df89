/**
 * The neutral API every chat adapter (Discord, Telegram, terminal) and the CLI call.
 * An adapter parses platform input into a `Command`, calls `Assistant.handle`, and renders the `Reply`.
 */
import type { Action } from '../notifications/actions.js'
import type { NeutralMessage } from '../notifications/message.js'

export type Platform = 'discord' | 'telegram' | 'console' | 'cli'
export type Locale = 'en' | 'zh-CN'
export type Role = 'admin' | 'operator' | 'viewer'

/** Who pressed or typed. `platformOperator` is a platform fact reported by the adapter
 * (Telegram chat administrator, Discord Manage Server or the configured role): it counts as operator. */
export interface Actor {
  platform: Platform
  userId: string
  displayName: string
  platformOperator?: boolean
}

/** Where the command came from: a Discord channel, a Telegram chat (or chat:thread), the terminal. */
export interface ChannelRef {
  platform: Platform
  externalId: string
  title?: string
  /** the platform's locale hint for a new channel (e.g. Discord guild locale, Telegram language_code) */
  localeHint?: string
  /** the platform's upload limit for files, when it tells us (Discord attachment_size_limit) */
  uploadLimitBytes?: number
  /**
   * How members give a command's values: typed after it (`/export shipped csv`, the default), or in
   * the platform's own fields, one per option (`options`: Discord's slash commands), where the
   * typed syntax of /help's examples does not apply.
   */
  commandForm?: 'typed' | 'options'
}

/** A stored channel, as the dispatcher and renderers see it. */
export interface ChannelInfo {
  id: number
  platform: Platform
  externalId: string
  locale: Locale
  timeZone: string
  /** the channel follows more than one shop, so its order and request posts name the shop (known where a shop's followers are read) */
  severalShops?: boolean
}

/** Raw export arguments as typed by a user; the exports core validates them (R5, R7). */
export interface ExportArgs {
  status?: string
  time?: string
  from?: string
  to?: string
  template?: string
  format?: string
  shop?: string
  tz?: string
  /** words typed without a key (`/export shipped paid csv 2026-11-01 2026-11-20`, `/export 待发货 excel`): the exports core places each by what it names */
  words?: string[]
}

export type Command =
  /** topic: a command name, for how to write it with examples */
  | { name: 'help'; topic?: string }
  /** is the assistant reading the shops and posting here: each shop's sync, its authorization, messages waiting */
  | { name: 'status' }
  | { name: 'link'; code: string }
  /** shop: the ID or name of a shop the channel follows */
  | { name: 'unlink'; shop?: string }
  | { name: 'orders'; status?: string }
  | { name: 'order'; orderId: string }
  | { name: 'export'; args: ExportArgs }
  | { name: 'late'; hours?: number }
  /**
   * quantity: set the units on hand; adjust: add (or, negative, take) units, as one database update;
   * file: a stock file (seller_sku,quantity, CSV or xlsx) setting each SKU in it; sheet: the shop's
   * stock sheet as a file in that form (xlsx or csv, as typed); both for `shop` (its ID or name)
   * when the chat follows several
   */
  | { name: 'stock'; sku?: string; quantity?: number; adjust?: number; file?: IncomingFile; sheet?: string; shop?: string }
  | { name: 'grant'; target: { userId: string; displayName: string }; role: string }
  | { name: 'revoke'; target: { userId: string; displayName: string } }
  | { name: 'settings'; language?: string; timeZone?: string; thresholds?: string; daily?: string }
  | { name: 'picklist' }
  | { name: 'label'; orderId: string }
  | { name: 'mark'; orderId: string; step: string }
  | { name: 'cancel_order'; orderId: string; reason?: string }
  /** a button press */
  | { name: 'action'; action: Action }

export type CommandName = Command['name']

/**
 * A file a member sent with a command: its name, its size when the platform tells it, and how to
 * fetch its bytes (called once the command is allowed; it may download it).
 */
export interface IncomingFile {
  filename: string
  sizeBytes?: number
  read(): Promise<Uint8Array>
}

/** A file to send back (exports, pick lists, labels, charts). The adapter deletes `path` after sending. */
export interface OutgoingFile {
  path: string
  filename: string
  mime: string
  sizeBytes: number
  /** a short caption, e.g. "1,234 orders · created 2026-11-01 … 2026-11-25" */
  caption?: string
}

/** A pick-one prompt the adapter shows as buttons, a select menu or a modal (e.g. reject reasons). */
export interface Choice {
  label: string
  action: Action
}

export interface Reply {
  /** false when the command was refused or failed; `message` then says why and what to change */
  ok: boolean
  message: NeutralMessage
  /** only the person who asked should see it (Discord ephemeral; Telegram: callback answer / reply) */
  ephemeral?: boolean
  files?: OutgoingFile[]
  choices?: { prompt: string; options: Choice[] }
  /** the channel as stored (zone, language), so adapters render instants and their own texts to match */
  channel?: ChannelInfo
}

/** A value a member may pick while typing an option, and how it is shown (Discord autocomplete). */
export interface Suggestion {
  name: string
  value: string
}

/** What is being typed: a shop (/export, /unlink), or an order (/order, /label, /mark, /cancel). */
export type SuggestField = 'shop' | 'order' | 'sku'

export interface Assistant {
  handle(channel: ChannelRef, actor: Actor, command: Command): Promise<Reply>
  /** Suggestions for an option being typed: read-only, for members with a role; none in a channel not yet known. */
  suggest?(channel: ChannelRef, actor: Actor, field: SuggestField, query: string): Promise<Suggestion[]>
  /** Progress for long work (exports): the adapter may show it; called at most about once a second. */
  handleWithProgress?(
    channel: ChannelRef,
    actor: Actor,
    command: Command,
    onProgress: (done: number, total: number) => void,
  ): Promise<Reply>
}
