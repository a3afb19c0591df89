/**
 * A bare signed caller for the simulator tests, written from the reference (§1.3) without the
 * project's API client, so the simulator is checked on its own.
 */
import { createHmac } from 'node:crypto'

export interface CallOpts {
  baseUrl: string
  appKey: string
  appSecret: string
  token?: string
  cipher?: string
  /** override the timestamp (Unix seconds) */
  timestamp?: number
  /** tamper: use this sign instead */
  sign?: string
  query?: Record<string, string | number>
  body?: unknown
  /** send this raw body instead of JSON.stringify(body) */
  rawBody?: string
  /** put the token in the access_token query parameter instead of the header */
  tokenInQuery?: boolean
}

export function sign(secret: string, path: string, query: Record<string, string>, body = ''): string {
  const keys = Object.keys(query).filter((k) => k !== 'sign' && k !== 'access_token').sort()
  const base = secret + path + keys.map((k) => k + query[k]).join('') + body + secret
  return createHmac('sha256', secret).update(base).digest('hex')
}

export interface Envelope<T = any> {
  code: number
  message: string
  request_id: string
  data: T
}

export async function call<T = any>(method: string, path: string, o: CallOpts): Promise<{ status: number; body: Envelope<T> }> {
  const query: Record<string, string> = {
    app_key: o.appKey,
    timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    ...Object.fromEntries(Object.entries(o.query ?? {}).map(([k, v]) => [k, String(v)])),
  }
  if (o.cipher) query.shop_cipher = o.cipher
  const raw = o.rawBody ?? (o.body === undefined ? '' : JSON.stringify(o.body))
  query.sign = o.sign ?? sign(o.appSecret, path, query, raw)
  if (o.tokenInQuery && o.token) query.access_token = o.token
  const url = `${o.baseUrl}${path}?${new URLSearchParams(query)}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (o.token && !o.tokenInQuery) headers['x-tts-access-token'] = o.token
  const res = await fetch(url, { method, headers, body: raw === '' ? undefined : raw })
  return { status: res.status, body: (await res.json()) as Envelope<T> }
}

export async function getToken(authBaseUrl: string, appKey: string, appSecret: string, code: string) {
  const q = new URLSearchParams({ app_key: appKey, app_secret: appSecret, auth_code: code, grant_type: 'authorized_code' })
  const res = await fetch(`${authBaseUrl}/api/v2/token/get?${q}`)
  return { status: res.status, body: (await res.json()) as Envelope }
}
