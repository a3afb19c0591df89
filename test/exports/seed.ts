/**
 * Export test data: orders in every status, spread over ~100 days, with buyer text that breaks
 * naive writers (Chinese, emoji, commas, quotes, newlines, formula starters) and 18-digit IDs.
 * Inserted through the real ingest.
 */
import type { Executor } from '../../db/database.js'
import { ingestOrder } from '../../src/orders/ingest.js'
import type { PlatformOrder } from '../../src/orders/platform-order.js'
import { platformOrder, seedShop, unix } from '../support/fixtures.js'

export const NOW = new Date('2026-11-20T04:30:00Z') // 12:30 in Asia/Shanghai
export const TZ = 'Asia/Shanghai'
const DAY = 86_400_000

export const NASTY = [
  '请尽快发货,谢谢!🙏📦',
  'comma, "quoted" text, and a\nnewline',
  '=HYPERLINK("http://evil.example","click")',
  '+1 call me',
  '-2+3',
  '@SUM(A1:A2)',
  '\ttab first',
  'plain',
  '',
  '多行\r\n留言 "引号" , 逗号',
]

const PLATFORM = ['UNPAID', 'ON_HOLD', 'AWAITING_SHIPMENT', 'AWAITING_COLLECTION', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED', 'CANCELLED'] as const

/** One of N deterministic orders; `i` picks status, times, text and items. */
export function exportOrder(i: number, shopTag: string): PlatformOrder {
  const id = String(576_653_688_135_000_000n + BigInt(i) * 7919n + BigInt(shopTag.charCodeAt(0)) * 100_000_000n) // 18 digits
  const created = new Date(NOW.getTime() - (i % 100) * DAY - (i % 24) * 3_600_000 - 60_000 * (i % 60))
  const pst = PLATFORM[i % PLATFORM.length]
  const cancelling = pst === 'AWAITING_SHIPMENT' && i % 3 === 0
  const paid = pst === 'UNPAID' ? undefined : unix(created) + 3600 * (1 + (i % 30))
  const text = NASTY[i % NASTY.length]
  const later = (h: number) => (paid ? paid + h * 3600 : undefined)
  const pkgA = String(1_152_921_504_606_846_000n + BigInt(i) * 2n)
  const pkgB = String(1_152_921_504_606_846_001n + BigInt(i) * 2n)
  const shipped = ['IN_TRANSIT', 'DELIVERED', 'COMPLETED', 'AWAITING_COLLECTION'].includes(pst)
  const twoPackages = shipped && i % 4 === 1
  const tracking = shipped ? `94001118992233${String(i).padStart(8, '0')}` : ''
  const base = platformOrder({ id, at: created })
  const items = [
    { sku: '1729412345678901234', seller: i % 5 === 0 ? '=SKU-A' : 'SKU-A', name: `手机壳 Phone case ${text}`, variant: 'Black, 6.1"', price: '15.00', n: 1 + (i % 3) },
    { sku: '1729412345678905678', seller: '-SKU-B', name: 'Cable, USB-C 😀', variant: '1m', price: '4.99', n: i % 2 },
    { sku: '1729412345678909999', seller: '@SKU-C', name: '"Quoted" gift', variant: '', price: '0.10', n: i % 7 === 0 ? 1 : 0 },
  ]
  const lineItems = items.flatMap((it, k) =>
    Array.from({ length: it.n }, (_, u) => ({
      id: `${id}${k}${u}`,
      sku_id: it.sku,
      seller_sku: it.seller,
      product_name: it.name,
      sku_name: it.variant,
      sale_price: it.price,
      original_price: (Number(it.price) + (i % 2 ? 1 : 0)).toFixed(2),
      seller_discount: i % 2 ? '0.60' : '0',
      platform_discount: i % 2 ? '0.40' : '0',
      currency: 'USD',
      package_id: paid ? (twoPackages && k === 1 ? pkgB : pkgA) : undefined,
      package_status: shipped ? 'FULFILLING' : paid ? 'TO_FULFILL' : undefined,
      tracking_number: tracking || undefined,
      shipping_provider_name: shipped ? 'USPS 美国邮政' : undefined,
    })),
  )
  return {
    ...base,
    id,
    status: pst,
    create_time: unix(created),
    update_time: unix(created) + 86_400 * 5,
    paid_time: paid,
    rts_time: shipped ? later(20) : undefined,
    collection_time: ['IN_TRANSIT', 'DELIVERED', 'COMPLETED'].includes(pst) ? later(30) : undefined,
    delivery_time: ['DELIVERED', 'COMPLETED'].includes(pst) ? later(80) : undefined,
    cancel_time: pst === 'CANCELLED' ? unix(created) + 7200 : undefined,
    cancel_reason: pst === 'CANCELLED' ? (i % 2 ? 'Buyer changed mind, 买家不想要了' : '=cmd|" /C calc"!A0') : undefined,
    cancellation_initiator: pst === 'CANCELLED' ? 'BUYER' : undefined,
    is_buyer_request_cancel: cancelling,
    request_cancel_time: cancelling ? later(2) : undefined,
    buyer_message: text,
    seller_note: i % 6 === 0 ? '+86 备注' : '',
    user_id: String(7_494_726_673_780_148_744n + BigInt(i)),
    tracking_number: tracking,
    shipping_provider: shipped ? 'USPS 美国邮政' : '',
    payment: {
      currency: 'USD',
      original_total_product_price: (i + 20).toFixed(2),
      seller_discount: i % 2 ? '1.20' : '0',
      platform_discount: i % 2 ? '0.80' : '0',
      sub_total: (i + 18).toFixed(2),
      original_shipping_fee: '5.99',
      shipping_fee_seller_discount: i % 3 ? '1.00' : '0',
      shipping_fee_platform_discount: '0.50',
      shipping_fee: i % 3 ? '4.49' : '5.49',
      tax: (i % 4 === 0 ? 0 : 1.23).toFixed(2),
      retail_delivery_fee: i % 10 === 0 ? '0.27' : undefined,
      total_amount: (i * 1000 + 0.07).toFixed(2),
    },
    recipient_address: paid && pst !== 'ON_HOLD'
      ? {
          name: i % 4 === 0 ? '@张三' : `Ada "Ace" O'Buyer, ${i}`,
          phone_number: i % 2 ? '+8613800138000' : '(+1)213-***-1234',
          full_address: `${i} Main St, Apt "B", Los Angeles, CA 90001`,
          address_detail: `${i} Main St\nApt "B"`,
          postal_code: '01234',
          region_code: 'US',
          district_info: [
            { address_level: 'L0', address_name: 'United States' },
            { address_level: 'L1', address_name: 'California' },
            { address_level: 'L2', address_name: 'Los Angeles County' },
            { address_level: 'L3', address_name: i % 2 ? 'Los Angeles' : '洛杉矶' },
          ],
        }
      : {},
    line_items: lineItems,
    packages: paid ? (twoPackages ? [{ id: pkgA }, { id: pkgB }] : [{ id: pkgA }]) : [],
  }
}

export async function seedExportData(db: Executor, count = 120) {
  const shop = await seedShop(db, { id: '7495000000000000001', name: '测试店铺 Test Shop', timeZone: TZ })
  const other = await seedShop(db, { id: '7495000000000000002', name: 'Other shop', timeZone: TZ })
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) await ingestOrder(tx, shop.id, exportOrder(i, 'a'), NOW)
    // a few orders of a shop the channel does not follow, in the same range
    for (let i = 0; i < 10; i++) await ingestOrder(tx, other.id, exportOrder(i, 'b'), NOW)
  })
  return { shop, other }
}

/** Marks some orders' pick list / label as printed (print status columns). */
export async function markSomePrinted(db: Executor, shopId: string) {
  const { sql } = await import('drizzle-orm')
  await db.execute(
    sql`update orders set pick_list_printed_at = paid_time + interval '1 hour',
          label_printed_at = case when right(id, 1) in ('0', '2', '4') then paid_time + interval '2 hours' end
        where shop_id = ${shopId} and paid_time is not null and right(id, 1) in ('0', '1', '2', '3', '4')`,
  )
}
