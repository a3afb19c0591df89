/** A pdfkit document with the CJK font registered, collected into one Buffer. */
import PDFDocument from 'pdfkit'
import { cjkPdfFontPath } from './cjk-font.js'

export type Pdf = PDFKit.PDFDocument

/**
 * Fonts are named by their file path, not registered under an alias: pdfkit's table cells switch
 * back to the previous font by its source, and only a path source that was opened under that same
 * path is found in pdfkit's font cache (an alias makes every cell re-read and re-parse the 10 MB font).
 */
export interface PdfFonts {
  regular: string
  bold: string
}

export interface PdfBuild {
  doc: Pdf
  fonts: PdfFonts
  /** ends the document and resolves with its bytes */
  finish(): Promise<Buffer>
}

export function newPdf(opts: PDFKit.PDFDocumentOptions & { title: string }): PdfBuild {
  const { title, ...rest } = opts
  const doc = new PDFDocument({ bufferPages: true, ...rest, info: { Title: title, Creator: 'TikTok Shop seller assistant' } })
  const fonts = { regular: cjkPdfFontPath('regular'), bold: cjkPdfFontPath('bold') }
  doc.font(fonts.bold)
  doc.font(fonts.regular)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((ok, fail) => {
    doc.on('end', () => ok(Buffer.concat(chunks)))
    doc.on('error', fail)
  })
  return {
    doc,
    fonts,
    finish() {
      doc.end()
      return done
    },
  }
}
