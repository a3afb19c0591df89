/**
 * The first sync of a shop reads up to 90 days of history, most of it finished orders (unpaid,
 * shipped, completed, cancelled) that raise nothing: no stock check, no message. Running each through
 * the workflow core costs a dozen round trips; here a page of such orders that we have never seen is
 * written with a few multi-row statements instead.
 *
 * It writes exactly what processPlatformOrder writes for a NEW order that is not open for fulfilment
 * (ingestOrder's row, line items, packages, and applyPlatformMarks' marks) — test/shop/sync-bulk.test.ts
 * compares the two paths row for row. Everything else (orders we hold, open orders, malformed ones)
 * still goes through the core one by one.
 */
import { eq, sql } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { orderLineItems, orderPackages, orders, packages, shops } from '../../db/schema.js'
import { toLineItemRows, toOrderRow, validatePlatformOrder } from '../orders/ingest.js'
import type { PlatformOrder } from '../orders/platform-order.js'
import { isHandedOver, isShipmentArranged } from '../orders/status.js'

const OPEN = new Set(['awaiting_shipment', 'cancelling'])

/** Writes the new, not-open orders among `candidates` (ids we do not hold); returns the ids written. */
export async function bulkInsertQuietOrders(tx: Executor, shopId: string, candidates: PlatformOrder[], now: Date): Promise<Set<string>> {
  const [shop] = await tx
    .select({ packByHours: shops.packByHours, handoverByHours: shops.handoverByHours, cancelAnswerHours: shops.cancelAnswerHours })
    .from(shops)
    .where(eq(shops.id, shopId))
  if (!shop) return new Set()
  const picked = new Map<string, { o: PlatformOrder; row: ReturnType<typeof toOrderRow> }>()
  for (const o of candidates) {
    try {
      validatePlatformOrder(o)
    } catch {
      continue // the core reports it
    }
    if (picked.has(o.id)) continue
    const row = toOrderRow(shopId, o, shop)
    if (OPEN.has(row.status)) continue
    // ingestOrder on insert, then applyPlatformMarks (coalesce over empty marks)
    if (isHandedOver(row.platformStatus)) row.handedOverAt = row.collectionTime ?? now
    if (isShipmentArranged(row.platformStatus)) {
      row.labelPrintedAt = now
      row.packedAt = now
    }
    picked.set(o.id, { o, row })
  }
  if (!picked.size) return new Set()
  const inserted = await tx
    .insert(orders)
    .values([...picked.values()].map((p) => p.row))
    .onConflictDoNothing()
    .returning({ id: orders.id })
  const done = new Set(inserted.map((r) => r.id))
  if (!done.size) return done
  const items = [...done].flatMap((id) => toLineItemRows(id, picked.get(id)!.o))
  for (let i = 0; i < items.length; i += 500) {
    await tx
      .insert(orderLineItems)
      .values(items.slice(i, i + 500))
      .onConflictDoUpdate({ target: orderLineItems.id, set: { orderId: sql`excluded.order_id` } })
  }
  // packages as ingestOrder's writeChildren builds them (one row per package id; the last order wins)
  const pkgs = new Map<string, typeof packages.$inferInsert>()
  const links: { orderId: string; packageId: string }[] = []
  for (const id of done) {
    const { o } = picked.get(id)!
    const lis = items.filter((i) => i.orderId === id)
    const ids = new Set<string>([...(o.packages ?? []).map((p) => (p?.id ? String(p.id) : '')).filter(Boolean), ...lis.map((i) => i.packageId).filter((x): x is string => !!x)])
    for (const pid of ids) {
      const li = lis.find((i) => i.packageId === pid)
      pkgs.set(pid, {
        id: pid,
        shopId,
        status: li?.packageStatus ?? '',
        trackingNumber: li?.trackingNumber || (o.tracking_number ? String(o.tracking_number) : ''),
        shippingProviderName: li?.shippingProviderName || (o.shipping_provider ? String(o.shipping_provider) : ''),
      })
      links.push({ orderId: id, packageId: pid })
    }
  }
  if (pkgs.size) {
    await tx
      .insert(packages)
      .values([...pkgs.values()])
      .onConflictDoUpdate({
        target: packages.id,
        set: { status: sql`excluded.status`, trackingNumber: sql`excluded.tracking_number`, shippingProviderName: sql`excluded.shipping_provider_name`, updatedAt: now },
      })
    await tx.insert(orderPackages).values(links).onConflictDoNothing()
  }
  return done
}
