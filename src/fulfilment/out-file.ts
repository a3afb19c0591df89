/** Files handed back to a chat adapter: written to a private temp folder; the adapter deletes them after sending. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { OutgoingFile } from '../assistant/types.js'

/** Only letters, digits, dot, dash and underscore in a file name we make. */
export const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'file'

export async function writeOutgoingFile(
  bytes: Uint8Array,
  filename: string,
  mime: string,
  caption?: string,
): Promise<OutgoingFile> {
  const dir = await mkdtemp(join(tmpdir(), 'tts-fulfil-'))
  const name = safeFileName(filename)
  const path = join(dir, name)
  await writeFile(path, bytes, { mode: 0o600 })
  return { path, filename: name, mime, sizeBytes: bytes.byteLength, ...(caption ? { caption } : {}) }
}

/** Removes a file made by writeOutgoingFile (used when a later step fails, so nothing is left behind). */
export async function discardOutgoingFile(file: OutgoingFile): Promise<void> {
  await rm(dirname(file.path), { recursive: true, force: true })
}
