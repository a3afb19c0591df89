/**
 * /status: is the assistant reading this chat's shops and posting here? For each shop it follows:
 * whether the shop's authorization holds (and when it expires, if soon), when a sync last worked,
 * or since when every sync has failed and why (src/shop/sync-outage.ts), when TikTok Shop last sent
 * one of its events (webhooks, the quick path; the sync catches up without them); then the messages still
 * waiting to be sent to this chat. Any member may ask: a quiet chat is only trustworthy when
 * the team can see the bot is not blind.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { rows } from '../../../db/database.js'
import { shops, syncState } from '../../../db/schema.js'
import { message, type Line } from '../../notifications/message.js'
import { channelBacklog } from '../../notifications/outbox.js'
import type { CommandHandler } from '../context.js'

/** an authorization expiring within this is shown */
const EXPIRY_SHOWN_MS = 30 * 86_400_000

export const status: CommandHandler = async (ctx) => {
  ctx.require('viewer')
  const { t, deps } = ctx
  const now = deps.clock.now()
  const at = (d: Date, style: 'both' | 'datetime' = 'both') => ({ at: d.toISOString(), style })
  const lines: Line[] = []
  if (!ctx.shopIds.length) lines.push([t('error.not_linked')])
  else {
    const list = await deps.db
      .select({
        id: shops.id,
        name: shops.name,
        source: shops.source,
        authorized: shops.authorized,
        deauthorizedAt: shops.deauthorizedAt,
        authExpiresAt: shops.authExpiresAt,
        failingSince: shops.syncFailingSince,
      })
      .from(shops)
      .where(inArray(shops.id, ctx.shopIds))
      .orderBy(shops.name)
    const states = await deps.db
      .select({ shopId: syncState.shopId, lastOkAt: syncState.lastOkAt, lastError: syncState.lastError })
      .from(syncState)
      .where(and(inArray(syncState.shopId, ctx.shopIds), eq(syncState.kind, 'orders')))
    const stateOf = new Map(states.map((s) => [s.shopId, s]))
    // each shop's latest webhook (one index probe per shop)
    const hooks = await rows<{ id: string; last: Date | string | null }>(
      deps.db,
      sql`select s.id, (select w.received_at from webhook_events w where w.shop_id = s.id order by w.received_at desc limit 1) as last
          from unnest(${sql.param(ctx.shopIds)}::text[]) as s(id)`,
    )
    const hookOf = new Map(hooks.map((h) => [h.id, h.last ? new Date(h.last) : null]))
    for (const s of list) {
      lines.push([{ bold: s.name }, s.source === 'simulator' ? ` (${t('status.simulated')})` : ''])
      const st = stateOf.get(s.id)
      if (!s.authorized) lines.push(['✖ ', t('status.deauthorized'), ...(s.deauthorizedAt ? [' (', at(s.deauthorizedAt, 'datetime'), ')'] : [])])
      else if (s.failingSince) lines.push(['✖ ', t('status.failing_since'), at(s.failingSince), ...(st?.lastError ? [': ', st.lastError.slice(0, 300)] : [])])
      else if (st?.lastOkAt) lines.push(['✔ ', t('status.last_sync'), at(st.lastOkAt)])
      else lines.push(['… ', t('status.no_sync_yet')])
      const hook = hookOf.get(s.id)
      lines.push([hook ? t('status.last_webhook') : t('status.no_webhook'), ...(hook ? [at(hook)] : [])])
      if (s.authorized && s.authExpiresAt && s.authExpiresAt.getTime() - now.getTime() < EXPIRY_SHOWN_MS)
        lines.push(['⚠ ', t('status.auth_expires'), at(s.authExpiresAt)])
    }
  }
  const waiting = await channelBacklog(deps.db, ctx.channel.id)
  if (waiting.count > 0 && waiting.oldest) lines.push([t('status.waiting', { n: waiting.count }), at(waiting.oldest)])
  else lines.push([t('status.nothing_waiting')])
  return { ok: true, ephemeral: true, message: message({ kind: 'status', title: t('status.title'), lines }) }
}
