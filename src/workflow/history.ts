/**
 * A shop's history: the orders paid before its first pull sync began. Connecting a busy shop brings
 * in up to 90 days of orders at once; a "new order" message for each of them (thousands) would bury
 * the chat for hours behind the platforms' rate limits, and every warning and buyer request behind
 * them (the outbox keeps each channel's order). So history is imported quietly (stored, stock
 * checked, warned about by the deadline scan, its buyer requests posted as usual) and each following
 * chat gets one summary when that first sync completes. Orders paid since are posted one by one.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import { rows, type Executor } from '../../db/database.js'
import { shops } from '../../db/schema.js'
import type { CoreDeps } from '../assistant/context.js'
import type { ChannelInfo } from '../assistant/types.js'
import { HANDOVER_OPEN, PACK_OPEN } from '../fulfilment/open-steps.js'
import { translator } from '../i18n/index.js'
import { message } from '../notifications/message.js'
import { enqueueForShop } from '../notifications/outbox.js'

type Deps = Pick<CoreDeps, 'db' | 'clock' | 'logger'> & { kick?: () => void }

/** The start of the shop's first pull sync, if it has begun: orders paid before it are history. */
export async function historyBefore(tx: Executor, shopId: string): Promise<Date | null> {
  const [s] = await tx.select({ before: shops.historyBefore }).from(shops).where(eq(shops.id, shopId))
  return s?.before ?? null
}

export const isHistory = (paidTime: Date | null | undefined, before: Date | null): boolean => !!(before && paidTime && paidTime.getTime() < before.getTime())

/**
 * Marks the start of the shop's first pull sync (once; later calls change nothing). Platform times
 * are whole seconds: an order paid in the second the sync began is not history.
 */
export async function beginHistory(tx: Executor, shopId: string, now: Date): Promise<void> {
  await tx
    .update(shops)
    .set({ historyBefore: new Date(Math.floor(now.getTime() / 1000) * 1000) })
    .where(and(eq(shops.id, shopId), isNull(shops.historyBefore)))
}

export interface ImportSummary {
  shopName: string
  /** orders of the shop we hold */
  orders: number
  /** history still to ship (awaiting shipment or with a buyer request) */
  open: number
  /** …of which past a pack-by or hand-over deadline, by the rules /late lists them (open-steps.ts) */
  late: number
  /** …of which short of stock (a SKU with fewer units available than the order needs) */
  short: number
  /** …of which not short, but with a SKU whose stock is not recorded */
  unknown: number
}

export function importMessage(ch: ChannelInfo, s: ImportSummary) {
  const t = translator(ch.locale)
  const lines = [
    [t('import.orders', { count: s.orders })],
    [s.open ? { bold: t('import.open', { count: s.open, late: s.late, short: s.short }) } : t('import.none_open')],
    ...(s.unknown ? [[t('import.unknown_stock', { count: s.unknown })]] : []),
    [t('import.from_now')],
  ]
  return message({ kind: 'import_summary', tone: s.late || s.short ? 'warning' : 'info', title: t('import.title', { shop: s.shopName }), lines })
}

/**
 * Once the shop's first pull sync has completed: marks the import done and tells every chat that
 * follows the shop what it brought in (one message each, none when it brought nothing; later calls
 * change nothing). Returns whether a summary was enqueued.
 */
export async function announceImport(deps: Deps, shopId: string): Promise<boolean> {
  const now = deps.clock.now()
  const told = await deps.db.transaction(async (tx) => {
    const [shop] = await tx
      .update(shops)
      .set({ importedAt: now })
      .where(and(eq(shops.id, shopId), isNull(shops.importedAt)))
      .returning({ name: shops.name, before: shops.historyBefore })
    if (!shop) return false
    const at = now.toISOString()
    const [c] = await rows<{ orders: number; open: number; late: number; short: number; unknown: number }>(
      tx,
      sql`select count(*)::int as orders,
                 count(*) filter (where h)::int as open,
                 count(*) filter (where h and ((${PACK_OPEN} and o.pack_by_at < ${at}::timestamptz)
                                            or (${HANDOVER_OPEN} and o.handover_by_at < ${at}::timestamptz)))::int as late,
                 count(*) filter (where h and 'short' = any(results))::int as short,
                 count(*) filter (where h and 'unknown' = any(results) and not 'short' = any(results))::int as unknown
          from (select *, status in ('awaiting_shipment', 'cancelling') and paid_time < ${shop.before?.toISOString() ?? at}::timestamptz as h,
                       array(select l->>'result' from jsonb_array_elements(coalesce(stock_check->'lines', '[]'::jsonb)) l) as results
                from orders where shop_id = ${shopId}) o`,
    )
    // nothing came in (a new shop): nothing to tell
    if (!c.orders) return false
    await enqueueForShop(tx, shopId, `import:${shopId}`, undefined, (ch) => importMessage(ch, { shopName: shop.name, ...c }))
    return true
  })
  if (told) deps.kick?.()
  return told
}
