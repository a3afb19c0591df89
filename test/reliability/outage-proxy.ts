/**
 * An outage switch in front of the Telegram Bot API stand-in: a loopback HTTP proxy that forwards
 * every request while `mode` is 'up', and otherwise answers without forwarding, in the Bot API's
 * error shape: HTTP 500, or HTTP 429 with `parameters.retry_after`; or ('drop') closes the connection
 * without an answer (a network error). Counts what it refused.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type OutageMode = 'up' | '500' | '429' | 'drop'

export interface OutageProxy {
  url: string
  mode: OutageMode
  /** seconds, for 429 */
  retryAfter: number
  refused: number
  forwarded: number
  close(): Promise<void>
}

export async function startOutageProxy(target: string): Promise<OutageProxy> {
  const t = new URL(target)
  const state = { mode: 'up' as OutageMode, retryAfter: 5, refused: 0, forwarded: 0 }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (state.mode === 'drop') {
      state.refused++
      req.socket.destroy()
      return
    }
    if (state.mode !== 'up') {
      state.refused++
      req.resume()
      const body =
        state.mode === '429'
          ? { ok: false, error_code: 429, description: `Too Many Requests: retry after ${state.retryAfter}`, parameters: { retry_after: state.retryAfter } }
          : { ok: false, error_code: 500, description: 'Internal Server Error' }
      res.writeHead(state.mode === '429' ? 429 : 500, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
      return
    }
    state.forwarded++
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      },
    )
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  })
}
