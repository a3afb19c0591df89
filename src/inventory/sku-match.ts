/**
 * Which of a shop's SKUs a typed one means. A team types `tote-blu` for the shop's `TOTE-BLU`, or
 * `BOTLE-GRN` for `BOTTLE-GRN`: stock recorded under the typed spelling would never meet the orders
 * (the stock check matches SKUs exactly), so a SKU in another letter case is read as the shop's own,
 * and a SKU the shop has never had gets the nearest ones it has as suggestions.
 */
import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../db/database.js'
import { orderLineItems, orders, stockLevels } from '../../db/schema.js'
import { LINE_SKU } from './stock-check.js'

/** how far back the orders whose SKUs count as the shop's go (the export window, R7) */
export const ORDER_DAYS = 90

/** The shop's SKUs: those with stock recorded, and those of its orders created in the last 90 days. */
export async function knownSkus(db: Executor, shopId: string, now: Date): Promise<string[]> {
  const since = new Date(now.getTime() - ORDER_DAYS * 86_400_000)
  const res = await rows<{ sku: string }>(
    db,
    sql`select ${stockLevels.sellerSku} as sku from ${stockLevels} where ${stockLevels.shopId} = ${shopId}
        union
        select ${LINE_SKU} from ${orderLineItems} li join ${orders} o on o.id = li.order_id
        where o.shop_id = ${shopId} and o.create_time >= ${since.toISOString()}::timestamptz`,
  )
  return res.map((r) => r.sku).filter(Boolean)
}

export type SkuMatch =
  /** the shop has this SKU as typed, or in another letter case (`sku` is the shop's spelling) */
  | { kind: 'known'; sku: string }
  /** it has it in several letter cases, none as typed */
  | { kind: 'ambiguous'; options: string[] }
  /** it has never had it: the nearest SKUs it has, nearest first (at most 3) */
  | { kind: 'unknown'; near: string[] }

/** Levenshtein distance, or `max + 1` as soon as it is certain to exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      best = Math.min(best, cur[j])
    }
    if (best > max) return max + 1
    prev = cur
  }
  return prev[b.length]
}

const NEAR_MAX = 3

/** The shop's SKUs, looked up as typed and in any letter case. */
export interface SkuIndex {
  all: string[]
  exact: Set<string>
  /** lower case → the shop's spellings */
  byLower: Map<string, string[]>
  /** the shop's SKUs of digits that start with 0, by their digits without those zeros */
  byDigits: Map<string, string[]>
}

export function skuIndex(known: string[]): SkuIndex {
  const all = [...new Set(known)]
  const byLower = new Map<string, string[]>()
  for (const k of all) {
    const l = k.toLowerCase()
    byLower.set(l, [...(byLower.get(l) ?? []), k])
  }
  const byDigits = new Map<string, string[]>()
  for (const k of all) {
    if (!/^0\d*$/.test(k)) continue
    const digits = stripZeros(k)
    byDigits.set(digits, [...(byDigits.get(digits) ?? []), k])
  }
  return { all, exact: new Set(all), byLower, byDigits }
}

const stripZeros = (digits: string) => digits.replace(/^0+/, '')

/**
 * The shop's SKU of digits that `typed` is with leading zeros lost (several such: ambiguous), or null.
 * A spreadsheet that opens a CSV reads `00123` as the number 123: a stock count saved from it again
 * names 123, which would be stock no order meets.
 */
export function zerosMatch(typed: string, index: SkuIndex): Exclude<SkuMatch, { kind: 'unknown' }> | null {
  if (!/^\d+$/.test(typed)) return null
  const same = (index.byDigits.get(stripZeros(typed)) ?? []).filter((k) => k.length > typed.length)
  if (same.length === 1) return { kind: 'known', sku: same[0] }
  return same.length ? { kind: 'ambiguous', options: [...same].sort() } : null
}

/** The shop's SKU as typed or in another letter case (several such: ambiguous), or null when it has none. */
export function caseMatch(typed: string, index: SkuIndex): Exclude<SkuMatch, { kind: 'unknown' }> | null {
  if (index.exact.has(typed)) return { kind: 'known', sku: typed }
  const same = index.byLower.get(typed.toLowerCase()) ?? []
  if (same.length === 1) return { kind: 'known', sku: same[0] }
  return same.length ? { kind: 'ambiguous', options: [...same].sort() } : null
}

/**
 * Matches a typed SKU against the shop's. Near ones: within one edit (two for a SKU of six characters
 * or more), letter case aside, or holding the typed text (three characters or more) — `BOTTLE` finds
 * `BOTTLE-GRN` and `BOTTLE-SLV`.
 */
export function matchSku(typed: string, known: string[]): SkuMatch {
  const index = skuIndex(known)
  const found = caseMatch(typed, index)
  if (found) return found
  const t = typed.toLowerCase()
  const max = t.length >= 6 ? 2 : 1
  const near = index.all
    .map((k) => {
      const l = k.toLowerCase()
      const d = editDistance(t, l, max)
      return { k, d: d <= max ? d : t.length >= 3 && l.includes(t) ? max + 1 : Infinity }
    })
    .filter((x) => x.d !== Infinity)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
  return { kind: 'unknown', near: near.slice(0, NEAR_MAX).map((x) => x.k) }
}
