/**
 * The outbox's way into Telegram: post and edit NeutralMessages as HTML, within the send limits.
 * Errors are mapped for the dispatcher: 429 → ChatRetryAfter, "message is not modified" → done,
 * bot removed / chat gone / message gone → ChatPermanentError, anything else → retried with back-off.
 */
import type { Telegram } from 'telegraf'
import type { ChannelInfo } from '../../src/assistant/types.js'
import { ChatPermanentError, ChatRetryAfter, type ChatPort } from '../../src/notifications/chat-port.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import type { Logger } from '../../src/shared/logger.js'
import { parseExternalId, type TelegramTarget } from './channel.js'
import type { SendLimiter } from './rate-limit.js'
import { renderMessage, renderSingle, MAX_TEXT, type InlineKeyboard } from './render.js'

export interface TelegramApiErrorLike {
  code?: number
  description?: string
  parameters?: { retry_after?: number; migrate_to_chat_id?: number }
}

function apiError(err: unknown): TelegramApiErrorLike | null {
  if (!err || typeof err !== 'object' || !('response' in err)) return null
  const e = err as { code?: unknown; response?: TelegramApiErrorLike }
  return typeof e.code === 'number' ? { ...(e.response ?? {}), code: e.code } : null
}

export const isNotModified = (err: unknown) => /message is not modified/i.test(apiError(err)?.description ?? '')
const isParseError = (err: unknown) => /can't parse entities/i.test(apiError(err)?.description ?? '')

/** Telegram error → the chat port's error vocabulary (or the error itself when a retry may help). */
export function mapTelegramError(err: unknown): Error {
  const e = apiError(err)
  if (!e) return err instanceof Error ? err : new Error(String(err))
  const d = e.description ?? `Telegram error ${e.code}`
  if (e.code === 429) return new ChatRetryAfter(Math.max(1, e.parameters?.retry_after ?? 1) * 1000, d)
  if (e.code === 403 || e.code === 401) return new ChatPermanentError(d)
  if (e.code === 400 && /chat not found|message to edit not found|message can't be edited|group chat was upgraded|have no rights|not enough rights|topic_closed|TOPIC_DELETED|thread not found|bot was kicked/i.test(d))
    return new ChatPermanentError(d)
  if (e.code === 400) return new ChatPermanentError(d) // a request Telegram refuses will be refused again
  return new Error(d)
}

export interface TelegramChatPortOptions {
  telegram: Telegram
  limiter: SendLimiter
  logger: Logger
  /** wait this long at most for a send slot; beyond it the outbox is told to come back later */
  maxWaitMs?: number
  /** the channel's zone/locale for rendering, remembered for replies to commands */
  remember?: (channel: ChannelInfo) => void
  textLimit?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class TelegramChatPort implements ChatPort {
  readonly platform = 'telegram' as const
  private readonly maxWaitMs: number
  constructor(private readonly o: TelegramChatPortOptions) {
    this.maxWaitMs = o.maxWaitMs ?? 3000
  }

  /** Books a send slot for the chat: waits for it when short, else ChatRetryAfter. */
  async slot(chatId: number, mayDefer = true): Promise<void> {
    const key = String(chatId)
    const wait = this.o.limiter.waitFor(key)
    if (mayDefer && wait > this.maxWaitMs) throw new ChatRetryAfter(wait, `holding back: Telegram allows ${this.o.limiter.limits.perChat} messages a minute per chat`)
    const booked = this.o.limiter.reserve(key)
    if (booked > 0) await sleep(booked)
  }

  async post(channel: ChannelInfo, msg: NeutralMessage): Promise<{ messageId: string }> {
    this.o.remember?.(channel)
    const target = parseExternalId(channel.externalId)
    const r = renderMessage(msg, { timeZone: channel.timeZone, locale: channel.locale, limit: this.o.textLimit })
    let last = 0
    for (let i = 0; i < r.parts.length; i++) {
      const kb = i === r.parts.length - 1 ? r.keyboard : undefined
      // later parts wait for their slot: deferring then would post the first part twice
      last = await this.send(target, r.parts[i]!, kb, () => messageText(msg), {}, i === 0)
    }
    return { messageId: String(last) }
  }

  async edit(channel: ChannelInfo, messageId: string, msg: NeutralMessage): Promise<void> {
    this.o.remember?.(channel)
    const target = parseExternalId(channel.externalId)
    const r = renderSingle(msg, { timeZone: channel.timeZone, locale: channel.locale, limit: this.o.textLimit })
    await this.slot(target.chatId)
    try {
      await this.o.telegram.editMessageText(target.chatId, Number(messageId), undefined, r.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(r.keyboard ? { reply_markup: r.keyboard } : {}),
      })
    } catch (err) {
      if (isNotModified(err)) return
      if (isParseError(err)) {
        this.o.logger.error('telegram refused our HTML; editing as plain text', { err })
        await this.o.telegram
          .editMessageText(target.chatId, Number(messageId), undefined, messageText(msg).slice(0, MAX_TEXT), r.keyboard ? { reply_markup: r.keyboard } : {})
          .catch((e) => {
            if (!isNotModified(e)) throw mapTelegramError(e)
          })
        return
      }
      throw mapTelegramError(err)
    }
  }

  /** Sends one HTML text (with a plain-text fallback if Telegram cannot parse it); returns the message id. */
  async send(target: TelegramTarget, html: string, kb: InlineKeyboard | undefined, plain: () => string, extra: Record<string, unknown> = {}, mayDefer = true): Promise<number> {
    await this.slot(target.chatId, mayDefer)
    const base = {
      ...(target.threadId ? { message_thread_id: target.threadId } : {}),
      ...(kb ? { reply_markup: kb } : {}),
      link_preview_options: { is_disabled: true },
      ...extra,
    }
    try {
      return (await this.o.telegram.sendMessage(target.chatId, html, { parse_mode: 'HTML', ...base })).message_id
    } catch (err) {
      if (!isParseError(err)) throw mapTelegramError(err)
      this.o.logger.error('telegram refused our HTML; sending as plain text', { err })
      try {
        return (await this.o.telegram.sendMessage(target.chatId, plain().slice(0, MAX_TEXT), base)).message_id
      } catch (e) {
        throw mapTelegramError(e)
      }
    }
  }
}
