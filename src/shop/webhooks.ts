/**
 * TikTok Shop webhooks (reference §5). Receiving is cheap and strict: verify the `Authorization`
 * signature over the raw bytes before parsing, refuse stale deliveries, store the event once (unique
 * event key = tts_notification_id, else a hash of the body) and answer at once. Processing happens
 * after, in a worker loop over unprocessed events that re-reads the platform (webhooks carry too little
 * and may arrive out of order): type 1 and 3 re-read the order, 11 the cancellation and its order,
 * 6 and 7 are told to the channels following the shop; 4, 12 and the rest are recorded.
 */
import { createHash } from 'node:crypto'
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import { auditLog, shops, webhookEvents } from '../../db/schema.js'
import { enqueueForShop } from '../notifications/outbox.js'
import type { Clock } from '../shared/clock.js'
import { isAppError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import type { ShopPort } from './port.js'
import type { PlatformSink } from './sync-sink.js'
import { verifyWebhookSignature } from './tiktok/sign.js'
import { authExpiringMessage, deauthorizedMessage } from './webhooks-messages.js'
import { parseExternalJson } from '../shared/json.js'

export const WEBHOOK_TYPES = {
  ORDER_STATUS_CHANGE: 1,
  REVERSE_STATUS_UPDATE: 2,
  RECIPIENT_ADDRESS_UPDATE: 3,
  PACKAGE_UPDATE: 4,
  SELLER_DEAUTHORIZATION: 6,
  UPCOMING_AUTHORIZATION_EXPIRATION: 7,
  CANCELLATION_STATUS_CHANGE: 11,
  RETURN_STATUS_CHANGE: 12,
} as const

export interface WebhookReceiveDeps {
  db: Db
  clock: Clock
  logger: Logger
  appKey: string
  appSecret: string
  /** deliveries older than this are refused (default 24 h; TikTok's last retry comes ~15.5 h after the first) */
  maxAgeMs?: number
}

export interface ReceiveResult {
  status: 200 | 400 | 401
  /** one line for the sender (never echoes the body) */
  message: string
  stored: boolean
  duplicate?: boolean
  eventId?: number
}

interface Envelope {
  type: number
  tts_notification_id?: string
  shop_id?: string
  timestamp?: number
  data?: Record<string, unknown>
}

/** Verifies, stores once, answers. Nothing is stored unless the signature and the envelope are good. */
export async function receiveWebhook(deps: WebhookReceiveDeps, rawBody: Buffer, authorization: string | undefined): Promise<ReceiveResult> {
  if (!verifyWebhookSignature(deps.appKey, deps.appSecret, rawBody, authorization))
    return { status: 401, message: authorization ? 'signature does not match' : 'missing Authorization signature', stored: false }
  let env: Envelope
  try {
    env = parseExternalJson(rawBody.toString('utf8')) as Envelope
  } catch {
    return { status: 400, message: 'body is not JSON', stored: false }
  }
  if (!env || typeof env !== 'object' || Array.isArray(env)) return { status: 400, message: 'body is not a JSON object', stored: false }
  const type = typeof env.type === 'string' && /^\d+$/.test(env.type) ? Number(env.type) : env.type
  if (typeof type !== 'number' || !Number.isInteger(type)) return { status: 400, message: 'type must be an integer', stored: false }
  const ts = Number(env.timestamp)
  if (!Number.isFinite(ts) || ts <= 0) return { status: 400, message: 'timestamp must be Unix seconds', stored: false }
  const now = deps.clock.now().getTime()
  const age = now - ts * 1000
  if (age > (deps.maxAgeMs ?? 24 * 3_600_000)) return { status: 400, message: 'timestamp is too old (stale or replayed delivery)', stored: false }
  if (age < -3_600_000) return { status: 400, message: 'timestamp is in the future', stored: false }
  const shopId = env.shop_id === undefined || env.shop_id === null ? '' : String(env.shop_id)
  const notification = env.tts_notification_id ? String(env.tts_notification_id) : ''
  const eventKey = notification ? `tts:${notification}` : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`
  const inserted = await deps.db
    .insert(webhookEvents)
    .values({ eventKey, type, shopId, payload: env, receivedAt: new Date(now), nextAttemptAt: new Date(now) })
    .onConflictDoNothing({ target: webhookEvents.eventKey })
    .returning({ id: webhookEvents.id })
  if (!inserted.length) return { status: 200, message: 'already received', stored: false, duplicate: true }
  return { status: 200, message: 'received', stored: true, eventId: inserted[0].id }
}

export interface WebhookProcessDeps {
  db: Db
  shop: ShopPort
  clock: Clock
  logger: Logger
  sink: PlatformSink
  /** called after outbox rows were written, so the dispatcher sends them now */
  kick?: () => void
}

/** Give up retrying an event after this many attempts (the pull sync covers orders anyway). */
const MAX_ATTEMPTS = 10
const CLAIM_MS = 2 * 60_000

export interface ProcessReport {
  processed: number
  failed: number
}

/** Processes up to `limit` due events; safe to run in several instances at once. */
export async function processWebhookEvents(deps: WebhookProcessDeps, limit = 20): Promise<ProcessReport> {
  const now = deps.clock.now()
  const claimed = await deps.db
    .update(webhookEvents)
    .set({ lockedUntil: new Date(now.getTime() + CLAIM_MS), attempts: sql`${webhookEvents.attempts} + 1` })
    .where(
      sql`${webhookEvents.id} in (select ${webhookEvents.id} from ${webhookEvents} where ${and(
        isNull(webhookEvents.processedAt),
        lte(webhookEvents.nextAttemptAt, now),
        or(isNull(webhookEvents.lockedUntil), lte(webhookEvents.lockedUntil, now)),
      )} order by ${webhookEvents.id} limit ${limit} for update skip locked)`,
    )
    .returning()
  claimed.sort((a, b) => a.id - b.id)
  const report: ProcessReport = { processed: 0, failed: 0 }
  for (const ev of claimed) {
    try {
      const note = await handleEvent(deps, ev.type, ev.shopId, (ev.payload ?? {}) as Envelope, ev.eventKey)
      await deps.db
        .update(webhookEvents)
        .set({ processedAt: deps.clock.now(), lockedUntil: null, lastError: note ?? null })
        .where(eq(webhookEvents.id, ev.id))
      report.processed++
    } catch (err) {
      const msg = ((err as Error).message || String(err)).slice(0, 1000)
      const permanent = isAppError(err, 'bad_input') || isAppError(err, 'not_found') || ev.attempts >= MAX_ATTEMPTS
      const backoff = Math.min(3_600_000, 30_000 * 2 ** Math.max(0, ev.attempts - 1))
      await deps.db
        .update(webhookEvents)
        .set(
          permanent
            ? { processedAt: deps.clock.now(), lockedUntil: null, lastError: `gave up: ${msg}` }
            : { lockedUntil: null, lastError: msg, nextAttemptAt: new Date(deps.clock.now().getTime() + backoff) },
        )
        .where(eq(webhookEvents.id, ev.id))
      report.failed++
      deps.logger.warn('webhook event failed', { id: ev.id, type: ev.type, attempts: ev.attempts, permanent, err })
    }
  }
  return report
}

/** Processes until nothing is due (bounded by `maxRounds`). */
export async function drainWebhookEvents(deps: WebhookProcessDeps, maxRounds = 50): Promise<ProcessReport> {
  const total: ProcessReport = { processed: 0, failed: 0 }
  for (let i = 0; i < maxRounds; i++) {
    const r = await processWebhookEvents(deps)
    total.processed += r.processed
    total.failed += r.failed
    if (r.processed + r.failed === 0) break
  }
  return total
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

/** Returns a note to keep with the processed event (e.g. why nothing was done), or nothing. */
async function handleEvent(deps: WebhookProcessDeps, type: number, shopId: string, env: Envelope, eventKey: string): Promise<string | void> {
  const data = env.data ?? {}
  const [shop] = shopId ? await deps.db.select().from(shops).where(eq(shops.id, shopId)) : []
  if (!shop) return `shop ${shopId || '(none)'} is not connected here: recorded only`
  switch (type) {
    case WEBHOOK_TYPES.ORDER_STATUS_CHANGE:
    case WEBHOOK_TYPES.RECIPIENT_ADDRESS_UPDATE: {
      const orderId = str(data.order_id)
      if (!orderId) return 'no order_id: recorded only'
      await rereadOrder(deps, shopId, orderId)
      return
    }
    case WEBHOOK_TYPES.CANCELLATION_STATUS_CHANGE: {
      const cancelId = str(data.cancel_id)
      const orderId = str(data.order_id)
      if (orderId) await rereadOrder(deps, shopId, orderId)
      if (cancelId) {
        const page = await deps.shop.searchCancellations(shopId, { cancelIds: [cancelId], pageSize: 50 })
        const found = page.items.filter((c) => str(c.cancel_id) === cancelId)
        if (!found.length) throw new Error(`cancellation ${cancelId} not found on the platform yet`)
        for (const c of found) await deps.sink.cancellation(shopId, c)
      }
      deps.kick?.()
      return
    }
    case WEBHOOK_TYPES.SELLER_DEAUTHORIZATION: {
      const now = deps.clock.now()
      const platformText = str(data.message).slice(0, 500)
      const n = await deps.db.transaction(async (tx) => {
        await tx.update(shops).set({ authorized: false, deauthorizedAt: now, updatedAt: now }).where(eq(shops.id, shopId))
        await tx.insert(auditLog).values({ at: now, actor: 'tiktok', action: 'shop.deauthorized', subject: `shop:${shopId}`, details: { eventKey } })
        return enqueueForShop(tx, shopId, `shop-deauthorized:${eventKey}`, undefined, (ch) => deauthorizedMessage(ch, shop.name, platformText))
      })
      deps.shop.shopChanged?.(shopId)
      if (n) deps.kick?.()
      return
    }
    case WEBHOOK_TYPES.UPCOMING_AUTHORIZATION_EXPIRATION: {
      const exp = Number(data.expiration_time)
      const expiresAt = Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000) : null
      const now = deps.clock.now()
      const daysLeft = expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 86_400_000)) : -1
      // TikTok repeats this daily for 30 days: tell the channels on the first one, then each of the last 7 days
      const bucket = daysLeft > 7 ? 'first' : `d${daysLeft}`
      const platformText = str(data.message).slice(0, 500)
      const n = await deps.db.transaction(async (tx) => {
        if (expiresAt) await tx.update(shops).set({ authExpiresAt: expiresAt, updatedAt: now }).where(eq(shops.id, shopId))
        return enqueueForShop(tx, shopId, `shop-auth-expiring:${shopId}:${exp || 0}:${bucket}`, undefined, (ch) => authExpiringMessage(ch, shop.name, expiresAt, platformText))
      })
      if (n) deps.kick?.()
      return
    }
    default:
      return // 2, 4, 12 and other topics: recorded
  }
}

async function rereadOrder(deps: WebhookProcessDeps, shopId: string, orderId: string): Promise<void> {
  const found = await deps.shop.getOrders(shopId, [orderId])
  const order = found.find((o) => str(o.id) === orderId)
  if (!order) throw new Error(`order ${orderId} not found on the platform yet`)
  await deps.sink.order(shopId, order)
  deps.kick?.()
}

/** Unprocessed and failed events, for `doctor`. */
export async function webhookBacklog(db: Db): Promise<{ pending: number; failing: number }> {
  const [r] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${webhookEvents.processedAt} is null)`.mapWith(Number),
      failing: sql<number>`count(*) filter (where ${webhookEvents.processedAt} is null and ${webhookEvents.lastError} is not null)`.mapWith(Number),
    })
    .from(webhookEvents)
  return r ?? { pending: 0, failing: 0 }
}

