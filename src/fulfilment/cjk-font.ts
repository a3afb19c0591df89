/**
 * The CJK-capable font for pick lists, labels and charts: Noto Sans SC (OFL-1.1), the whole font
 * as TrueType, loaded at run time from the npm package that ships it (@expo-google-fonts/noto-sans-sc).
 * It covers Latin, CJK Unified Ideographs and extension A, so Chinese product names, buyer notes
 * and addresses render as text (searchable and copyable in the PDF; pdfkit embeds only the glyphs used).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { AppError } from '../shared/errors.js'

const require = createRequire(import.meta.url)

export type FontWeight = 'regular' | 'bold'

const FILES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
}

/** The family name the font declares (what SVG text must ask for). */
export const CJK_FAMILY = 'Noto Sans SC'

const paths = new Map<FontWeight, string>()
const buffers = new Map<FontWeight, Buffer>()
const pdfPaths = new Map<FontWeight, string>()

/** Absolute path of the font file. */
export function cjkFontPath(weight: FontWeight = 'regular'): string {
  let p = paths.get(weight)
  if (!p) {
    try {
      p = require.resolve(FILES[weight])
    } catch (err) {
      throw new AppError('config', `the Chinese font is missing: run npm install (${FILES[weight]})`, { cause: String(err) })
    }
    paths.set(weight, p)
  }
  return p
}

/**
 * The font bytes for pdfkit, read once per process (about 10 MB each), without the OpenType layout
 * tables. fontkit re-decodes the large GSUB/GPOS lookups of a CJK font on every text run (about
 * 100 ms for a short Latin string), which made a 25-order pick list take 15 s; Chinese needs no
 * shaping, and without those tables layout is a plain character-to-glyph mapping. (resvg shapes
 * with its own engine and gets the untouched file through cjkFontPath.)
 */
export function cjkFont(weight: FontWeight = 'regular'): Buffer {
  let b = buffers.get(weight)
  if (!b) {
    b = withoutTables(readFileSync(cjkFontPath(weight)), ['GSUB', 'GPOS', 'GDEF', 'BASE'])
    buffers.set(weight, b)
  }
  return b
}

/**
 * An sfnt (TrueType/OpenType) font with some tables left out of its table directory. The table data
 * stays where it is (offsets in the remaining records stay valid); only the directory shrinks.
 */
export function withoutTables(font: Buffer, drop: string[]): Buffer {
  const out = Buffer.from(font)
  const count = out.readUInt16BE(4)
  const kept: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const rec = out.subarray(12 + 16 * i, 28 + 16 * i)
    if (!drop.includes(rec.toString('latin1', 0, 4))) kept.push(Buffer.from(rec))
  }
  out.writeUInt16BE(kept.length, 4)
  kept.forEach((rec, i) => rec.copy(out, 12 + 16 * i))
  out.fill(0, 12 + 16 * kept.length, 12 + 16 * count)
  return out
}

/**
 * A file path of the layout-free font for pdfkit. pdfkit caches an opened font by its source only
 * when the source is a string: with a Buffer its table cells re-open (re-parse) the font for every
 * cell. So the trimmed font is written once to a cache file and pdfkit is given its path.
 */
export function cjkPdfFontPath(weight: FontWeight = 'regular'): string {
  let p = pdfPaths.get(weight)
  if (p) return p
  const bytes = cjkFont(weight)
  const dir = join(tmpdir(), 'tts-assistant-fonts')
  p = join(dir, `NotoSansSC-${weight}-nolayout-${bytes.length}.ttf`)
  let present = false
  try {
    present = statSync(p).size === bytes.length
  } catch {
    present = false
  }
  if (!present) {
    mkdirSync(dir, { recursive: true })
    const tmp = `${p}.${process.pid}.tmp`
    writeFileSync(tmp, bytes)
    renameSync(tmp, p) // atomic: a concurrent reader sees the old file or the whole new one
  }
  pdfPaths.set(weight, p)
  return p
}
