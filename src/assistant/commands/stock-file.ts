/**
 * Stock as a file, both ways. /stock with a stock file: every SKU in it set at once (importStock), and the open orders whose
 * cover that moved checked again, their posts edited (recheckStockChanges), as /stock SKU N does
 * for one. The file is fetched only once the member may change stock. /stock export: the shop's
 * stock in that same form, to fill in and send back.
 */
import { namedShops, type NamedShop } from '../../channels/channels.js'
import { findShop } from '../../channels/shop-match.js'
import { importStock } from '../../inventory/stock.js'
import { readStockFile, STOCK_FILE_MAX_BYTES } from '../../inventory/stock-file.js'
import { stockSheetFile, stockSheetRows, type SheetFormat } from '../../inventory/stock-sheet.js'
import { writeOutgoingFile } from '../../fulfilment/out-file.js'
import { dayOf, ymdString } from '../../shared/zoned-time.js'
import { DownloadTooLarge } from '../../shared/download.js'
import { isAppError } from '../../shared/errors.js'
import { RECHECK_LIMIT, recheckStockChanges } from '../../workflow/stock-recheck.js'
import type { Line } from '../../notifications/message.js'
import type { Command, IncomingFile } from '../types.js'
import type { CommandContext } from '../context.js'
import { okReply } from '../replies.js'
import { userError } from '../user-error.js'

/** the changed SKUs a reply lists at most */
const CHANGES_LISTED = 15

/** The first CHANGES_LISTED of these, and how many more. */
const listed = (skus: string[]) => skus.slice(0, CHANGES_LISTED).join(', ') + (skus.length > CHANGES_LISTED ? ` (+${skus.length - CHANGES_LISTED})` : '')

/** The shop a stock file (or sheet) is for: the chat's only shop, or the one named. */
function fileShop(list: NamedShop[], named: string | undefined, which: 'stock_file.which_shop' | 'stock_file.which_shop_option' | 'stock_sheet.which_shop'): NamedShop {
  if (list.length === 1 && !named?.trim()) return list[0]
  const shops = list.map((s) => `${s.id} (${s.name})`).join(', ')
  if (!named?.trim()) throw userError('bad_input', which, { shops })
  const shop = findShop(list, named)
  if (!shop) throw userError('bad_input', 'stock_file.unknown_shop', { shop: named.trim().slice(0, 80), shops })
  return shop
}

const tooBig = (sizeBytes: number) => userError('bad_input', 'stock_file.too_big', { kb: Math.ceil(sizeBytes / 1024), maxKb: STOCK_FILE_MAX_BYTES / 1024 })

/** The file's bytes: not fetched when the platform says it is too big; a failed fetch is told as one. */
async function fetchFile(file: IncomingFile): Promise<Uint8Array> {
  if (file.sizeBytes !== undefined && file.sizeBytes > STOCK_FILE_MAX_BYTES) throw tooBig(file.sizeBytes)
  try {
    return await file.read()
  } catch (err) {
    if (err instanceof DownloadTooLarge) throw tooBig(err.sizeBytes)
    if (isAppError(err)) throw err
    throw userError('bad_input', 'stock_file.unreadable')
  }
}

export async function stockFromFile(ctx: CommandContext, c: Extract<Command, { name: 'stock' }>) {
  ctx.require('operator')
  const file = c.file!
  if (c.sku || c.quantity != null || c.adjust != null) throw userError('bad_input', 'stock_file.with_sku')
  const shopId = fileShop(await namedShops(ctx.deps.db, ctx.shopIds), c.shop, ctx.commandForm === 'options' ? 'stock_file.which_shop_option' : 'stock_file.which_shop').id
  const rows = await readStockFile(file.filename, await fetchFile(file))
  const now = ctx.deps.clock.now()
  const r = await importStock(ctx.deps.db, { shopId, rows, actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, now })
  const t = ctx.t
  const changed = r.changes.filter((x) => x.before !== x.after)
  const lines: Line[] = changed.slice(0, CHANGES_LISTED).map((x) => [t('stock_file.change_line', { sku: x.sku, before: x.before, after: x.after })])
  if (changed.length > CHANGES_LISTED) lines.push([t('stock_file.more_changes', { n: changed.length - CHANGES_LISTED })])
  for (const x of r.renamed) lines.push([t(x.why === 'zeros' ? 'stock_file.renamed_zeros' : 'stock_file.renamed', x)])
  if (r.blank) lines.push([t('stock_file.blank', { n: r.blank })])
  if (r.fresh.length) lines.push([{ bold: t('stock_file.fresh', { n: r.fresh.length, skus: listed(r.fresh) }) }])
  const { orders, recheck } = await recheckStockChanges(ctx.deps, shopId, r.changes, now)
  if (orders) {
    lines.push([recheck ? t('stock_file.cover', { n: orders, inStock: recheck.inStock, short: recheck.short }) : t('stock_file.cover_failed', { n: orders })])
    // orders paid before the shop's first sync were never posted: nothing to edit
    if (recheck?.edited) lines.push([t('stock_file.posts_edited', { n: recheck.edited })])
    if (recheck && orders > RECHECK_LIMIT) lines.push([t('stock_file.cover_limit', { limit: RECHECK_LIMIT })])
  }
  return okReply(t('stock_file.imported', { file: file.filename.slice(0, 80), count: r.count, changed: changed.length }), lines)
}

/** the formats a stock sheet comes in, by the words members use for them */
const SHEET_FORMATS: Record<string, SheetFormat> = { '': 'xlsx', xlsx: 'xlsx', excel: 'xlsx', csv: 'csv' }

/**
 * /stock export: the shop's stock sheet as a file (stockSheetRows / stockSheetFile), to fill in and
 * send back with /stock. Anyone who may see stock may have it.
 */
export async function stockSheet(ctx: CommandContext, c: Extract<Command, { name: 'stock' }>) {
  ctx.require('viewer')
  const word = (c.sheet ?? '').trim()
  let format: SheetFormat | undefined = SHEET_FORMATS[word.toLowerCase().replace(/^\./, '')]
  let named = c.shop
  const shops = await namedShops(ctx.deps.db, ctx.shopIds)
  // `/stock export UK`: the one word is a shop of the chat, the sheet an Excel file
  if (!format && !named && findShop(shops, word)) [format, named] = ['xlsx', word]
  if (!format) throw userError('bad_input', 'stock_sheet.bad_format', { format: word.slice(0, 40) })
  const shop = fileShop(shops, named, 'stock_sheet.which_shop')
  const now = ctx.deps.clock.now()
  const list = await stockSheetRows(ctx.deps.db, shop.id, now)
  const t = ctx.t
  if (!list.length) return okReply(t('stock_sheet.empty'))
  const { bytes, mime } = await stockSheetFile(list, format, ctx.channel.locale)
  const counts = t('stock_sheet.counts', { n: list.length, short: list.filter((r) => r.available < 0).length, none: list.filter((r) => r.onHand === null).length })
  const file = await writeOutgoingFile(bytes, `stock-${shop.name}-${ymdString(dayOf(now, ctx.channel.timeZone))}.${format}`, mime, counts)
  return okReply(t('stock_sheet.title', { shop: shop.name }), [counts, t('stock_sheet.how')], { files: [file] })
}
