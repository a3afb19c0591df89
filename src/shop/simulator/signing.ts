/**
 * Request and webhook signatures, written from the reference (§1.3, §5.1) independently of the
 * API client so that each checks the other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * sign = hex(HMAC_SHA256(app_secret, app_secret + path + sorted(key+value, without sign and
 * access_token) + body + app_secret)). `body` is the raw request body (omit for multipart / GET).
 */
export function apiSign(appSecret: string, path: string, query: Iterable<[string, string]>, body?: Buffer | string): string {
  const pairs = [...query].filter(([k]) => k !== 'sign' && k !== 'access_token' && k !== 'x-tts-access-token')
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const parts: Buffer[] = [Buffer.from(appSecret + path + pairs.map(([k, v]) => k + v).join(''), 'utf8')]
  if (body !== undefined && body.length > 0) parts.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
  parts.push(Buffer.from(appSecret, 'utf8'))
  return createHmac('sha256', appSecret).update(Buffer.concat(parts)).digest('hex')
}

/** Webhook `Authorization` header: hex(HMAC_SHA256(app_secret, app_key + raw body)). */
export function webhookSignature(appKey: string, appSecret: string, body: Buffer | string): string {
  return createHmac('sha256', appSecret)
    .update(Buffer.concat([Buffer.from(appKey, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]))
    .digest('hex')
}

/** Constant-time comparison of two hex strings (false when lengths differ). */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}
