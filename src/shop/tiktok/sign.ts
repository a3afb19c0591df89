/**
 * TikTok Shop request signing (API 202309+, reference §1.3) and webhook verification (§5.1).
 *
 * Request: sort the query keys (without `sign` and `access_token`), concatenate key+value, prefix the
 * path, append the raw body bytes unless the request is multipart, wrap in app_secret on both sides,
 * HMAC-SHA256 with the app secret, lowercase hex.
 * Webhook: `Authorization` = hex(HMAC-SHA256(app_secret, app_key + raw body)), compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Query keys never signed (`x-tts-access-token` dropped too when it strays into the query). */
const UNSIGNED = new Set(['sign', 'access_token', 'x-tts-access-token'])

export interface SignInput {
  appSecret: string
  /** request path only: no host, no query string */
  path: string
  /** decoded query values */
  query: Record<string, string>
  /** the exact body bytes that are sent (omit for GET or an empty body) */
  body?: string | Uint8Array
  /** true for multipart/form-data: the body is then not signed */
  multipart?: boolean
}

export function signRequest(input: SignInput): string {
  const keys = Object.keys(input.query)
    .filter((k) => !UNSIGNED.has(k))
    .sort()
  let base = input.path
  for (const k of keys) base += k + input.query[k]
  const hmac = createHmac('sha256', input.appSecret)
  hmac.update(input.appSecret)
  hmac.update(base)
  if (input.body !== undefined && !input.multipart) hmac.update(input.body)
  hmac.update(input.appSecret)
  return hmac.digest('hex')
}

/** The `Authorization` value TikTok puts on a webhook it sends (also used by the simulator). */
export function webhookSignature(appKey: string, appSecret: string, rawBody: string | Uint8Array): string {
  return createHmac('sha256', appSecret).update(appKey).update(rawBody).digest('hex')
}

/** Constant-time check of a webhook's `Authorization` header against the raw body. */
export function verifyWebhookSignature(
  appKey: string,
  appSecret: string,
  rawBody: string | Uint8Array,
  authorization: string | undefined | null,
): boolean {
  if (!authorization) return false
  const given = authorization.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(given)) return false
  const expected = Buffer.from(webhookSignature(appKey, appSecret, rawBody), 'hex')
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
}
