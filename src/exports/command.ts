/**
 * The /export command for every chat adapter: filters as typed → validated (R5, R7) → the file,
 * fitted under the platform's upload limit (zipped or split, with a note). Viewers may export.
 * Bad filters and too many orders answer with one message, in the channel's language, saying what
 * to change.
 */
import type { CommandHandler } from '../assistant/context.js'
import { namedShops } from '../channels/channels.js'
import { errorReply } from '../assistant/replies.js'
import type { Command, Reply } from '../assistant/types.js'
import { message } from '../notifications/message.js'
import { isAppError } from '../shared/errors.js'
import { fitForUpload, uploadLimitFor } from './delivery.js'
import { parseExportFilter } from './filters.js'
import { discardExport, runExport, writeExport, type RunExportInput } from './run-export.js'

const PLATFORM_NAME: Record<string, string> = { discord: 'Discord', telegram: 'Telegram' }

export const exportCommand: CommandHandler = async (ctx, command): Promise<Reply> => {
  const args = (command as Extract<Command, { name: 'export' }>).args ?? {}
  ctx.require('viewer')
  const { db, clock } = ctx.deps
  const zh = ctx.channel.locale === 'zh-CN'
  try {
    const followed = await namedShops(db, ctx.shopIds)
    const filter = parseExportFilter(args, { now: clock.now(), timeZone: ctx.channel.timeZone, shops: followed })
    const input: RunExportInput = {
      db,
      filter,
      locale: ctx.channel.locale,
      onProgress: ctx.onProgress,
      actor: { key: ctx.actorKey, name: ctx.actor.displayName, channelId: ctx.channel.id },
    }
    const result = await runExport(input)
    if (result.orders === 0) {
      await discardExport([result])
      return {
        ok: true,
        message: message({
          kind: 'export',
          tone: 'info',
          title: zh ? '没有符合条件的订单' : 'No orders match',
          lines: [[zh ? result.summary.caption.zh : result.summary.caption.en]],
        }),
      }
    }
    const delivery = await fitForUpload(result, {
      limitBytes: uploadLimitFor(ctx.channel.platform, ctx.channelSettings.uploadLimitBytes),
      locale: ctx.channel.locale,
      platformName: PLATFORM_NAME[ctx.channel.platform],
      rewrite: (perFile) => writeExport({ ...input, audit: false, onProgress: undefined }, perFile),
    })
    const lines = [[zh ? result.summary.caption.zh : result.summary.caption.en]]
    if (delivery.note) lines.push([zh ? delivery.note.zh : delivery.note.en])
    return {
      ok: true,
      message: message({ kind: 'export', tone: 'success', title: zh ? '订单导出' : 'Order export', lines }),
      files: delivery.files,
    }
  } catch (err) {
    if (isAppError(err) && typeof err.params.zh === 'string') return errorReply(zh ? err.params.zh : err.message)
    throw err
  }
}
