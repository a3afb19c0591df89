/**
 * Our channel ids for Telegram: the chat id, or `chatId:threadId` for a forum topic.
 */
export interface TelegramTarget {
  chatId: number
  threadId?: number
}

export function channelExternalId(chatId: number, threadId?: number): string {
  return threadId ? `${chatId}:${threadId}` : String(chatId)
}

export function parseExternalId(externalId: string): TelegramTarget {
  const m = /^(-?\d+)(?::(\d+))?$/.exec(externalId)
  if (!m) throw new Error(`not a Telegram channel id: ${externalId}`)
  return m[2] ? { chatId: Number(m[1]), threadId: Number(m[2]) } : { chatId: Number(m[1]) }
}

/** The message_thread_id to send with, for a message in a forum topic (General has none). */
export function topicOf(msg: { message_thread_id?: number; is_topic_message?: boolean } | undefined): number | undefined {
  return msg?.is_topic_message && msg.message_thread_id ? msg.message_thread_id : undefined
}
