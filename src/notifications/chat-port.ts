/**
 * What the outbox dispatcher needs from a chat platform. Each adapter (bots/discord, bots/telegram,
 * bots/console) implements it. Errors tell the dispatcher what to do next.
 */
import type { ChannelInfo, Platform } from '../assistant/types.js'
import type { NeutralMessage } from './message.js'

export interface ChatPort {
  platform: Platform
  /** Posts a message; returns the platform's message id so later edits find it. */
  post(channel: ChannelInfo, msg: NeutralMessage): Promise<{ messageId: string }>
  /** Replaces a posted message (e.g. the outcome of a decision, buttons removed). */
  edit(channel: ChannelInfo, messageId: string, msg: NeutralMessage): Promise<void>
}

/** The platform asked us to wait (HTTP 429 / retry_after). */
export class ChatRetryAfter extends Error {
  constructor(readonly retryAfterMs: number, message = `rate limited, retry after ${retryAfterMs} ms`) {
    super(message)
    this.name = 'ChatRetryAfter'
  }
}

/** Retrying will not help (chat deleted, bot removed, message gone, forbidden). */
export class ChatPermanentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChatPermanentError'
  }
}
