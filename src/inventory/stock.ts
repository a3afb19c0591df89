/** Stock levels per shop and seller SKU: set by command, by CLI, or by CSV import (seller_sku,quantity). */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { anyOf } from '../../db/any-of.js'
import type { Db, Executor } from '../../db/database.js'
import { stockLevels } from '../../db/schema.js'
import { audit } from '../audit/audit.js'
import type { Translate } from '../i18n/index.js'
import { userError } from '../assistant/user-error.js'
import { caseMatch, knownSkus, skuIndex, zerosMatch } from './sku-match.js'
import type { StockFileRow } from './stock-file.js'
import { reservedUnits, type OnHandChange } from './stock-check.js'

export const MAX_QUANTITY = 1_000_000
const SKU = /^\S{1,64}$/

export function validateSku(sku: string): string {
  const s = sku.trim()
  if (!SKU.test(s)) throw userError('bad_input', 'stock.bad_sku', { sku: s.slice(0, 80) })
  return s
}

export function validateQuantity(q: unknown): number {
  const n = typeof q === 'string' && /^\s*\d+\s*$/.test(q) ? Number(q) : q
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_QUANTITY) throw userError('bad_input', 'stock.bad_quantity')
  return n
}

export interface StockView {
  sellerSku: string
  onHand: number
  reserved: number
  available: number
}

/** Sets on-hand stock; returns the previous value (null when the SKU was new). Call in a transaction. */
export async function setStock(
  tx: Executor,
  input: { shopId: string; sellerSku: string; quantity: number; actor: string; actorName?: string; channelId?: number | null; now: Date },
): Promise<number | null> {
  const sku = validateSku(input.sellerSku)
  const qty = validateQuantity(input.quantity)
  const [before] = await tx
    .select({ onHand: stockLevels.onHand })
    .from(stockLevels)
    .where(and(eq(stockLevels.shopId, input.shopId), eq(stockLevels.sellerSku, sku)))
    .for('update')
  await tx
    .insert(stockLevels)
    .values({ shopId: input.shopId, sellerSku: sku, onHand: qty, updatedAt: input.now, updatedBy: input.actor })
    .onConflictDoUpdate({ target: [stockLevels.shopId, stockLevels.sellerSku], set: { onHand: qty, updatedAt: input.now, updatedBy: input.actor } })
  await audit(tx, {
    actor: input.actor,
    actorName: input.actorName,
    channelId: input.channelId,
    action: 'stock.set',
    subject: `stock:${input.shopId}/${sku}`,
    details: { before: before?.onHand ?? null, after: qty },
    at: input.now,
  })
  return before?.onHand ?? null
}

/**
 * Adds `delta` units (negative: takes them away) to a SKU's stock on hand, as one locked update:
 * two changes at once both count. A SKU without stock can only receive units; a change that would
 * leave less than nothing (or more than MAX_QUANTITY) is refused and nothing is written. Returns the
 * units before and after. Call in a transaction.
 */
export async function adjustStock(
  tx: Executor,
  input: { shopId: string; sellerSku: string; delta: number; actor: string; actorName?: string; channelId?: number | null; now: Date },
): Promise<{ before: number | null; after: number }> {
  const sku = validateSku(input.sellerSku)
  const delta = input.delta
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_QUANTITY) throw userError('bad_input', 'stock.bad_adjust')
  const [row] = await tx
    .select({ onHand: stockLevels.onHand })
    .from(stockLevels)
    .where(and(eq(stockLevels.shopId, input.shopId), eq(stockLevels.sellerSku, sku)))
    .for('update')
  const before = row?.onHand ?? null
  const after = (before ?? 0) + delta // what it becomes unless a first row is inserted meanwhile
  if (after < 0) throw userError('bad_input', before === null ? 'stock.adjust_unknown' : 'stock.adjust_below_zero', { sku, onHand: before ?? 0, delta: -delta })
  if (after > MAX_QUANTITY) throw userError('bad_input', 'stock.bad_quantity')
  // the new SKU's first row may be inserted by another change meanwhile: then that row is added to
  const [written] = await tx
    .insert(stockLevels)
    .values({ shopId: input.shopId, sellerSku: sku, onHand: after, updatedAt: input.now, updatedBy: input.actor })
    .onConflictDoUpdate({
      target: [stockLevels.shopId, stockLevels.sellerSku],
      set: { onHand: sql`${stockLevels.onHand} + ${delta}`, updatedAt: input.now, updatedBy: input.actor },
    })
    .returning({ onHand: stockLevels.onHand })
  await audit(tx, {
    actor: input.actor,
    actorName: input.actorName,
    channelId: input.channelId,
    action: 'stock.adjust',
    subject: `stock:${input.shopId}/${sku}`,
    details: { before, delta, after: written.onHand },
    at: input.now,
  })
  return { before, after: written.onHand }
}

/** A SKU's stock line: on hand, held by open orders, and what is left, or how many it is short. */
export function stockLineText(t: Translate, v: StockView): string {
  return v.available < 0
    ? t('stock.line_short', { sku: v.sellerSku, onHand: v.onHand, reserved: v.reserved, short: -v.available })
    : t('stock.line', { sku: v.sellerSku, onHand: v.onHand, reserved: v.reserved, available: v.available })
}

/** the SKUs a shop's stock view reads at most (a catalogue larger than this is not one we serve from chat) */
const VIEW_MAX = 5000

/** The shop's stock (every SKU, by SKU), or that of one SKU, or of these SKUs. */
export async function stockViews(db: Executor, shopId: string, sku?: string | string[]): Promise<StockView[]> {
  if (Array.isArray(sku) && !sku.length) return []
  const which = sku === undefined ? undefined : Array.isArray(sku) ? inArray(stockLevels.sellerSku, sku) : eq(stockLevels.sellerSku, sku)
  const levels = await db
    .select()
    .from(stockLevels)
    .where(and(eq(stockLevels.shopId, shopId), which))
    .orderBy(stockLevels.sellerSku)
    .limit(VIEW_MAX)
  const reserved = await reservedUnits(db, shopId, levels.map((l) => l.sellerSku))
  return levels.map((l) => {
    const r = reserved.get(l.sellerSku) ?? 0
    return { sellerSku: l.sellerSku, onHand: l.onHand, reserved: r, available: l.onHand - r }
  })
}

/** A SKU of a stock file stored under the shop's spelling: in another letter case, or with the leading zeros a spreadsheet dropped. */
export type RenamedSku = {
  line: number
  from: string
  to: string
  why: 'case' | 'zeros'
}

/** the SKUs one stock file may set at most (as many as a stock view reads) */
export const IMPORT_MAX_ROWS = VIEW_MAX

/**
 * Imports the rows of a stock file (readStockFile / readStockCsv): a quantity sets the units on
 * hand, an add (+N / -N) changes them. All rows are checked first; one bad row rejects the file with
 * its line number, and nothing is written. A SKU the shop has in another letter case, or with the
 * leading zeros a spreadsheet drops (123 for the shop's 00123), is stored as the shop's (listed in
 * `renamed`); one it has never had (no stock recorded, in no order of the last 90 days) is listed in
 * `fresh`: a typo shows there. Returns each SKU's units before and after (`changes`: a SKU without
 * stock had 0), in SKU order.
 */
export async function importStock(
  db: Db,
  input: { shopId: string; rows: StockFileRow[]; actor: string; actorName?: string; channelId?: number | null; now: Date },
): Promise<{ count: number; renamed: RenamedSku[]; changes: OnHandChange[]; blank: number; fresh: string[] }> {
  if (!input.rows.length) throw userError('bad_input', 'stock_file.empty')
  // a row with no quantity is left as it is (the stock sheet lists SKUs without stock that way)
  const records = input.rows.filter((r) => r.quantity !== '' || r.add !== '')
  if (!records.length) throw userError('bad_input', 'stock_file.no_quantities')
  if (records.length > IMPORT_MAX_ROWS) throw userError('bad_input', 'stock_file.too_many', { n: records.length, max: IMPORT_MAX_ROWS })
  // a SKU the shop has in another letter case is the shop's own, as /stock reads it: stock under
  // another spelling would never meet the orders
  const index = skuIndex(await knownSkus(db, input.shopId, input.now))
  const seen = new Map<string, number>()
  const renamed: RenamedSku[] = []
  const fresh: string[] = []
  const clean = records.map(({ line, sku: written, quantity: q, add: a }) => {
    // a SKU our own sheet wrote with a leading apostrophe, so that no spreadsheet reads it as a formula
    const typed = unneutralise(written)
    if (!SKU.test(typed)) throw userError('bad_input', 'stock_file.bad_sku', { line, sku: typed.slice(0, 80) })
    if (q !== '' && a !== '') throw userError('bad_input', 'stock_file.quantity_and_add', { line, sku: typed })
    if (q !== '' && (!/^\d{1,7}$/.test(q) || Number(q) > MAX_QUANTITY)) throw userError('bad_input', 'stock_file.bad_quantity', { line, quantity: q.slice(0, 20), max: MAX_QUANTITY })
    if (a !== '' && (!/^[+-]?\d{1,7}$/.test(a) || Number(a) === 0 || Math.abs(Number(a)) > MAX_QUANTITY)) throw userError('bad_input', 'stock_file.bad_add', { line, add: a.slice(0, 20), max: MAX_QUANTITY })
    const byCase = caseMatch(typed, index)
    // a SKU of digits that a spreadsheet has stripped of its leading zeros (00123 saved as 123)
    const byZeros = byCase ? null : zerosMatch(typed, index)
    const found = byCase ?? byZeros
    if (found?.kind === 'ambiguous') throw userError('bad_input', byZeros ? 'stock_file.ambiguous_zeros' : 'stock_file.ambiguous', { line, sku: typed, skus: found.options.join(', ') })
    const sku = found?.sku ?? typed
    if (sku !== typed) renamed.push({ line, from: typed, to: sku, why: byZeros ? 'zeros' : 'case' })
    if (!found) fresh.push(sku)
    const first = seen.get(sku)
    if (first !== undefined) throw userError('bad_input', sku !== typed ? 'stock_file.twice_as' : 'stock_file.twice', { line, sku: typed, first, shopSku: sku })
    seen.set(sku, line)
    return { line, sku, qty: q === '' ? null : Number(q), add: a === '' ? 0 : Number(a) }
  })
  // rows locked in SKU order, as the stock checks lock them
  clean.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
  const changes = await db.transaction(async (tx) => {
    const held = new Map<string, number>()
    for (let i = 0; i < clean.length; i += 500) {
      const chunk = clean.slice(i, i + 500)
      const rowsBefore = await tx
        .select({ sku: stockLevels.sellerSku, onHand: stockLevels.onHand })
        .from(stockLevels)
        .where(and(eq(stockLevels.shopId, input.shopId), anyOf(stockLevels.sellerSku, chunk.map((c) => c.sku))))
        .orderBy(stockLevels.sellerSku)
        .for('update')
      for (const r of rowsBefore) held.set(r.sku, r.onHand)
      // a row of the add column adds to what is on hand (its row is locked): never below nothing
      const after = (c: (typeof clean)[number]) => {
        if (c.qty !== null) return c.qty
        const onHand = held.get(c.sku) ?? 0
        const n = onHand + c.add
        if (n < 0) throw userError('bad_input', 'stock_file.add_below_zero', { line: c.line, sku: c.sku, onHand, take: -c.add })
        if (n > MAX_QUANTITY) throw userError('bad_input', 'stock_file.bad_add', { line: c.line, add: String(c.add), max: MAX_QUANTITY })
        return n
      }
      // units added to a SKU without a row: another change may insert its first row meanwhile (nothing
      // to lock before), and then they are added to that row, as adjustStock does
      const firstAdds = chunk.filter((c) => c.qty === null && !held.has(c.sku))
      for (const c of chunk) c.qty = after(c)
      const row = (c: (typeof clean)[number]) => ({ shopId: input.shopId, sellerSku: c.sku, onHand: c.qty!, updatedAt: input.now, updatedBy: input.actor })
      const sets = chunk.filter((c) => !firstAdds.includes(c))
      const target = [stockLevels.shopId, stockLevels.sellerSku]
      if (sets.length) await tx.insert(stockLevels).values(sets.map(row)).onConflictDoUpdate({ target, set: { onHand: sqlExcluded('on_hand'), updatedAt: input.now, updatedBy: input.actor } })
      if (firstAdds.length) {
        const added = await tx
          .insert(stockLevels)
          .values(firstAdds.map(row))
          .onConflictDoUpdate({ target, set: { onHand: sql`${stockLevels.onHand} + excluded.on_hand`, updatedAt: input.now, updatedBy: input.actor } })
          .returning({ sku: stockLevels.sellerSku, onHand: stockLevels.onHand })
        const now = new Map(added.map((a) => [a.sku, a.onHand]))
        for (const c of firstAdds) c.qty = now.get(c.sku) ?? c.qty
      }
    }
    await audit(tx, { actor: input.actor, actorName: input.actorName, channelId: input.channelId, action: 'stock.import', subject: `stock:${input.shopId}`, details: { rows: clean.length }, at: input.now })
    return clean.map((c) => ({ sku: c.sku, before: held.get(c.sku) ?? 0, after: c.qty! }))
  })
  return { count: clean.length, renamed, changes, blank: input.rows.length - records.length, fresh: fresh.sort() }
}

/** `'=X` → `=X`: the apostrophe neutraliseFormula puts before a text that starts like a formula. */
const unneutralise = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s)

const sqlExcluded = (col: string) => sql.raw(`excluded.${col}`)
