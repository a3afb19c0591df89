/** Loads what an order message shows: the order, its items grouped by SKU, an open cancellation request. */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { cancellations, orderLineItems, orders, shops } from '../../db/schema.js'
import { skuKey } from '../inventory/stock-check.js'

export type OrderRow = typeof orders.$inferSelect
export type CancellationRow = typeof cancellations.$inferSelect

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

export async function loadOrderView(db: Executor, orderId: string, shopIds?: string[]): Promise<OrderView | null> {
  const where = shopIds ? and(eq(orders.id, orderId), inArray(orders.shopId, shopIds.length ? shopIds : [''])) : eq(orders.id, orderId)
  const [row] = await db.select({ o: orders, shopName: shops.name, region: shops.region }).from(orders).innerJoin(shops, eq(shops.id, orders.shopId)).where(where)
  if (!row) return null
  const lines = await db.select().from(orderLineItems).where(eq(orderLineItems.orderId, orderId)).orderBy(orderLineItems.id)
  const groups = new Map<string, ItemGroup>()
  for (const li of lines) {
    const key = skuKey(li)
    const g = groups.get(key) ?? { sku: key, name: li.productName, variant: li.skuName, quantity: 0 }
    g.quantity++
    groups.set(key, g)
  }
  const [openRequest] = await db
    .select()
    .from(cancellations)
    .where(and(eq(cancellations.orderId, orderId), inArray(cancellations.state, ['pending', 'deciding'])))
    .orderBy(desc(cancellations.requestedAt))
    .limit(1)
  return { order: row.o, shopName: row.shopName, shopRegion: row.region, items: [...groups.values()], openRequest: openRequest ?? null }
}
