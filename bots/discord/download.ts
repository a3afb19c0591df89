/**
 * Files a member sends with a slash command (an Attachment option): Discord hands over a CDN link;
 * the bytes are fetched only when the core asks for them (IncomingFile.read), with a time limit and
 * never more than the core will read (downloadCapped).
 */
import type { Attachment } from 'discord.js'
import type { IncomingFile } from '../../src/assistant/types.js'
import { STOCK_FILE_MAX_BYTES } from '../../src/inventory/stock-file.js'
import { downloadCapped } from '../../src/shared/download.js'

/** A stock file sent as an Attachment option, for the core (fetched only when it calls read). */
export function incomingFile(a: Attachment): IncomingFile {
  return {
    filename: a.name,
    ...(typeof a.size === 'number' ? { sizeBytes: a.size } : {}),
    read: () => downloadCapped(a.url, STOCK_FILE_MAX_BYTES),
  }
}
