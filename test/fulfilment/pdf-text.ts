/** Reads a PDF's text back with an independent reader (unpdf, pdf.js inside). */
import { readFile } from 'node:fs/promises'
import { extractText, getDocumentProxy } from 'unpdf'

export async function pdfText(path: string): Promise<{ text: string; pages: number }> {
  const bytes = new Uint8Array(await readFile(path))
  const pdf = await getDocumentProxy(bytes)
  const { text, totalPages } = await extractText(pdf, { mergePages: true })
  return { text: text.replace(/\s+/g, ' '), pages: totalPages }
}
