/**
 * A small standalone TrueType font holding only the characters a chart needs. resvg re-reads a font
 * file for every text element it lays out, so with the 10 MB Noto Sans SC a chart of ~80 labels
 * took seconds; a subset of a few hundred glyphs takes milliseconds. fontkit copies the glyph
 * outlines (composite glyphs with their parts); we add the tables a standalone font needs
 * (cmap for the characters, name, OS/2 and post from the original).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as fontkit from 'fontkit'

type Tables = Map<string, Buffer>

function readTables(font: Buffer): Tables {
  const n = font.readUInt16BE(4)
  const out: Tables = new Map()
  for (let i = 0; i < n; i++) {
    const r = 12 + 16 * i
    const tag = font.toString('latin1', r, r + 4)
    const off = font.readUInt32BE(r + 8)
    const len = font.readUInt32BE(r + 12)
    out.set(tag, font.subarray(off, off + len))
  }
  return out
}

function checksum(b: Buffer): number {
  const padded = Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)])
  let sum = 0
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0
  return sum
}

function writeSfnt(tables: Tables): Buffer {
  const tags = [...tables.keys()].sort()
  const n = tags.length
  const entrySelector = Math.floor(Math.log2(n))
  const searchRange = 2 ** entrySelector * 16
  const header = Buffer.alloc(12 + 16 * n)
  header.writeUInt32BE(0x00010000, 0)
  header.writeUInt16BE(n, 4)
  header.writeUInt16BE(searchRange, 6)
  header.writeUInt16BE(entrySelector, 8)
  header.writeUInt16BE(n * 16 - searchRange, 10)
  const bodies: Buffer[] = []
  let offset = header.length
  tags.forEach((tag, i) => {
    const data = tables.get(tag)!
    const r = 12 + 16 * i
    header.write(tag, r, 4, 'latin1')
    header.writeUInt32BE(checksum(data), r + 4)
    header.writeUInt32BE(offset, r + 8)
    header.writeUInt32BE(data.length, r + 12)
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4)
    bodies.push(data, pad)
    offset += data.length + pad.length
  })
  return Buffer.concat([header, ...bodies])
}

/** cmap with one Windows Unicode full-repertoire (3,10) format 12 subtable. */
function cmapTable(map: [number, number][]): Buffer {
  const groups = map.sort((a, b) => a[0] - b[0])
  const sub = Buffer.alloc(16 + 12 * groups.length)
  sub.writeUInt16BE(12, 0)
  sub.writeUInt32BE(sub.length, 4)
  sub.writeUInt32BE(groups.length, 12)
  groups.forEach(([cp, gid], i) => {
    sub.writeUInt32BE(cp, 16 + 12 * i)
    sub.writeUInt32BE(cp, 20 + 12 * i)
    sub.writeUInt32BE(gid, 24 + 12 * i)
  })
  const head = Buffer.alloc(12)
  head.writeUInt16BE(0, 0)
  head.writeUInt16BE(1, 2)
  head.writeUInt16BE(3, 4)
  head.writeUInt16BE(10, 6)
  head.writeUInt32BE(12, 8)
  return Buffer.concat([head, sub])
}

/** A TrueType font with the characters of `text` (and printable ASCII) from the font file at `path`. */
export function subsetFont(path: string, text: string): Buffer {
  const original = readFileSync(path)
  const font = fontkit.create(original)
  const subset = font.createSubset()
  const chars = new Set<number>()
  for (let c = 0x20; c < 0x7f; c++) chars.add(c)
  for (const ch of text) chars.add(ch.codePointAt(0)!)
  const map: [number, number][] = []
  for (const cp of chars) {
    if (!font.hasGlyphForCodePoint(cp)) continue
    map.push([cp, subset.includeGlyph(font.glyphForCodePoint(cp).id)])
  }
  const encoded = Buffer.from(subset.encode() as Uint8Array)
  const tables = readTables(encoded)
  const src = readTables(original)
  tables.set('cmap', cmapTable(map))
  for (const tag of ['name', 'OS/2']) if (src.has(tag)) tables.set(tag, Buffer.from(src.get(tag)!))
  const post = Buffer.from(src.get('post')!.subarray(0, 32))
  post.writeUInt32BE(0x00030000, 0) // version 3: no glyph names
  tables.set('post', post)
  return writeSfnt(tables)
}

const made = new Map<string, string>()

/** Path of a cached subset font file for these characters (made once per character set). */
export function subsetFontFile(path: string, text: string): string {
  const key = createHash('sha256').update(path).update('\u0000').update([...new Set(text)].sort().join('')).digest('hex').slice(0, 16)
  let p = made.get(key)
  if (p) return p
  const dir = join(tmpdir(), 'tts-assistant-fonts')
  p = join(dir, `subset-${key}.ttf`)
  let present = false
  try {
    present = statSync(p).size > 0
  } catch {
    present = false
  }
  if (!present) {
    mkdirSync(dir, { recursive: true })
    const tmp = `${p}.${process.pid}.tmp`
    writeFileSync(tmp, subsetFont(path, text))
    renameSync(tmp, p)
  }
  made.set(key, p)
  return p
}
