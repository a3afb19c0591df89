/**
 * The inbound HTTP edge on node:http: TikTok webhooks, the OAuth callback, health. Routes get the raw
 * body (read with a size limit: over it → 413 before any handler runs) and answer with a status and a
 * body; `after` runs once the answer is sent (e.g. to start processing a stored webhook).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger, type Logger } from '../shared/logger.js'

export interface HttpRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface HttpResponse {
  status: number
  headers?: Record<string, string>
  body?: string | Buffer
  /** runs after the response has been written */
  after?: () => void
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  /** body size limit for this route (default: the server's) */
  maxBodyBytes?: number
  handle(req: HttpRequest): Promise<HttpResponse>
}

export interface HttpServerOptions {
  host: string
  port: number
  routes: Route[]
  logger?: Logger
  /** default 1 MiB */
  maxBodyBytes?: number
}

export interface RunningHttpServer {
  port: number
  url: string
  close(): Promise<void>
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
})

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new TooLarge())
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (c: Buffer) => {
      if (done) return
      size += c.length
      if (size > limit) {
        done = true
        fail(new TooLarge())
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (!done) {
        done = true
        ok(Buffer.concat(chunks))
      }
    })
    req.on('error', (err) => {
      if (!done) {
        done = true
        fail(err)
      }
    })
  })
}

function send(res: ServerResponse, r: HttpResponse, closeAfter = false): void {
  const body = r.body === undefined ? '' : r.body
  res.writeHead(r.status, {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(closeAfter ? { connection: 'close' } : {}),
    ...r.headers,
    'content-length': String(Buffer.byteLength(body)),
  })
  res.end(body)
}

export function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const logger = opts.logger ?? silentLogger
  const limit = opts.maxBodyBytes ?? 1024 * 1024
  const server = createServer(async (req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      send(res, json(400, { error: 'bad request URL' }))
      return
    }
    const onPath = opts.routes.filter((r) => r.path === url.pathname)
    const route = onPath.find((r) => r.method === req.method)
    if (!route) {
      req.resume()
      if (onPath.length) send(res, json(405, { error: `use ${onPath.map((r) => r.method).join(' or ')}` }, { allow: onPath.map((r) => r.method).join(', ') }))
      else send(res, json(404, { error: 'not found' }))
      return
    }
    let body: Buffer
    try {
      body = await readBody(req, route.maxBodyBytes ?? limit)
    } catch (err) {
      if (err instanceof TooLarge) {
        send(res, json(413, { error: `body larger than ${route.maxBodyBytes ?? limit} bytes` }), true)
        req.resume()
      } else if (!res.headersSent) send(res, json(400, { error: 'could not read the body' }), true)
      return
    }
    let out: HttpResponse
    try {
      out = await route.handle({ method: req.method ?? 'GET', url, headers: req.headers, body })
    } catch (err) {
      logger.error('http handler failed', { path: url.pathname, err })
      out = json(500, { error: 'internal error' })
    }
    send(res, out)
    if (out.after) {
      res.once('finish', () => {
        try {
          out.after!()
        } catch (err) {
          logger.error('http after-response work failed', { path: url.pathname, err })
        }
      })
    }
  })
  server.requestTimeout = 15_000
  server.headersTimeout = 10_000
  server.keepAliveTimeout = 5_000
  return new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail)
      const port = (server.address() as AddressInfo).port
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
      ok({
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}
