/**
 * Fetches a file a member sent in a chat (its platform's download link), reading at most
 * `maxBytes + 1` bytes: a larger file stops there, and the caller's size check refuses it without
 * the rest ever being read. A non-2xx answer or a timeout throws; the error never carries the link,
 * which may hold a bot token.
 */
export async function downloadCapped(url: string | URL, maxBytes: number, timeoutMs = 20_000): Promise<Uint8Array> {
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new Error(`download failed: ${(err as Error).name}`)
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {})
    throw new Error(`download failed: HTTP ${res.status}`)
  }
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
    throw new Error(`download failed: ${(err as Error).name}`)
  } finally {
    await reader.cancel().catch(() => {})
  }
  const out = new Uint8Array(Math.min(size, maxBytes + 1))
  let at = 0
  for (const c of chunks) {
    const part = c.subarray(0, out.byteLength - at)
    out.set(part, at)
    at += part.byteLength
    if (at >= out.byteLength) break
  }
  return out
}
