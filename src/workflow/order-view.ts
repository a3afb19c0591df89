/** Loads what an order message shows: the order, its items grouped by SKU, an open cancellation request. */
import { and, desc, eq, inArray } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import type { Executor } from '../../db/database.js'
import { cancellations, orderLineItems, orders, shops } from '../../db/schema.js'
import { inLineItemOrder, skuKey } from '../inventory/stock-check.js'

export type OrderRow = typeof orders.$inferSelect
export type CancellationRow = typeof cancellations.$inferSelect
/** What an order view reads of a line item. */
type ViewedLine = Pick<typeof orderLineItems.$inferSelect, 'id' | 'sellerSku' | 'skuId' | 'productName' | 'skuName'>

export interface ItemGroup {
  sku: string
  name: string
  variant: string
  quantity: number
}

export interface OrderView {
  order: OrderRow
  shopName: string
  shopRegion: string
  items: ItemGroup[]
  /** the open (pending or deciding) buyer request, if any */
  openRequest: CancellationRow | null
}

/** Line items grouped by SKU, in line-item order. */
function groupItems(lines: ViewedLine[]): ItemGroup[] {
  const groups = new Map<string, ItemGroup>()
  for (const li of lines) {
    const key = skuKey(li)
    const g = groups.get(key) ?? { sku: key, name: li.productName, variant: li.skuName, quantity: 0 }
    g.quantity++
    groups.set(key, g)
  }
  return [...groups.values()]
}

export async function loadOrderView(db: Executor, orderId: string, shopIds?: string[]): Promise<OrderView | null> {
  const where = shopIds ? and(eq(orders.id, orderId), inArray(orders.shopId, shopIds.length ? shopIds : [''])) : eq(orders.id, orderId)
  const [row] = await db.select({ o: orders, shopName: shops.name, region: shops.region }).from(orders).innerJoin(shops, eq(shops.id, orders.shopId)).where(where)
  if (!row) return null
  const lines = await db.select().from(orderLineItems).where(eq(orderLineItems.orderId, orderId)).orderBy(orderLineItems.id)
  const [openRequest] = await db
    .select()
    .from(cancellations)
    .where(and(eq(cancellations.orderId, orderId), inArray(cancellations.state, ['pending', 'deciding'])))
    .orderBy(desc(cancellations.requestedAt))
    .limit(1)
  return { order: row.o, shopName: row.shopName, shopRegion: row.region, items: groupItems(lines), openRequest: openRequest ?? null }
}

/** The open buyer request of each of these orders (the latest), read in one query. */
async function openRequestsOf(db: Executor, orderIds: string[]): Promise<Map<string, CancellationRow>> {
  const requests = await db
    .select()
    .from(cancellations)
    .where(and(anyOf(cancellations.orderId, orderIds), inArray(cancellations.state, ['pending', 'deciding'])))
    .orderBy(desc(cancellations.requestedAt))
  const out = new Map<string, CancellationRow>()
  for (const c of requests) if (!out.has(c.orderId)) out.set(c.orderId, c)
  return out
}

/** The views of many orders in three queries (a page of new orders). */
export async function loadOrderViews(db: Executor, orderIds: string[]): Promise<Map<string, OrderView>> {
  const out = new Map<string, OrderView>()
  if (!orderIds.length) return out
  const found = await db.select({ o: orders, shopName: shops.name, region: shops.region }).from(orders).innerJoin(shops, eq(shops.id, orders.shopId)).where(anyOf(orders.id, orderIds))
  const lines = await db.select().from(orderLineItems).where(anyOf(orderLineItems.orderId, orderIds)).orderBy(orderLineItems.orderId, orderLineItems.id)
  const requests = await openRequestsOf(db, orderIds)
  const linesOf = new Map<string, typeof lines>()
  for (const l of lines) {
    const list = linesOf.get(l.orderId)
    if (list) list.push(l)
    else linesOf.set(l.orderId, [l])
  }
  for (const r of found)
    out.set(r.o.id, { order: r.o, shopName: r.shopName, shopRegion: r.region, items: groupItems(linesOf.get(r.o.id) ?? []), openRequest: requests.get(r.o.id) ?? null })
  return out
}

/** What the views of orders the caller has just written read besides their rows: the shop, and their open requests. */
export interface WrittenViewsContext {
  shopName: string
  shopRegion: string
  requests: Map<string, CancellationRow>
}

export async function loadWrittenViewsContext(db: Executor, shopId: string, orderIds: string[]): Promise<WrittenViewsContext> {
  const [[shop], requests] = await Promise.all([
    db.select({ name: shops.name, region: shops.region }).from(shops).where(eq(shops.id, shopId)),
    orderIds.length ? openRequestsOf(db, orderIds) : new Map<string, CancellationRow>(),
  ])
  return { shopName: shop?.name ?? '', shopRegion: shop?.region ?? '', requests }
}

/**
 * The views of orders of one shop that the caller has just written and holds as stored (the page
 * use case), with their context read once (loadWrittenViewsContext): the orders and line items are
 * not read again. `lines` are each order's stored line items, in any order.
 */
export function viewsOfWritten(ctx: WrittenViewsContext, written: { order: OrderRow; lines: ViewedLine[] }[]): Map<string, OrderView> {
  const out = new Map<string, OrderView>()
  for (const { order, lines } of written)
    out.set(order.id, { order, shopName: ctx.shopName, shopRegion: ctx.shopRegion, items: groupItems(inLineItemOrder(lines)), openRequest: ctx.requests.get(order.id) ?? null })
  return out
}
