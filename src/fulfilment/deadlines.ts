/**
 * The deadline scan (R3 answer-by, R4 pack-by and hand-over-by, R8). Each run looks at the threshold
 * crossings since the previous run (a watermark in job_runs, with an overlap), so it touches only the
 * orders that crossed one, through the partial indexes on open orders — not every open order.
 * Each warning is raised once per (channel, subject, step, deadline, threshold): the unique index of
 * deadline_warnings decides, so repeated or concurrent scans raise nothing twice.
 * When a channel gets more than its digest size in one scan, it gets one digest instead.
 */
import { count, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { rows } from '../../db/database.js'
import { channelShops, channels, deadlineWarnings, jobRuns, orders, shops } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import type { MarkStep } from '../notifications/actions.js'
import { enqueue, toChannelInfo } from '../notifications/outbox.js'
import { HOUR, MINUTE } from '../shared/clock.js'
import { digestMessage, warningMessage, type DeadlineStep, type WarningFacts } from './deadline-messages.js'

export const SCAN_JOB = 'deadline_scan'

export interface ScanOptions {
  /** first run (no watermark): look this far back for crossings (default 24 h) */
  initialLookbackMs?: number
  /** re-look this far behind the watermark, for rows committed just after the previous scan (default 2 min) */
  overlapMs?: number
  /** never look further back than this after a long stop (default 7 days) */
  maxCatchUpMs?: number
}

export interface ScanResult {
  warnings: number
  messages: number
  digests: number
}

interface Raised {
  id: number | string
  channel_id: number | string
  subject_type: string
  subject_id: string
  step: DeadlineStep
  deadline_at: Date | string
  threshold_minutes: number
}

type Deps = Pick<CoreDeps, 'db' | 'logger'> & { kick?: () => void }

async function window(tx: Executor, now: Date, o: Required<ScanOptions>): Promise<Date> {
  await tx.insert(jobRuns).values({ name: SCAN_JOB, lastRunAt: new Date(now.getTime() - o.initialLookbackMs) }).onConflictDoNothing()
  const [run] = await tx.select().from(jobRuns).where(eq(jobRuns.name, SCAN_JOB)).for('update')
  const from = Math.max(run.lastRunAt.getTime() - o.overlapMs, now.getTime() - o.maxCatchUpMs)
  if (now.getTime() > run.lastRunAt.getTime()) await tx.update(jobRuns).set({ lastRunAt: now, updatedAt: now }).where(eq(jobRuns.name, SCAN_JOB))
  return new Date(from)
}

/** Inserts every due warning (once) and returns the new ones. */
async function raise(tx: Executor, from: Date, now: Date): Promise<Raised[]> {
  const f = from.toISOString()
  const n = now.toISOString()
  return rows<Raised>(
    tx,
    sql`with th as (
          select distinct (jsonb_array_elements_text(c.warn_thresholds_minutes))::int as m
          from ${channels} c where exists (select 1 from channel_shops cs where cs.channel_id = c.id)
        ),
        due as (
          select o.shop_id, 'order' as subject_type, o.id as subject_id, 'pack_by' as step, o.pack_by_at as deadline_at, th.m
          from th cross join lateral (
            select o.id, o.shop_id, o.pack_by_at from orders o
            -- the pick list printed means the team has the order in hand: pack-by reminders stop
            -- (issue 8); hand-over-by reminders go on until the carrier has it
            where o.status = 'awaiting_shipment' and o.packed_at is null and o.pick_list_printed_at is null and not o.is_on_hold
              and o.pack_by_at > ${f}::timestamptz + th.m * interval '1 minute'
              and o.pack_by_at <= ${n}::timestamptz + th.m * interval '1 minute'
          ) o
          union all
          select o.shop_id, 'order', o.id, 'handover_by', o.handover_by_at, th.m
          from th cross join lateral (
            select o.id, o.shop_id, o.handover_by_at from orders o
            where o.status in ('awaiting_shipment', 'cancelling') and o.handed_over_at is null and not o.is_on_hold
              and o.handover_by_at > ${f}::timestamptz + th.m * interval '1 minute'
              and o.handover_by_at <= ${n}::timestamptz + th.m * interval '1 minute'
          ) o
          union all
          select c.shop_id, 'cancellation', c.id, 'answer_by', c.respond_by, th.m
          from th cross join lateral (
            select c.id, c.shop_id, c.respond_by from cancellations c
            where c.state = 'pending'
              and c.respond_by > ${f}::timestamptz + th.m * interval '1 minute'
              and c.respond_by <= ${n}::timestamptz + th.m * interval '1 minute'
          ) c
        )
        insert into deadline_warnings (channel_id, subject_type, subject_id, step, deadline_at, threshold_minutes, created_at)
        select cs.channel_id, due.subject_type, due.subject_id, due.step, due.deadline_at, due.m, ${n}::timestamptz
        from due
        join channel_shops cs on cs.shop_id = due.shop_id
        join ${channels} ch on ch.id = cs.channel_id and ch.warn_thresholds_minutes @> to_jsonb(due.m)
        on conflict do nothing
        returning id, channel_id, subject_type, subject_id, step, deadline_at, threshold_minutes`,
  )
}

/** Marks still missing for an order's pack step / hand-over step. */
function missingMarks(o: { pickListPrintedAt: Date | null; labelPrintedAt: Date | null; packedAt: Date | null; handedOverAt: Date | null }, step: DeadlineStep): MarkStep[] {
  if (step === 'handover_by') return o.handedOverAt ? [] : o.packedAt ? ['handed_over'] : ['packed', 'handed_over']
  const m: MarkStep[] = []
  if (!o.pickListPrintedAt) m.push('pick_list')
  if (!o.labelPrintedAt) m.push('label')
  if (!o.packedAt) m.push('packed')
  return m
}

/**
 * In channels that follow several shops a warning names its order's shop: which channels those are,
 * and the shop name of each order (read only when there is such a channel).
 */
async function shopNamesForSeveral(tx: Executor, channelIds: number[], orderIds: string[]): Promise<{ several: Set<number>; names: Map<string, string> }> {
  const several = new Set(
    (
      await tx
        .select({ channelId: channelShops.channelId })
        .from(channelShops)
        .where(inArray(channelShops.channelId, channelIds))
        .groupBy(channelShops.channelId)
        .having(gt(count(), 1))
    ).map((r) => r.channelId),
  )
  const ids = orderIds.filter(Boolean)
  if (!several.size || !ids.length) return { several, names: new Map() }
  const named = await tx.select({ id: orders.id, name: shops.name }).from(orders).innerJoin(shops, eq(shops.id, orders.shopId)).where(inArray(orders.id, ids))
  return { several, names: new Map(named.map((r) => [r.id, r.name])) }
}

export async function scanDeadlines(deps: Deps, now: Date, opts: ScanOptions = {}): Promise<ScanResult> {
  const o: Required<ScanOptions> = { initialLookbackMs: 24 * HOUR, overlapMs: 2 * MINUTE, maxCatchUpMs: 7 * 24 * HOUR, ...opts }
  const started = performance.now()
  let raiseMs = 0
  const result = await deps.db.transaction(async (tx) => {
    const from = await window(tx, now, o)
    raiseMs = performance.now()
    const raised = await raise(tx, from, now)
    raiseMs = performance.now() - raiseMs
    if (!raised.length) return { warnings: 0, messages: 0, digests: 0 }

    // Several thresholds of one deadline crossed at once (after a stop): only the most urgent is sent.
    const byDeadline = new Map<string, Raised>()
    for (const r of raised) {
      const k = `${r.channel_id}|${r.subject_type}|${r.subject_id}|${r.step}|${new Date(r.deadline_at).getTime()}`
      const cur = byDeadline.get(k)
      if (!cur || r.threshold_minutes < cur.threshold_minutes) byDeadline.set(k, r)
    }
    const toSend = [...byDeadline.values()]

    // Per channel: individual warnings up to its digest size, else one digest (which needs no marks).
    const channelIds = [...new Set(toSend.map((r) => Number(r.channel_id)))]
    const chRows = await tx.select().from(channels).where(inArray(channels.id, channelIds))
    const perChannel = new Map(chRows.map((c) => [c.id, toSend.filter((r) => Number(r.channel_id) === c.id)]))
    const individual = chRows.filter((c) => perChannel.get(c.id)!.length <= c.digestThreshold).flatMap((c) => perChannel.get(c.id)!)
    const orderIds = [...new Set(individual.filter((r) => r.subject_type === 'order').map((r) => r.subject_id))]
    const cancelIds = [...new Set(toSend.filter((r) => r.subject_type === 'cancellation').map((r) => r.subject_id))]
    const orderRows = orderIds.length
      ? await tx
          .select({ id: orders.id, pickListPrintedAt: orders.pickListPrintedAt, labelPrintedAt: orders.labelPrintedAt, packedAt: orders.packedAt, handedOverAt: orders.handedOverAt })
          .from(orders)
          .where(inArray(orders.id, orderIds))
      : []
    const orderById = new Map(orderRows.map((r) => [r.id, r]))
    const cancelRows = cancelIds.length
      ? await rows<{ id: string; order_id: string }>(tx, sql`select id, order_id from cancellations where id in (${sql.join(cancelIds.map((i) => sql`${i}`), sql`, `)})`)
      : []
    const cancelOrder = new Map(cancelRows.map((r) => [r.id, r.order_id]))
    const shopOf = await shopNamesForSeveral(tx, channelIds, [...new Set(toSend.map((r) => (r.subject_type === 'cancellation' ? (cancelOrder.get(r.subject_id) ?? '') : r.subject_id)))])

    let messages = 0
    let digests = 0
    for (const chRow of chRows) {
      const ch = toChannelInfo(chRow)
      const mine = perChannel.get(ch.id)!
      const facts = mine.map((r): WarningFacts => {
        const order = orderById.get(r.subject_id)
        const orderId = r.subject_type === 'cancellation' ? (cancelOrder.get(r.subject_id) ?? r.subject_id) : r.subject_id
        return {
          step: r.step,
          orderId,
          cancelId: r.subject_type === 'cancellation' ? r.subject_id : undefined,
          deadlineAt: new Date(r.deadline_at),
          thresholdMinutes: r.threshold_minutes,
          missing: order ? missingMarks(order, r.step) : [],
          shopName: shopOf.several.has(ch.id) ? shopOf.names.get(orderId) : undefined,
        }
      })
      if (mine.length > chRow.digestThreshold) {
        const first = Math.min(...mine.map((r) => Number(r.id)))
        // The digest's dedupe key names its first warning; its rows keep outbox_id null (one write less each).
        await enqueue(tx, { channelId: ch.id, dedupeKey: `digest:${ch.id}:${first}`, kind: 'post', payload: digestMessage(ch, facts, now) })
        digests++
        messages++
      } else {
        for (let i = 0; i < mine.length; i++) {
          const outboxId = await enqueue(tx, { channelId: ch.id, dedupeKey: `warn:${mine[i].id}`, kind: 'post', payload: warningMessage(ch, facts[i], now) })
          await tx.update(deadlineWarnings).set({ outboxId }).where(eq(deadlineWarnings.id, Number(mine[i].id)))
          messages++
        }
      }
    }
    return { warnings: raised.length, messages, digests }
  })
  deps.logger.debug('deadline scan', { ...result, raiseMs: Math.round(raiseMs), totalMs: Math.round(performance.now() - started) })
  if (result.messages) deps.kick?.()
  return result
}
