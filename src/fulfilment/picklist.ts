/**
 * Pick lists (拣货单, R4): which orders to pick, what to pick for them, and printing one.
 * The platform has no pick-list document (reference §4.1), so the list is built from our order lines.
 * Each platform line item is one unit (reference §2.4): a quantity is a count of line items.
 */
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import type { Db, Executor } from '../../db/database.js'
import { orderLineItems, orders, shops } from '../../db/schema.js'
import type { Locale, OutgoingFile } from '../assistant/types.js'
import { badInput, notFound } from '../shared/errors.js'
import { discardOutgoingFile, writeOutgoingFile } from './out-file.js'
import { renderPickListPdf } from './picklist-pdf.js'
import { recordPrint } from './print-marks.js'
import { dayKey } from './zoned.js'

/** At most this many orders on one pick list; the rest wait for the next one (oldest pack-by first). */
export const PICK_LIST_MAX_ORDERS = 300

/** Platform statuses in which an order is ready to be picked: paid, out of the on-hold window, not yet arranged. */
export const PICKABLE_PLATFORM_STATUSES = ['AWAITING_SHIPMENT', 'PARTIALLY_SHIPPING'] as const

export interface PickLine {
  skuId: string
  sellerSku: string
  productName: string
  skuName: string
  quantity: number
  isGift: boolean
}

export interface PickOrder {
  id: string
  shopId: string
  shopName: string
  paidTime: Date | null
  packByAt: Date | null
  buyerMessage: string
  sellerNote: string
  items: PickLine[]
  units: number
}

export interface PickSku {
  skuId: string
  sellerSku: string
  productName: string
  skuName: string
  quantity: number
  /** in how many orders */
  orders: number
}

export interface PickList {
  orders: PickOrder[]
  skus: PickSku[]
  totalUnits: number
  /** orders that matched but were left for the next list (over PICK_LIST_MAX_ORDERS) */
  leftOver: number
  /** unpicked orders left out because the buyer asked to cancel them (answer the request first) */
  cancelRequested: number
}

export interface PickListQuery {
  shopIds: string[]
  /** exact orders to list; default: every pickable order of the shops without a printed pick list */
  orderIds?: string[]
  limit?: number
}

/** The orders a pick list is for, their lines, and the summary by SKU. */
export async function loadPickList(db: Executor, q: PickListQuery): Promise<PickList> {
  if (!q.shopIds.length) throw badInput('this chat is not linked to a shop yet: link one with /link CODE')
  const limit = Math.max(1, Math.min(q.limit ?? PICK_LIST_MAX_ORDERS, PICK_LIST_MAX_ORDERS))
  const inShops = inArray(orders.shopId, q.shopIds)
  const unpicked = and(
    inShops,
    isNull(orders.pickListPrintedAt),
    isNull(orders.packedAt),
    inArray(orders.platformStatus, [...PICKABLE_PLATFORM_STATUSES]),
  )
  const where = q.orderIds?.length
    ? and(inShops, inArray(orders.id, q.orderIds))
    : and(unpicked, eq(orders.status, 'awaiting_shipment'))

  const rows = await db
    .select({
      id: orders.id,
      shopId: orders.shopId,
      shopName: shops.name,
      status: orders.status,
      paidTime: orders.paidTime,
      packByAt: orders.packByAt,
      buyerMessage: orders.buyerMessage,
      sellerNote: orders.sellerNote,
    })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(where)
    .orderBy(sql`${orders.packByAt} asc nulls last`, asc(orders.paidTime), asc(orders.id))
    .limit(limit + 1)

  if (q.orderIds?.length) {
    const found = new Set(rows.map((r) => r.id))
    const missing = q.orderIds.filter((id) => !found.has(id))
    if (missing.length) throw notFound(`no such order in this chat's shops: ${missing.join(', ')}`, { orderIds: missing })
    const unfit = rows.filter((r) => r.status === 'unpaid' || r.status === 'cancelled')
    if (unfit.length)
      throw badInput(`only paid, not cancelled orders can be picked: ${unfit.map((r) => `${r.id} (${r.status})`).join(', ')}`)
  }

  const chosen = rows.slice(0, limit)
  let leftOver = 0
  if (rows.length > limit && !q.orderIds?.length) {
    const [c] = await db.select({ n: sql<number>`count(*)::int` }).from(orders).where(where)
    leftOver = Number(c?.n ?? 0) - chosen.length
  }
  const [cr] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(orders)
    .where(and(unpicked, eq(orders.status, 'cancelling')))
  const cancelRequested = q.orderIds?.length ? 0 : Number(cr?.n ?? 0)

  const ids = chosen.map((r) => r.id)
  const lines = ids.length
    ? await db
        .select({
          orderId: orderLineItems.orderId,
          skuId: orderLineItems.skuId,
          sellerSku: orderLineItems.sellerSku,
          productName: orderLineItems.productName,
          skuName: orderLineItems.skuName,
          isGift: orderLineItems.isGift,
        })
        .from(orderLineItems)
        .where(and(inArray(orderLineItems.orderId, ids), ne(orderLineItems.displayStatus, 'CANCELLED')))
        .orderBy(asc(orderLineItems.orderId), asc(orderLineItems.id))
    : []

  return buildPickList(chosen, lines, leftOver, cancelRequested)
}

type OrderHead = Omit<PickOrder, 'items' | 'units'>
type LineRow = { orderId: string; skuId: string; sellerSku: string; productName: string; skuName: string; isGift: boolean }

/** Groups line items (one unit each) per order and per SKU. Pure, so it is tested on its own. */
export function buildPickList(heads: OrderHead[], lines: LineRow[], leftOver = 0, cancelRequested = 0): PickList {
  const byOrder = new Map<string, Map<string, PickLine>>()
  const skus = new Map<string, PickSku & { orderSet: Set<string> }>()
  for (const l of lines) {
    const key = `${l.skuId}\u0000${l.isGift ? 1 : 0}`
    let m = byOrder.get(l.orderId)
    if (!m) byOrder.set(l.orderId, (m = new Map()))
    const pl = m.get(key)
    if (pl) pl.quantity++
    else m.set(key, { skuId: l.skuId, sellerSku: l.sellerSku, productName: l.productName, skuName: l.skuName, quantity: 1, isGift: l.isGift })
    const s = skus.get(l.skuId)
    if (s) {
      s.quantity++
      s.orderSet.add(l.orderId)
    } else
      skus.set(l.skuId, {
        skuId: l.skuId,
        sellerSku: l.sellerSku,
        productName: l.productName,
        skuName: l.skuName,
        quantity: 1,
        orders: 0,
        orderSet: new Set([l.orderId]),
      })
  }
  const pickOrders: PickOrder[] = heads.map((h) => {
    const items = [...(byOrder.get(h.id)?.values() ?? [])].sort(bySku)
    return {
      id: h.id,
      shopId: h.shopId,
      shopName: h.shopName,
      paidTime: h.paidTime,
      packByAt: h.packByAt,
      buyerMessage: h.buyerMessage,
      sellerNote: h.sellerNote,
      items,
      units: items.reduce((n, i) => n + i.quantity, 0),
    }
  })
  const skuList = [...skus.values()]
    .map(({ orderSet, ...s }) => ({ ...s, orders: orderSet.size }))
    .sort(bySku)
  return {
    orders: pickOrders,
    skus: skuList,
    totalUnits: skuList.reduce((n, s) => n + s.quantity, 0),
    leftOver,
    cancelRequested,
  }
}

function bySku(a: { sellerSku: string; productName: string; skuId: string }, b: typeof a): number {
  // SKUs without a seller SKU go last
  if (!a.sellerSku !== !b.sellerSku) return a.sellerSku ? -1 : 1
  return a.sellerSku.localeCompare(b.sellerSku) || a.productName.localeCompare(b.productName) || a.skuId.localeCompare(b.skuId)
}

export interface PrintPickListInput extends PickListQuery {
  actor: string
  actorName?: string
  channelId?: number | null
  locale: Locale
  timeZone: string
  now: Date
}

export interface PrintedPickList {
  list: PickList
  /** null when there was nothing to pick */
  file: OutgoingFile | null
  /** orders whose pick list was marked printed by this print (already-printed ones keep their first time) */
  marked: string[]
}

/**
 * Builds the PDF, then marks the orders' pick list printed together with the audit rows in one
 * transaction. When marking fails the file is removed: no PDF is handed out for orders not marked.
 */
export async function printPickList(db: Db, input: PrintPickListInput): Promise<PrintedPickList> {
  const list = await loadPickList(db, input)
  if (!list.orders.length) return { list, file: null, marked: [] }
  const pdf = await renderPickListPdf(list, { locale: input.locale, timeZone: input.timeZone, generatedAt: input.now })
  const stamp = dayKey(input.now, input.timeZone).replaceAll('-', '')
  const file = await writeOutgoingFile(pdf, `picklist-${stamp}-${list.orders.length}.pdf`, 'application/pdf')
  try {
    const marked = await db.transaction((tx) =>
      recordPrint(tx, {
        orderIds: list.orders.map((o) => o.id),
        step: 'pick_list',
        actor: input.actor,
        actorName: input.actorName,
        channelId: input.channelId,
        at: input.now,
        details: { orders: list.orders.length, units: list.totalUnits },
      }),
    )
    return { list, file, marked }
  } catch (err) {
    await discardOutgoingFile(file)
    throw err
  }
}
