/**
 * The CSV export's fast path: each page of orders is one `COPY (select …) TO STDOUT (FORMAT csv)`
 * whose output goes straight into the file. The select holds one text expression per template
 * column, derived from the same column specs as the JS writer's values (templates.ts `valueSql`,
 * writers.ts `csvCellSql`), so the bytes are those the JS path writes (test/exports/copy-csv.test.ts
 * compares the two). Works on PostgreSQL and on the embedded PGlite (db/port-socket.ts) alike.
 */
import type { Readable } from 'node:stream'
import type { Executor } from '../../db/database.js'
import type { Locale } from '../assistant/types.js'
import type { ExportFilter } from './filters.js'
import { clientOf, exportStatement, type OrderKey } from './query.js'
import { inlineParams } from './sql-text.js'
import { TEMPLATES } from './templates.js'
import { csvCellSql } from './writers.js'

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d
const BLOCK_BYTES = 256 * 1024

/**
 * COPY ends a record with LF; the file ends it with CRLF, as its header (csv-stringify) and the JS
 * path do (RFC 4180; Excel, LibreOffice and csv-parse read both). An LF outside quotes ends a
 * record, an LF inside a quoted cell stays as it is; the quote state carries over from one chunk to
 * the next (a doubled quote toggles twice). Counts the records.
 */
export class CrlfRecords {
  records = 0
  private quoted = false

  /** The chunks as one buffer, each record-ending LF preceded by a CR. */
  convert(chunks: Uint8Array[]): Uint8Array {
    const ends: number[][] = []
    let size = 0
    for (const chunk of chunks) {
      const e = this.recordEnds(chunk)
      ends.push(e)
      size += chunk.length + e.length
    }
    const out = Buffer.allocUnsafe(size)
    let at = 0
    chunks.forEach((chunk, i) => {
      let from = 0
      for (const e of ends[i]) {
        out.set(chunk.subarray(from, e), at)
        at += e - from
        out[at++] = CR
        from = e // the LF itself goes with the next piece
      }
      out.set(chunk.subarray(from), at)
      at += chunk.length - from
    })
    return out
  }

  /** Offsets of the LFs that end a record (jumping from quote to quote with indexOf). */
  private recordEnds(chunk: Uint8Array): number[] {
    const ends: number[] = []
    let quoted = this.quoted
    let nq = chunk.indexOf(QUOTE)
    let nl = chunk.indexOf(LF)
    for (;;) {
      if (quoted) {
        if (nq < 0) break
        quoted = false
        if (nl >= 0 && nl < nq) nl = chunk.indexOf(LF, nq + 1) // LFs inside the quotes
        nq = chunk.indexOf(QUOTE, nq + 1)
      } else if (nl >= 0 && (nq < 0 || nl < nq)) {
        ends.push(nl)
        nl = chunk.indexOf(LF, nl + 1)
      } else if (nq >= 0) {
        quoted = true
        nq = chunk.indexOf(QUOTE, nq + 1)
      } else break
    }
    this.quoted = quoted
    this.records += ends.length
    return ends
  }
}

/** The COPY statement of one page of the export: the CSV cells of the template's columns. */
export function copyCsvStatement(f: ExportFilter, locale: Locale, range: { after: OrderKey | null; upTo: OrderKey }): string {
  const st = exportStatement(f, { range, columns: { list: TEMPLATES[f.template].columns, locale, cell: csvCellSql } })
  // COPY goes over the simple query protocol, which takes no parameters
  return `copy (${inlineParams(st.text, st.params)}) to stdout with (format csv, encoding 'UTF8')`
}

/**
 * postgres.js (3.4.9) pauses its socket whenever a COPY stream's buffer is full (as it is before
 * anyone reads: the stream is handed out after data came) and resumes it when the stream is read
 * again; when the end of the COPY came in the same network chunk, nothing resumes it and the
 * connection hangs for good (postgres.js issue #499, fix proposed in PR #1016). Seen here on the
 * embedded PGlite, whose socket sends a whole COPY at once. The stream's read hook is what resumes
 * the socket: call it once the stream has ended (a no-op when the socket flows).
 */
function resumeSocket(stream: Readable) {
  ;(stream as unknown as { _read(size: number): void })._read(0)
}

/**
 * Streams one page's CSV records (CRLF) into `write`; resolves with how many records it wrote once
 * COPY has ended. Read in flowing mode ('data'): a page is bounded (2,500 orders by default, a
 * few MB), so what waits in the file stream's buffer is too; the caller lets the file drain
 * between pages.
 */
export async function copyCsvPage(
  db: Executor,
  f: ExportFilter,
  locale: Locale,
  range: { after: OrderKey | null; upTo: OrderKey },
  write: (chunk: Uint8Array) => void,
): Promise<number> {
  const stream = await clientOf(db).unsafe(copyCsvStatement(f, locale, range)).readable()
  const crlf = new CrlfRecords()
  // COPY sends one message per record: gather them into blocks so the file gets few large writes
  let block: Uint8Array[] = []
  let blockBytes = 0
  let failed: unknown = null
  const flush = () => {
    // after a failed write, read the COPY to its end all the same: a COPY left unread keeps its
    // connection busy (on PGlite, the only one)
    if (!failed && block.length)
      try {
        write(crlf.convert(block))
      } catch (err) {
        failed = err
      }
    block = []
    blockBytes = 0
  }
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Uint8Array) => {
      block.push(chunk)
      blockBytes += chunk.length
      if (blockBytes >= BLOCK_BYTES) flush()
    })
    stream.once('end', () => {
      resumeSocket(stream)
      resolve()
    })
    stream.once('error', reject)
  })
  flush()
  if (failed) throw failed
  return crlf.records
}
