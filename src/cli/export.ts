/**
 * `npm run cli -- export --status S --time created|paid --from YYYY-MM-DD --to YYYY-MM-DD
 *   --template order_list|package_list|order_sku_list --format csv|xlsx [--shop ID] [--tz ZONE]
 *   [--lang en|zh-CN] --out FILE`
 * Exit 0 with the file written; 2 with one message on bad filters or too many orders; 1 on failure.
 */
import { copyFile, rename, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { shops } from '../../db/schema.js'
import type { Locale } from '../assistant/types.js'
import { parseExportFilter } from '../exports/filters.js'
import { discardExport, runExport } from '../exports/run-export.js'
import { isAppError } from '../shared/errors.js'
import type { CliContext } from './context.js'

export const EXPORT_USAGE = `usage: export --out FILE [--status all|unpaid|awaiting_shipment|shipped|completed|cancelling|cancelled]
  [--time created|paid] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
  [--template order_list|package_list|order_sku_list] [--format csv|xlsx] [--shop ID] [--tz ZONE] [--lang en|zh-CN]
defaults: status all, time created, the last 7 days, template order_sku_list, format from --out (else xlsx)`

type Ctx = Pick<CliContext, 'config'> &
  Partial<Pick<CliContext, 'clock' | 'out' | 'err'>> &
  ({ database: CliContext['database'] } | { db: CliContext['database']['db'] })

export async function runExportCli(argv: string[], ctx: Ctx): Promise<number> {
  const out = ctx.out ?? ((l: string) => process.stdout.write(l + '\n'))
  const err = ctx.err ?? ((l: string) => process.stderr.write(l + '\n'))
  const db = 'database' in ctx ? ctx.database.db : ctx.db
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        status: { type: 'string' },
        time: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        template: { type: 'string' },
        format: { type: 'string' },
        shop: { type: 'string' },
        tz: { type: 'string' },
        lang: { type: 'string' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (e) {
    err(`export: ${(e as Error).message}`)
    err(EXPORT_USAGE)
    return 2
  }
  if (values.help) {
    out(EXPORT_USAGE)
    return 0
  }
  const outPath = typeof values.out === 'string' ? values.out.trim() : ''
  if (!outPath) {
    err('export: --out FILE is required (where to write the export, e.g. --out orders.xlsx)')
    return 2
  }
  const lang = typeof values.lang === 'string' ? values.lang.trim() : ''
  if (lang && lang !== 'en' && lang !== 'zh-CN' && lang !== 'zh') {
    err(`export: unknown language "${lang}". Use en or zh-CN.`)
    return 2
  }
  const locale: Locale = lang ? (lang.startsWith('zh') ? 'zh-CN' : 'en') : ctx.config.defaults.locale
  const ext = /\.(csv|xlsx)$/i.exec(outPath)?.[1]?.toLowerCase()
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined)

  try {
    const known = await db.select({ id: shops.id, name: shops.name }).from(shops)
    const filter = parseExportFilter(
      {
        status: str('status'),
        time: str('time'),
        from: str('from'),
        to: str('to'),
        template: str('template'),
        format: str('format') ?? ext,
        shop: str('shop'),
        tz: str('tz'),
      },
      { now: (ctx.clock ?? { now: () => new Date() }).now(), timeZone: ctx.config.defaults.timeZone, shops: known },
    )
    const result = await runExport({ db, filter, locale, actor: { key: 'cli', name: 'cli' } })
    const target = resolve(outPath)
    try {
      // nothing half-written: copy beside the target, then rename over it
      await copyFile(result.path, target + '.partial')
      await rename(target + '.partial', target)
    } catch (e) {
      await rm(target + '.partial', { force: true }).catch(() => {})
      await discardExport([result])
      err(`export: cannot write ${target}: ${(e as Error).message}. Check that the folder ${dirname(target)} exists and is writable.`)
      return 1
    }
    await discardExport([result])
    out(`${target}: ${result.summary.caption.en} · ${(result.sizeBytes / 1024).toFixed(0)} KiB`)
    return 0
  } catch (e) {
    if (isAppError(e, 'bad_input') || isAppError(e, 'too_many')) {
      err(`export: ${e.message}`)
      return 2
    }
    err(`export failed: ${(e as Error).message}`)
    return 1
  }
}
