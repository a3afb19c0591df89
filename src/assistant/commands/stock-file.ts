/**
 * /stock with a stock file: every SKU in it set at once (importStock), and the open orders whose
 * cover that moved checked again, their posts edited (recheckStockChanges), as /stock SKU N does
 * for one. The file is fetched only once the member may change stock.
 */
import { namedShops } from '../../channels/channels.js'
import { findShop } from '../../channels/shop-match.js'
import { importStock } from '../../inventory/stock.js'
import { readStockFile, STOCK_FILE_MAX_BYTES } from '../../inventory/stock-file.js'
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

/** The shop a stock file is for: the chat's only shop, or the one named. */
async function fileShop(ctx: CommandContext, named: string | undefined): Promise<string> {
  if (ctx.shopIds.length === 1 && !named?.trim()) return ctx.shopIds[0]
  const list = await namedShops(ctx.deps.db, ctx.shopIds)
  const shops = list.map((s) => `${s.id} (${s.name})`).join(', ')
  if (!named?.trim()) throw userError('bad_input', 'stock_file.which_shop', { shops })
  const shop = findShop(list, named)
  if (!shop) throw userError('bad_input', 'stock_file.unknown_shop', { shop: named.trim().slice(0, 80), shops })
  return shop.id
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
  const shopId = await fileShop(ctx, c.shop)
  const rows = await readStockFile(file.filename, await fetchFile(file))
  const now = ctx.deps.clock.now()
  const r = await importStock(ctx.deps.db, { shopId, rows, actor: ctx.actorKey, actorName: ctx.actor.displayName, channelId: ctx.channel.id, now })
  const t = ctx.t
  const changed = r.changes.filter((x) => x.before !== x.after)
  const lines: Line[] = changed.slice(0, CHANGES_LISTED).map((x) => [t('stock_file.change_line', { sku: x.sku, before: x.before, after: x.after })])
  if (changed.length > CHANGES_LISTED) lines.push([t('stock_file.more_changes', { n: changed.length - CHANGES_LISTED })])
  for (const x of r.renamed) lines.push([t('stock_file.renamed', x)])
  const { orders, recheck } = await recheckStockChanges(ctx.deps, shopId, r.changes, now)
  if (orders) {
    lines.push([recheck ? t('stock_file.cover', { n: orders, inStock: recheck.inStock, short: recheck.short }) : t('stock_file.cover_failed', { n: orders })])
    // orders paid before the shop's first sync were never posted: nothing to edit
    if (recheck?.edited) lines.push([t('stock_file.posts_edited', { n: recheck.edited })])
    if (recheck && orders > RECHECK_LIMIT) lines.push([t('stock_file.cover_limit', { limit: RECHECK_LIMIT })])
  }
  return okReply(t('stock_file.imported', { file: file.filename.slice(0, 80), count: r.count, changed: changed.length }), lines)
}
