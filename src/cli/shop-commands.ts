/** `shop connect|list|auth-url`, `sync`, `link-code`, `stock set|import|export`, `demo-data`. */
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { rows } from '../../db/database.js'
import { shops } from '../../db/schema.js'
import { createLinkCode } from '../channels/link-codes.js'
import { importStock, setStock, validateQuantity } from '../inventory/stock.js'
import { readStockFile } from '../inventory/stock-file.js'
import { stockSheetFile, stockSheetRows, type SheetFormat } from '../inventory/stock-sheet.js'
import type { OnHandChange } from '../inventory/stock-check.js'
import { installationSecret, tokenCipherFor } from '../shop/crypto.js'
import { startSimulator } from '../shop/simulator/index.js'
import { workflowSink } from '../shop/sync-sink.js'
import { syncAll, syncShop, type SyncDeps, type SyncReport } from '../shop/sync.js'
import { authorizeUrl, makeOAuthState } from '../shop/tiktok/authorize.js'
import { createTikTokConnection, tiktokSettingsFrom, type TikTokConnection, type TikTokSettings } from '../shop/tiktok/connection.js'
import { RECHECK_LIMIT, recheckStockChanges } from '../workflow/stock-recheck.js'
import { parseFlags, positiveInt, required } from './args.js'
import { UsageError, type CliContext } from './context.js'

function connection(ctx: CliContext, settings?: TikTokSettings, source?: string): TikTokConnection {
  const s = settings ?? tiktokSettingsFrom(ctx.config)
  if (!s) throw new UsageError('no TikTok app is configured: set TIKTOK_APP_KEY and TIKTOK_APP_SECRET (and SECRET_KEY), or use demo-data for the simulator')
  return createTikTokConnection({ settings: s, db: ctx.database.db, cipher: tokenCipherFor(ctx.config), clock: ctx.clock, logger: ctx.logger, source })
}

const syncDeps = (ctx: CliContext, conn: TikTokConnection): SyncDeps => ({
  db: ctx.database.db,
  shop: conn.client,
  clock: ctx.clock,
  logger: ctx.logger,
  sink: workflowSink({ db: ctx.database.db, clock: ctx.clock, logger: ctx.logger }),
  refreshExpiringTokens: () => conn.tokens.refreshExpiring(),
})

function printReport(ctx: CliContext, r: SyncReport): void {
  const what = `shop ${r.shopId}: ${r.orders.seen} orders (${r.orders.unchanged} unchanged), ${r.cancellations.seen} cancellation records, ${(r.ms / 1000).toFixed(1)} s`
  if (r.busy && r.ok) ctx.out(`shop ${r.shopId}: another sync of this shop is running; skipped`)
  else if (r.ok) ctx.out(`synced ${what}`)
  else ctx.err(`sync failed for ${what}: ${r.error}`)
}

export async function shopCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'connect') {
    const usage = 'usage: shop connect --code AUTH_CODE'
    const f = parseFlags(rest, { code: 'string' }, usage)
    const code = required(f.code, 'code', usage)
    const r = await connection(ctx).connectShop(code, 'cli')
    ctx.out(`connected seller ${r.sellerName || r.openId}:`)
    for (const s of r.shops) ctx.out(`  ${s.id}  ${s.name}  ${s.region}  ${s.sellerType}`)
    ctx.out('next: npm run cli -- link-code --shop SHOP_ID, then type /link CODE in your Discord channel or Telegram group')
    return 0
  }
  if (sub === 'list') {
    parseFlags(rest, {}, 'usage: shop list')
    const list = await rows<Record<string, unknown>>(
      ctx.database.db,
      sql`select s.id, s.name, s.region, s.source, s.authorized, s.auth_expires_at,
                 (select count(*) from orders o where o.shop_id = s.id) as orders,
                 (select max(last_ok_at) from sync_state x where x.shop_id = s.id) as last_sync,
                 (select string_agg(last_error, '; ') from sync_state x where x.shop_id = s.id and last_error is not null) as last_error,
                 (select count(*) from channel_shops c where c.shop_id = s.id) as channels
          from shops s order by s.name, s.id`,
    )
    if (!list.length) {
      ctx.out('no shops yet: connect one with shop connect --code AUTH_CODE (or fill the demo with demo-data)')
      return 0
    }
    for (const s of list) {
      const sync = s.last_sync ? `last sync ${new Date(s.last_sync as string).toISOString()}` : 'never synced'
      const flags = [s.authorized ? '' : 'DEAUTHORIZED', s.last_error ? `sync error: ${s.last_error}` : ''].filter(Boolean).join(', ')
      ctx.out(`${s.id}  ${s.name}  ${s.region}  ${s.source}  ${s.orders} orders  ${s.channels} channels  ${sync}${flags ? '  ' + flags : ''}`)
    }
    return 0
  }
  if (sub === 'auth-url') {
    const usage = 'usage: shop auth-url [--us]'
    const f = parseFlags(rest, { us: 'boolean' }, usage)
    const serviceId = ctx.config.tiktok?.serviceId
    if (!serviceId) throw new UsageError('TIKTOK_SERVICE_ID is not set: copy the service id of your app from TikTok Shop Partner Center')
    ctx.out(authorizeUrl(serviceId, makeOAuthState(installationSecret(ctx.config), ctx.clock.now()), f.us ? 'us' : 'row'))
    ctx.out(`valid for 1 hour; after consent TikTok redirects to your app's redirect URL (this server's /oauth/tiktok/callback)`)
    return 0
  }
  throw new UsageError('usage: shop connect --code AUTH_CODE | shop list | shop auth-url [--us]')
}

export async function syncCommand(argv: string[], ctx: CliContext): Promise<number> {
  const usage = 'usage: sync [--shop SHOP_ID]'
  const f = parseFlags(argv, { shop: 'string' }, usage)
  const conn = connection(ctx)
  const reports = f.shop ? [await syncShop(syncDeps(ctx, conn), f.shop)] : await syncAll(syncDeps(ctx, conn))
  if (!reports.length) ctx.out('no authorised shops to sync: connect one with shop connect --code AUTH_CODE')
  for (const r of reports) printReport(ctx, r)
  return reports.every((r) => r.ok) ? 0 : 1
}

export async function linkCodeCommand(argv: string[], ctx: CliContext): Promise<number> {
  const usage = 'usage: link-code --shop SHOP_ID'
  const f = parseFlags(argv, { shop: 'string' }, usage)
  const shopId = required(f.shop, 'shop', usage)
  const code = await createLinkCode(ctx.database.db, shopId, ctx.clock)
  ctx.out(code)
  ctx.out(`type /link ${code} in the Discord channel or Telegram group that should follow shop ${shopId} (valid 15 minutes, once)`)
  return 0
}

async function requireShop(ctx: CliContext, shopId: string): Promise<void> {
  const [s] = await ctx.database.db.select({ id: shops.id }).from(shops).where(eq(shops.id, shopId))
  if (!s) throw new UsageError(`shop ${shopId} is not known: see shop list`)
}

/** The open orders whose stock cover a change moved: checked again, their posts in the chats edited. */
async function reportRecheck(ctx: CliContext, shopId: string, changes: OnHandChange[], now: Date): Promise<void> {
  const { orders, recheck } = await recheckStockChanges({ db: ctx.database.db, logger: ctx.logger }, shopId, changes, now)
  if (!orders) return
  ctx.out(`open orders whose stock cover changed: ${orders}`)
  if (!recheck) {
    ctx.err('their stock checks and posts could not be updated (see the log); the stock itself is stored')
    return
  }
  const posts = recheck.edited ? `${recheck.edited} edits of their posts queued for the chats (the running assistant sends them)` : 'no posts of theirs in the chats to edit'
  ctx.out(`checked again: ${recheck.inStock} with every item in stock, ${recheck.short} not (an item short or without stock recorded); ${posts}`)
  if (orders > RECHECK_LIMIT) ctx.out(`only the first ${RECHECK_LIMIT} (first paid first) were checked again; /stock SKU in the chat shows every order's cover`)
}

export async function stockCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'set') {
    const usage = 'usage: stock set --shop SHOP_ID --sku SELLER_SKU --qty N'
    const f = parseFlags(rest, { shop: 'string', sku: 'string', qty: 'string' }, usage)
    const shopId = required(f.shop, 'shop', usage)
    const sku = required(f.sku, 'sku', usage)
    const qtyText = required(f.qty, 'qty', usage)
    if (!/^\d+$/.test(qtyText)) throw new UsageError(`--qty must be a whole number of units, 0 or more (got "${qtyText}") — ${usage}`)
    await requireShop(ctx, shopId)
    const qty = validateQuantity(Number(qtyText))
    const now = ctx.clock.now()
    const before = await ctx.database.db.transaction((tx) => setStock(tx, { shopId, sellerSku: sku, quantity: qty, actor: 'cli', actorName: 'CLI', now }))
    ctx.out(`stock of ${sku} in shop ${shopId}: ${before === null ? 'new' : before} → ${qty}`)
    await reportRecheck(ctx, shopId, [{ sku, before: before ?? 0, after: qty }], now)
    return 0
  }
  if (sub === 'import') {
    const usage = 'usage: stock import --shop SHOP_ID --file STOCK.csv|STOCK.xlsx (columns seller_sku,quantity)'
    const f = parseFlags(rest, { shop: 'string', file: 'string' }, usage)
    const shopId = required(f.shop, 'shop', usage)
    const file = required(f.file, 'file', usage)
    await requireShop(ctx, shopId)
    let bytes: Uint8Array
    try {
      bytes = await readFile(resolve(file))
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    const now = ctx.clock.now()
    const rows = await readStockFile(basename(file), bytes)
    const r = await importStock(ctx.database.db, { shopId, rows, actor: 'cli', actorName: 'CLI', now })
    ctx.out(`imported stock for ${r.count} SKUs into shop ${shopId}`)
    for (const x of r.renamed) ctx.out(`line ${x.line}: ${x.from} is the shop's ${x.to} (${x.why === 'zeros' ? 'without its leading zeros' : 'another letter case'}): stored as ${x.to}`)
    if (r.fresh.length) ctx.out(`new to this shop (no stock recorded before, in no order of the last 90 days): ${r.fresh.join(', ')}`)
    await reportRecheck(ctx, shopId, r.changes, now)
    return 0
  }
  if (sub === 'export') {
    const usage = 'usage: stock export --shop SHOP_ID --out FILE.xlsx|FILE.csv (the stock sheet; stock import reads it back)'
    const f = parseFlags(rest, { shop: 'string', out: 'string' }, usage)
    const shopId = required(f.shop, 'shop', usage)
    const out = required(f.out, 'out', usage)
    const format = /\.(xlsx|csv)$/i.exec(out)?.[1]?.toLowerCase() as SheetFormat | undefined
    if (!format) throw new UsageError(`--out must end in .xlsx or .csv (got "${out}") — ${usage}`)
    await requireShop(ctx, shopId)
    const list = await stockSheetRows(ctx.database.db, shopId, ctx.clock.now())
    await writeFile(resolve(out), (await stockSheetFile(list, format, 'en')).bytes)
    ctx.out(`wrote ${list.length} SKUs to ${out}: change the quantity column, then npm run cli -- stock import --shop ${shopId} --file ${out}`)
    return 0
  }
  throw new UsageError('usage: stock set --shop ID --sku SKU --qty N | stock import --shop ID --file F.csv | stock export --shop ID --out F.xlsx')
}

/**
 * Fills the database through the simulator and the real path: start the simulated shop (the same one
 * `npm start` runs, saved in DATA_DIR/simulator.json), connect it with an auth code, let it make N orders
 * over D days, then sync them with the real client over HTTP.
 */
export async function demoDataCommand(argv: string[], ctx: CliContext): Promise<number> {
  const usage = 'usage: demo-data [--orders N] [--days D] [--seed S]'
  const f = parseFlags(argv, { orders: 'string', days: 'string', seed: 'string' }, usage)
  const count = positiveInt(f.orders, 'orders', 200, 100_000, usage)
  const days = positiveInt(f.days, 'days', 30, 90, usage)
  const seed = f.seed ?? 'demo'
  if (ctx.config.tiktok) throw new UsageError('demo-data fills the database from the simulator; this installation is configured for a real TikTok app (unset TIKTOK_APP_KEY to use the demo)')
  const persist = !ctx.config.database.dataDir.includes('://')
  const appKey = 'demo-app-key'
  // the same simulated app as `npm start` (src/app.ts), so the demo shop and its tokens carry over
  const appSecret = `sim-${installationSecret(ctx.config).slice(0, 24)}`
  const sim = await startSimulator({
    appKey,
    appSecret,
    clock: ctx.clock,
    seed: 2026,
    statePath: persist ? join(resolve(ctx.config.database.dataDir), 'simulator.json') : undefined,
    tickMs: false,
  })
  try {
    const conn = connection(ctx, { appKey, appSecret, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl }, 'simulator')
    const connected = await conn.connectShop(sim.createAuthCode(), 'cli')
    const shopId = connected.shops[0].id
    sim.generateOrders({ count, days, seed })
    ctx.out(`simulated shop ${shopId} made ${count} orders over ${days} days; syncing through the API…`)
    const report = await syncShop(syncDeps(ctx, conn), shopId)
    printReport(ctx, report)
    return report.ok ? 0 : 1
  } finally {
    await sim.close()
  }
}
