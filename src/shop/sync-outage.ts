/**
 * A shop the sync cannot reach for a while (the platform down, a token it refuses, a network cut)
 * is told to the chats that follow it, once per outage, and so is its end: a seller team that lives
 * in its chat must know when the bot is blind, or it trusts a quiet channel. The outage is the run
 * of failed syncs since the first of them (shops.sync_failing_since); the chats are told once it
 * has lasted OUTAGE_NOTICE_AFTER_MS (shops.sync_outage_told_at), and told again when a sync works.
 * Decided under the shop row's lock, with the messages in the same transaction (stored outbox, keyed
 * by the outage's start): two instances, or a retry, cannot tell it twice.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import { shops } from '../../db/schema.js'
import { enqueueForShop } from '../notifications/outbox.js'
import type { Clock } from '../shared/clock.js'
import { syncBackMessage, syncDownMessage } from './sync-outage-messages.js'

/** how long every sync of a shop must have failed before its chats are told (three missed 5-minute syncs) */
export const OUTAGE_NOTICE_AFTER_MS = 15 * 60_000

/**
 * Records how a sync of the shop ended (`failure`: what went wrong, or null when it worked) and tells
 * the following chats when an outage has lasted long enough, or has ended after they were told.
 * `startedAt`: when this sync began (the outage's start, if it is the first failure).
 */
export async function noteSyncOutcome(deps: { db: Db; clock: Clock }, shopId: string, failure: string | null, startedAt: Date): Promise<'told_down' | 'told_back' | null> {
  return deps.db.transaction(async (tx) => {
    const [s] = await tx
      .select({ name: shops.name, since: shops.syncFailingSince, toldAt: shops.syncOutageToldAt })
      .from(shops)
      .where(eq(shops.id, shopId))
      // not FOR UPDATE: that would also wait for (and hold up) the foreign-key checks of order writes
      .for('no key update')
    if (!s) return null
    const now = deps.clock.now()
    if (failure === null) {
      if (!s.since) return null
      await tx.update(shops).set({ syncFailingSince: null, syncOutageToldAt: null }).where(eq(shops.id, shopId))
      if (!s.toldAt) return null
      const since = s.since
      await enqueueForShop(tx, shopId, `sync-back:${shopId}:${since.toISOString()}`, undefined, (ch) => syncBackMessage(ch, s.name, since, now))
      return 'told_back'
    }
    const since = s.since ?? startedAt
    if (s.toldAt || now.getTime() - since.getTime() < OUTAGE_NOTICE_AFTER_MS) {
      if (!s.since) await tx.update(shops).set({ syncFailingSince: since }).where(eq(shops.id, shopId))
      return null
    }
    await tx.update(shops).set({ syncFailingSince: since, syncOutageToldAt: now }).where(eq(shops.id, shopId))
    await enqueueForShop(tx, shopId, `sync-down:${shopId}:${since.toISOString()}`, undefined, (ch) => syncDownMessage(ch, s.name, since, failure.slice(0, 300)))
    return 'told_down'
  })
}
