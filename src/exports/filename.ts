/** File names that say what an export holds: shop, template, status, time field and range (ASCII only). */
import type { ExportFilter } from './filters.js'

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()

/** "2026-11-01" stays; "2026-11-01 08:00:00" → "2026-11-01T0800" */
const point = (label: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})/.exec(label)
  return m ? `${m[1]}T${m[2]}${m[3]}` : label.replace(/[^0-9-]/g, '')
}

/**
 * e.g. `orders_7495123456_order-sku-list_awaiting-shipment_created_2026-11-01_2026-11-07.xlsx`;
 * `part` gives `…_part2of3`; several shops give `3-shops`.
 */
export function exportFileName(f: ExportFilter, ext: string, part?: { index: number; count: number }): string {
  const shop = f.shopIds.length === 1 ? slug(f.shopIds[0]) || 'shop' : `${f.shopIds.length}-shops`
  const pieces = [
    'orders',
    shop,
    slug(f.template),
    slug(f.status),
    f.timeField,
    point(f.label.from),
    point(f.label.to),
  ]
  if (part && part.count > 1) pieces.push(`part${part.index}of${part.count}`)
  return `${pieces.join('_')}.${ext}`
}
