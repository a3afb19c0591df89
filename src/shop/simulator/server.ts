/**
 * The simulator's two HTTP servers (node:http, loopback by default): the API host (signed
 * business calls, and the shipping-document downloads) and the auth host (token get / refresh).
 *
 * Every API call is checked like the platform does (reference §1, §9), in this order:
 * outage (503 / 36009003) → route (36009009 / 36009010 / 36009014) → app_key and timestamp window
 * (401 / 36009004) → sign (401 / 106001) → x-tts-access-token (401 / 36009004, expired 105002)
 * → shop_cipher (forbidden on /authorization/*: 400 / 36009004; required elsewhere: 400 / 106013)
 * → throttling (429 / 36009002) → the handler. A set latency (`setLatency`) comes first: the call
 * is answered that much later, as from a platform across the world.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CODES, SimError, badParam } from './errors.js'
import { readBody, requestId, sendEnvelope, jsonBody } from './http.js'
import { labelPdf } from './pdf.js'
import { matchRoute, type RouteCtx } from './routes.js'
import { apiSign, sameHex } from './signing.js'
import type { ShopState } from './state.js'

export interface RequestRecord {
  host: 'api' | 'auth' | 'docs'
  method: string
  path: string
  query: Record<string, string>
  /** envelope code answered */
  code: number
  httpStatus: number
  hadAccessTokenHeader: boolean
  /** time spent answering, ms */
  ms: number
}

export interface Faults {
  /** requests per second allowed per API path (null: unlimited) */
  perSecond: number | null
  /** answer the next N API calls with 429 */
  throttleNext: number
  /** answer API calls with 503 (true), or the next N of them (number) */
  outage: boolean | number
  /** answer each API call this many ms late, as a distant platform does (0: at once) */
  latencyMs: number
}

export interface ServerDeps {
  appKey: string
  appSecret: string
  state: ShopState
  faults: Faults
  docs: RouteCtx['docs']
  subscriptions: RouteCtx['subscriptions']
  requests: RequestRecord[]
  /** runs before each request (the clock-driven advance) */
  beforeRequest: () => void
}

function record(deps: ServerDeps, r: RequestRecord) {
  deps.requests.push(r)
  if (deps.requests.length > 2000) deps.requests.splice(0, deps.requests.length - 2000)
}

async function serve(
  deps: ServerDeps,
  host: RequestRecord['host'],
  req: IncomingMessage,
  res: ServerResponse,
  handle: (url: URL, raw: Buffer) => unknown,
): Promise<void> {
  const started = performance.now()
  const rid = requestId()
  const url = new URL(req.url ?? '/', 'http://simulator')
  let httpStatus = 200
  let code = 0
  try {
    const raw = await readBody(req)
    deps.beforeRequest()
    const data = await handle(url, raw)
    if (data instanceof Buffer) {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': data.length })
      res.end(data)
      return
    }
    sendEnvelope(res, 200, { code: 0, message: 'Success', request_id: rid, data })
  } catch (err) {
    if (err instanceof SimError) {
      httpStatus = err.httpStatus
      code = err.code
      sendEnvelope(res, err.httpStatus, { code: err.code, message: err.message, request_id: rid, data: null })
    } else {
      httpStatus = 500
      code = CODES.internal
      sendEnvelope(res, 500, { code: CODES.internal, message: `Internal error: ${(err as Error).message}`, request_id: rid, data: null })
    }
  } finally {
    record(deps, {
      host,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      code,
      httpStatus,
      hadAccessTokenHeader: typeof req.headers['x-tts-access-token'] === 'string',
      ms: Math.round((performance.now() - started) * 10) / 10,
    })
  }
}

const throttleWindows = new WeakMap<ServerDeps, Map<string, { second: number; count: number }>>()

function checkApi(deps: ServerDeps, req: IncomingMessage, url: URL, raw: Buffer, scope: 'seller' | 'shop', routeKey: string): void {
  const { state, faults } = deps
  const q = url.searchParams
  for (const k of ['app_key', 'timestamp', 'sign'])
    if (q.getAll(k).length > 1) throw new SimError(400, CODES.credentials, `Invalid credentials: ${k} given more than once`)
  if (q.get('app_key') !== deps.appKey) throw new SimError(401, CODES.credentials, 'Invalid credentials: app_key is missing or unknown')
  const ts = q.get('timestamp') ?? ''
  const now = state.now()
  if (!/^\d{10}$/.test(ts)) throw new SimError(401, CODES.credentials, 'Invalid credentials: timestamp must be Unix seconds (10 digits)')
  const t = Number(ts)
  if (t < now - 300 || t > now + 30)
    throw new SimError(401, CODES.credentials, `Invalid credentials: timestamp ${t} is outside the accepted window [now-300s, now+30s] (now ${now})`)
  const sign = q.get('sign') ?? ''
  const multipart = /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')
  const expected = apiSign(deps.appSecret, url.pathname, q.entries(), multipart ? undefined : raw)
  if (!sameHex(sign.toLowerCase() === sign ? sign : '', expected))
    throw new SimError(401, CODES.invalidSign, "Invalid credentials. The 'sign' query parameter is invalid. Check the signing algorithm.")
  const token = req.headers['x-tts-access-token']
  if (typeof token !== 'string' || !token)
    throw new SimError(401, CODES.credentials, 'Invalid credentials: the x-tts-access-token header is missing')
  const tok = state.data.accessTokens[token]
  if (!tok) throw new SimError(401, CODES.credentials, 'Invalid credentials: the access token is invalid')
  if (tok.expiresAt <= now) throw new SimError(401, CODES.tokenExpired, 'Access token is expired, please refresh it')
  const cipher = q.get('shop_cipher')
  if (scope === 'seller' && cipher !== null)
    throw new SimError(400, CODES.credentials, 'Unexpected identifier: shop_cipher is not required for this API')
  if (scope === 'shop') {
    if (!cipher) throw new SimError(400, CODES.shopCipherMissing, 'shop_cipher is missing')
    if (cipher !== state.data.shop.cipher) throw new SimError(400, CODES.shopCipherMissing, 'shop_cipher is invalid for this seller')
  }
  if (faults.throttleNext > 0) {
    faults.throttleNext--
    throw new SimError(429, CODES.throttled, 'Too many requests, please retry later')
  }
  if (faults.perSecond !== null) {
    let m = throttleWindows.get(deps)
    if (!m) throttleWindows.set(deps, (m = new Map()))
    const second = Math.floor(Date.now() / 1000)
    const key = `${routeKey}|${cipher ?? ''}`
    const w = m.get(key)
    if (!w || w.second !== second) m.set(key, { second, count: 1 })
    else if (++w.count > faults.perSecond) throw new SimError(429, CODES.throttled, 'Too many requests, please retry later')
  }
}

export function createApiServer(deps: ServerDeps, baseUrl: () => string): Server {
  return createServer((req, res) => {
    void serve(deps, 'api', req, res, async (url, raw) => {
      if (req.method === 'GET' && url.pathname.startsWith('/sim/docs/')) return doc(deps, url)
      const { faults } = deps
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs))
      if (faults.outage === true || (typeof faults.outage === 'number' && faults.outage > 0)) {
        if (typeof faults.outage === 'number') faults.outage--
        throw new SimError(503, CODES.internal, 'Internal error, please retry later')
      }
      const { route, params } = matchRoute(req.method ?? 'GET', url.pathname)
      checkApi(deps, req, url, raw, route.scope, `${route.method} ${route.path}`)
      const body = req.method === 'GET' ? {} : jsonBody(raw)
      return route.handler({
        query: url.searchParams,
        body,
        params,
        state: deps.state,
        baseUrl: baseUrl(),
        docs: deps.docs,
        subscriptions: deps.subscriptions,
      })
    })
  })
}

function doc(deps: ServerDeps, url: URL): Buffer {
  const token = url.pathname.slice('/sim/docs/'.length).replace(/\.pdf$/, '')
  const d = deps.docs.get(token)
  if (!d || d.expiresAt <= deps.state.now()) throw new SimError(404, CODES.notFound, 'Document not found or expired')
  const p = deps.state.pkg(d.packageId)
  const o = deps.state.order(p.order_id)
  const addr = deps.state.view(o).recipient_address as { name?: string; full_address?: string }
  return labelPdf([
    `${d.type.replace(/_/g, ' ')}`,
    `Tracking: ${p.tracking_number}`,
    `Carrier: ${p.shipping_provider_name}`,
    `Package: ${p.id}`,
    `Order: ${o.o.id}`,
    `To: ${addr.name ?? ''}`,
    `${addr.full_address ?? ''}`,
    ...(o.o.line_items ?? []).map((li) => `1 x ${li.seller_sku ?? li.sku_id}`),
  ])
}

export function createAuthServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    void serve(deps, 'auth', req, res, (url) => {
      if (deps.faults.outage === true) throw new SimError(503, CODES.internal, 'Internal error, please retry later')
      const q = url.searchParams
      const isGet = url.pathname === '/api/v2/token/get'
      const isRefresh = url.pathname === '/api/v2/token/refresh'
      if (!isGet && !isRefresh) throw new SimError(404, CODES.invalidPath, `Invalid path ${url.pathname}`)
      if (req.method !== 'GET') throw new SimError(405, CODES.invalidMethod, `Invalid method ${req.method}`)
      if (q.get('app_key') !== deps.appKey || q.get('app_secret') !== deps.appSecret)
        throw new SimError(401, CODES.credentials, 'Invalid credentials: app_key or app_secret is wrong')
      const { state } = deps
      const now = state.now()
      if (isGet) {
        if (q.get('grant_type') !== 'authorized_code') throw badParam('grant_type must be authorized_code')
        const code = q.get('auth_code') ?? ''
        const c = state.data.authCodes[code]
        if (!c || c.used || c.expiresAt <= now)
          throw new SimError(400, CODES.credentials, 'Invalid credentials: auth_code is invalid, used or expired')
        c.used = true
      } else {
        if (q.get('grant_type') !== 'refresh_token') throw badParam('grant_type must be refresh_token')
        const r = state.data.refreshTokens[q.get('refresh_token') ?? '']
        if (!r || r.expiresAt <= now) throw new SimError(400, CODES.credentials, 'Invalid credentials: refresh_token is invalid or expired')
      }
      const t = state.issueTokens()
      return {
        ...t,
        open_id: state.data.seller.openId,
        seller_name: state.data.seller.name,
        seller_base_region: state.data.seller.region,
        user_type: 0,
        granted_scopes: ['seller.order.info', 'seller.fulfillment.basic', 'seller.return_refund.basic', 'seller.authorization.info'],
      }
    })
  })
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}
