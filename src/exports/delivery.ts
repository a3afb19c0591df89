/**
 * Fitting an export under the chat platform's upload limit (Discord: the interaction's
 * attachment_size_limit, 10 MiB by default; Telegram: 50 MB). Over the limit the file is zipped
 * (fflate, streamed); still over, the export is written again in parts of whole orders, each
 * zipped when that helps, each under the limit — with a note saying so. Never a silent failure:
 * when even small parts do not fit, a clear error.
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Zip, ZipDeflate } from 'fflate'
import type { OutgoingFile, Platform } from '../assistant/types.js'
import { AppError } from '../shared/errors.js'
import type { ExportResult } from './run-export.js'
import { MIME } from './writers.js'

export const MIB = 1024 * 1024
/** Upload limits when the platform did not tell us. */
export const DEFAULT_UPLOAD_LIMIT: Partial<Record<Platform, number>> = {
  discord: 10 * MIB,
  telegram: 50 * 1000 * 1000,
}

export function uploadLimitFor(platform: Platform, stored: number | null | undefined): number | undefined {
  return stored && stored > 0 ? stored : DEFAULT_UPLOAD_LIMIT[platform]
}

/** Zips one file into `dest` as a single entry, streamed (memory does not grow with the file). */
export async function zipFile(src: string, entryName: string, dest: string): Promise<number> {
  const out = createWriteStream(dest)
  await once(out, 'open')
  let failed: Error | null = null
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failed = err
      return
    }
    out.write(chunk)
    if (final) out.end()
  })
  const entry = new ZipDeflate(entryName, { level: 6 })
  zip.add(entry)
  try {
    for await (const chunk of createReadStream(src, { highWaterMark: 256 * 1024 })) {
      entry.push(chunk as Uint8Array)
      if (failed) throw failed
      if (out.writableNeedDrain) await once(out, 'drain')
    }
    entry.push(new Uint8Array(0), true)
    zip.end()
    if (failed) throw failed
    if (!out.closed) await once(out, 'close')
  } catch (err) {
    out.destroy()
    await rm(dest, { force: true })
    throw err
  }
  return (await stat(dest)).size
}

export interface Delivery {
  files: OutgoingFile[]
  /** what was done to fit the limit, for the reply */
  note?: { en: string; zh: string }
}

const mb = (n: number) => (n / MIB).toFixed(1)

/** The file as it is, or zipped when that is smaller than the limit. */
async function fitOne(r: ExportResult, limit: number, caption: string): Promise<{ file: OutgoingFile | null; zipSize?: number }> {
  if (r.sizeBytes <= limit) return { file: { path: r.path, filename: r.filename, mime: r.mime, sizeBytes: r.sizeBytes, caption } }
  const zipName = r.filename.replace(/\.[a-z]+$/, '') + '.zip'
  const zipPath = join(dirname(r.path), zipName)
  const size = await zipFile(r.path, r.filename, zipPath)
  if (size > limit) {
    await rm(zipPath, { force: true })
    return { file: null, zipSize: size }
  }
  await rm(r.path, { force: true })
  return { file: { path: zipPath, filename: zipName, mime: MIME.zip, sizeBytes: size, caption }, zipSize: size }
}

export interface FitOptions {
  limitBytes: number | undefined
  locale: 'en' | 'zh-CN'
  platformName?: string
  /** writes the same export again, a new file every `maxOrdersPerFile` orders */
  rewrite(maxOrdersPerFile: number): Promise<ExportResult[]>
  /** most parts we would send (default 10) */
  maxParts?: number
}

/**
 * Makes the export fit the upload limit: as is, zipped, or split into parts (each zipped when
 * needed). Deletes temp files it no longer needs.
 */
export async function fitForUpload(result: ExportResult, opts: FitOptions): Promise<Delivery> {
  const caption = result.summary.caption[opts.locale === 'zh-CN' ? 'zh' : 'en']
  const limit = opts.limitBytes
  const whereEn = opts.platformName ? `${opts.platformName}'s` : 'the'
  if (!limit || result.sizeBytes <= limit)
    return { files: [{ path: result.path, filename: result.filename, mime: result.mime, sizeBytes: result.sizeBytes, caption }] }

  const { file: zipped, zipSize } = await fitOne(result, limit, caption)
  if (zipped)
    return {
      files: [zipped],
      note: {
        en: `The file (${mb(result.sizeBytes)} MB) is over ${whereEn} upload limit of ${mb(limit)} MB, so it is sent zipped (${mb(zipped.sizeBytes)} MB).`,
        zh: `文件(${mb(result.sizeBytes)} MB)超过上传上限 ${mb(limit)} MB,已压缩为 zip(${mb(zipped.sizeBytes)} MB)发送。`,
      },
    }

  // Split: size the parts from how much of the limit one order takes, zipped.
  const perOrder = Math.max(1, (zipSize ?? result.sizeBytes) / Math.max(1, result.orders))
  let perFile = Math.max(1, Math.floor((limit * 0.8) / perOrder))
  const maxParts = opts.maxParts ?? 10
  await rm(dirname(result.path), { recursive: true, force: true })
  for (let attempt = 0; attempt < 4; attempt++) {
    if (Math.ceil(result.orders / perFile) > maxParts) break
    const parts = await opts.rewrite(perFile)
    const files: OutgoingFile[] = []
    let fits = true
    for (const p of parts) {
      const { file: f } = await fitOne(p, limit, p.summary.caption[opts.locale === 'zh-CN' ? 'zh' : 'en'])
      if (!f) {
        fits = false
        break
      }
      files.push(f)
    }
    if (fits)
      return {
        files,
        note: {
          en: `The export (${result.orders.toLocaleString('en-US')} orders) is over ${whereEn} upload limit of ${mb(limit)} MB, so it is sent in ${files.length} parts of whole orders.`,
          zh: `导出文件(${result.orders.toLocaleString('en-US')} 个订单)超过上传上限 ${mb(limit)} MB,已按整单拆分为 ${files.length} 个文件发送。`,
        },
      }
    for (const p of parts) await rm(dirname(p.path), { recursive: true, force: true })
    perFile = Math.max(1, Math.floor(perFile / 2))
  }
  throw new AppError(
    'too_large',
    `The export does not fit ${whereEn} upload limit of ${mb(limit)} MB even in ${maxParts} parts. Export a shorter date range, one status or one shop, or use CSV.`,
    {
      limitBytes: limit,
      zh: `即使拆分为 ${maxParts} 个文件,导出仍超过上传上限 ${mb(limit)} MB。请缩短日期范围、选择单一状态或单个店铺,或改用 CSV。`,
    },
  )
}
