/**
 * Fetches a file a member sent in a chat (its platform's download link), reading at most
 * `maxBytes + 1` bytes: a larger file stops there, and the caller's size check refuses it without
 * the rest ever being read. A declared length over `maxBytes` is refused before the body is read
 * (DownloadTooLarge, with that length). A non-2xx answer, a network failure or the time limit (from
 * the request to the last byte) throws; the error never carries the link, which may hold a bot token.
 */
export class DownloadTooLarge extends Error {
  constructor(readonly sizeBytes: number) {
    super(`download refused: ${sizeBytes} bytes`)
    this.name = 'DownloadTooLarge'
  }
}

/** how long a download may take, from the request to the last byte */
export const DOWNLOAD_TIMEOUT_MS = 20_000

export async function downloadCapped(url: string | URL, maxBytes: number, timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<Uint8Array> {
  const failed = (err: unknown) => new Error(`download failed: ${(err as Error).name}`)
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw failed(err)
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    throw new Error(`download failed: HTTP ${res.status}`)
  }
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {})
    throw new DownloadTooLarge(declared)
  }
  if (!res.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = res.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
      if (size > maxBytes) break
    }
  } catch (err) {
    throw failed(err)
  } finally {
    // stop the transfer of whatever is left (and release the connection)
    await reader.cancel().catch(() => {})
  }
  const out = new Uint8Array(Math.min(size, maxBytes + 1))
  let at = 0
  for (const c of chunks) {
    if (at >= out.byteLength) break
    const part = c.subarray(0, out.byteLength - at)
    out.set(part, at)
    at += part.byteLength
  }
  return out
}
