/**
 * The outbox dispatcher: delivers stored messages through the chat ports.
 *
 * - Claims rows with a lease (`status='sending'`, `locked_until`): two instances on one PostgreSQL
 *   never send a row together, and a row in flight when a process died is sent after the lease ends.
 * - Per-channel order: only the oldest unfinished row of a channel is eligible, so row N+1 never goes
 *   before row N (and an edit waits for the post it edits).
 * - Retries with exponential back-off, honours ChatRetryAfter, gives up on ChatPermanentError.
 * - Once a row is marked sent it is never sent again (every update is conditional on our lease).
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import { rows } from '../../db/database.js'
import { channels, chatMessages, outbox } from '../../db/schema.js'
import type { ChannelInfo } from '../assistant/types.js'
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'
import { ChatPermanentError, ChatRetryAfter, type ChatPort } from './chat-port.js'
import type { NeutralMessage } from './message.js'
import { toChannelInfo } from './outbox.js'

export interface DispatcherOptions {
  db: Db
  ports: ChatPort[]
  clock: Clock
  logger: Logger
  /** how often to look for due rows when not kicked (default 1000 ms) */
  pollMs?: number
  /** how long a claim lasts before another instance may take the row (default 60 s) */
  leaseMs?: number
  /** rows claimed per round, at most one per channel (default 50) */
  batch?: number
  /** attempts before giving up on a row that keeps failing (default 10) */
  maxAttempts?: number
  /** first back-off (default 2 s), doubled each attempt, capped at maxBackoffMs (default 10 min) */
  baseBackoffMs?: number
  maxBackoffMs?: number
}

export interface Dispatcher {
  start(): void
  stop(): Promise<void>
  /** something was enqueued: drain soon */
  kick(): void
  /** one full pass: sends every due row it can; returns how many rows reached a final state */
  drainOnce(): Promise<number>
}

type OutboxRow = typeof outbox.$inferSelect

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { db, clock, logger } = opts
  const pollMs = opts.pollMs ?? 1000
  const leaseMs = opts.leaseMs ?? 60_000
  const batch = opts.batch ?? 50
  const maxAttempts = opts.maxAttempts ?? 10
  const baseBackoff = opts.baseBackoffMs ?? 2000
  const maxBackoff = opts.maxBackoffMs ?? 600_000
  const ports = new Map(opts.ports.map((p) => [p.platform, p]))

  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | null = null
  let again = false
  let stopped = true

  /** The oldest unfinished row of each channel that has one, when it is due and not leased. */
  async function claim(): Promise<OutboxRow[]> {
    const now = clock.now()
    const heads = await rows<{ id: number | string }>(
      db,
      sql`select h.id from ${channels} c
          cross join lateral (
            select o.id, o.next_attempt_at, o.locked_until from ${outbox} o
            where o.channel_id = c.id and o.status in ('pending', 'sending')
            order by o.id limit 1
          ) h
          where h.next_attempt_at <= ${now.toISOString()}::timestamptz
            and (h.locked_until is null or h.locked_until <= ${now.toISOString()}::timestamptz)
          order by h.id limit ${batch}`,
    )
    if (!heads.length) return []
    const ids = heads.map((h) => Number(h.id))
    // Conditional update: a row another instance claimed in between no longer matches.
    return db
      .update(outbox)
      .set({ status: 'sending', lockedUntil: new Date(now.getTime() + leaseMs), attempts: sql`${outbox.attempts} + 1` })
      .where(
        and(
          inArray(outbox.id, ids),
          inArray(outbox.status, ['pending', 'sending']),
          sql`(${outbox.lockedUntil} is null or ${outbox.lockedUntil} <= ${now.toISOString()}::timestamptz)`,
        ),
      )
      .returning()
  }

  const mine = (row: OutboxRow) => and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.lockedUntil, row.lockedUntil!))

  async function markSent(row: OutboxRow, messageId: string | null): Promise<void> {
    const now = clock.now()
    await db.transaction(async (tx) => {
      const done = await tx
        .update(outbox)
        .set({ status: 'sent', sentAt: now, platformMessageId: messageId, lockedUntil: null, lastError: null })
        .where(mine(row))
        .returning({ id: outbox.id })
      if (!done.length) return
      if (row.refKey && messageId) {
        await tx
          .insert(chatMessages)
          .values({ channelId: row.channelId, refKey: row.refKey, platformMessageId: messageId, createdAt: now })
          .onConflictDoUpdate({ target: [chatMessages.channelId, chatMessages.refKey], set: { platformMessageId: messageId } })
      }
    })
  }

  async function release(row: OutboxRow, fields: Partial<OutboxRow>): Promise<void> {
    await db.update(outbox).set({ lockedUntil: null, ...fields }).where(mine(row))
  }

  async function deliver(row: OutboxRow, channel: ChannelInfo): Promise<boolean> {
    const port = ports.get(channel.platform)
    if (!port) {
      // No adapter for this platform in this process: leave it for one that has it.
      await release(row, { status: 'pending', attempts: row.attempts - 1, nextAttemptAt: new Date(clock.now().getTime() + 60_000), lastError: `no chat port for ${channel.platform}` })
      return false
    }
    const payload = row.payload as NeutralMessage
    try {
      if (row.kind === 'edit' && row.refKey) {
        const [known] = await db
          .select({ id: chatMessages.platformMessageId })
          .from(chatMessages)
          .where(and(eq(chatMessages.channelId, row.channelId), eq(chatMessages.refKey, row.refKey)))
        if (known) {
          await port.edit(channel, known.id, payload)
          await markSent(row, known.id)
          return true
        }
        // The original was never posted (it failed for good): post the update so it is not lost.
      }
      const { messageId } = await port.post(channel, payload)
      await markSent(row, messageId)
      return true
    } catch (err) {
      const now = clock.now().getTime()
      const message = err instanceof Error ? err.message : String(err)
      if (err instanceof ChatRetryAfter) {
        await release(row, { status: 'pending', attempts: row.attempts - 1, nextAttemptAt: new Date(now + Math.max(0, err.retryAfterMs)), lastError: message })
        return false
      }
      if (err instanceof ChatPermanentError || row.attempts >= maxAttempts) {
        logger.warn('outbox message given up', { outboxId: row.id, channelId: row.channelId, attempts: row.attempts, error: message })
        await release(row, { status: 'failed', lastError: message })
        return true
      }
      const backoff = Math.min(maxBackoff, baseBackoff * 2 ** Math.max(0, row.attempts - 1))
      logger.info('outbox send failed, will retry', { outboxId: row.id, attempts: row.attempts, backoffMs: backoff, error: message })
      await release(row, { status: 'pending', nextAttemptAt: new Date(now + backoff), lastError: message })
      return false
    }
  }

  async function drain(): Promise<number> {
    let finished = 0
    const channelCache = new Map<number, ChannelInfo>()
    for (;;) {
      const claimed = await claim()
      if (!claimed.length) break
      const missing = [...new Set(claimed.map((r) => r.channelId))].filter((id) => !channelCache.has(id))
      if (missing.length) {
        for (const c of await db.select().from(channels).where(inArray(channels.id, missing))) channelCache.set(c.id, toChannelInfo(c))
      }
      const results = await Promise.all(claimed.map((r) => deliver(r, channelCache.get(r.channelId)!)))
      const n = results.filter(Boolean).length
      finished += n
      if (n === 0) break // everything claimed is waiting (retry-after, back-off): stop this pass
    }
    return finished
  }

  function drainOnce(): Promise<number> {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      let total = 0
      try {
        do {
          again = false
          total += await drain()
        } while (again && !stopped)
      } finally {
        running = null
      }
      return total
    })()
    return running
  }

  const tick = () => {
    drainOnce().catch((err) => logger.error('outbox dispatch failed', { err }))
  }

  return {
    start() {
      if (!stopped) return
      stopped = false
      timer = setInterval(tick, pollMs)
      timer.unref?.()
      tick()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      timer = undefined
      await running?.catch(() => 0)
    },
    kick() {
      if (!stopped) setImmediate(tick)
    },
    drainOnce,
  }
}
