/**
 * The ChatPort for the outbox dispatcher: posts and edits channel messages over Discord's REST API
 * and turns Discord's answers into what the dispatcher acts on:
 *   429 (discord.js RateLimitError, see `rejectOnRateLimit`) → ChatRetryAfter
 *   403 / 404 (Unknown Channel, Missing Access, Unknown Message…) and 400 Invalid Form Body → ChatPermanentError
 *   5xx, timeouts, network errors → rethrown as they are (the dispatcher backs off and retries)
 * Each post carries a nonce derived from its content with `enforce_nonce`, so a retry after a lost
 * answer does not post the message twice (Discord returns the first one).
 */
import { createHash } from 'node:crypto'
import { DiscordAPIError, RateLimitError, Routes, type REST } from 'discord.js'
import type { ChannelInfo } from '../../src/assistant/types.js'
import { ChatPermanentError, ChatRetryAfter, type ChatPort } from '../../src/notifications/chat-port.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import { renderMessage } from './render.js'

/** Discord error codes after which retrying cannot help. */
const PERMANENT_CODES = new Set([
  10003, // Unknown Channel
  10008, // Unknown Message
  10004, // Unknown Guild
  50001, // Missing Access
  50013, // Missing Permissions
  50005, // Cannot edit a message authored by another user
  50007, // Cannot send messages to this user
  50035, // Invalid Form Body
  50006, // Cannot send an empty message
  160002, // Cannot reply without permission to read message history
])

/** Maps a discord.js REST failure to the dispatcher's vocabulary. */
export function mapDiscordError(err: unknown): Error {
  if (err instanceof RateLimitError) return new ChatRetryAfter(Math.max(err.retryAfter, err.sublimitTimeout ?? 0, 0))
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : Number(err.code)
    if (err.status === 429) return new ChatRetryAfter(1000)
    if (err.status === 401) return new ChatPermanentError(`Discord refused the bot token (401): ${err.message}`)
    if (err.status === 403 || err.status === 404 || PERMANENT_CODES.has(code))
      return new ChatPermanentError(`Discord ${err.status} ${code}: ${err.message}`)
    return err
  }
  return err instanceof Error ? err : new Error(String(err))
}

/** A nonce (≤ 25 characters) that is the same for the same message in the same channel. */
export function nonceFor(channelId: string, body: unknown): string {
  return createHash('sha256').update(channelId).update('\0').update(JSON.stringify(body)).digest('base64url').slice(0, 25)
}

export function createDiscordChatPort(rest: REST): ChatPort {
  return {
    platform: 'discord',
    async post(channel: ChannelInfo, msg: NeutralMessage) {
      const body = renderMessage(msg, { timeZone: channel.timeZone })
      try {
        const sent = (await rest.post(Routes.channelMessages(channel.externalId), {
          body: { ...body, nonce: nonceFor(channel.externalId, body), enforce_nonce: true },
        })) as { id: string }
        return { messageId: sent.id }
      } catch (err) {
        throw mapDiscordError(err)
      }
    },
    async edit(channel: ChannelInfo, messageId: string, msg: NeutralMessage) {
      try {
        await rest.patch(Routes.channelMessage(channel.externalId, messageId), { body: renderMessage(msg, { timeZone: channel.timeZone }) })
      } catch (err) {
        throw mapDiscordError(err)
      }
    },
  }
}
