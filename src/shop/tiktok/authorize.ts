/**
 * The seller authorization link (reference §6 step 1) and its `state`: an HMAC-signed timestamp, so
 * the OAuth callback only accepts redirects that started from a link this installation made.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** Reference §1.1: the rest of the world, and the US host (CONFLICT between guides: take Partner Center's link when it differs). */
export const AUTHORIZE_HOSTS = {
  row: 'https://services.tiktokshop.com/open/authorize',
  us: 'https://services.tiktokshops.us/open/authorize',
} as const

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`oauth-state:${payload}`).digest('base64url')

export function makeOAuthState(secret: string, now: Date): string {
  const payload = `${Math.floor(now.getTime() / 1000)}.${randomBytes(9).toString('base64url')}`
  return `${payload}.${mac(secret, payload)}`
}

/** null when good, else what is wrong. */
export function checkOAuthState(secret: string, state: string | null | undefined, now: Date, maxAgeMs = 3_600_000): string | null {
  if (!state) return 'the state parameter is missing'
  const parts = state.split('.')
  if (parts.length !== 3) return 'the state parameter is malformed'
  const payload = `${parts[0]}.${parts[1]}`
  const a = Buffer.from(mac(secret, payload))
  const b = Buffer.from(parts[2])
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'the state parameter was not made by this installation'
  const age = now.getTime() - Number(parts[0]) * 1000
  if (!Number.isFinite(age) || age > maxAgeMs || age < -300_000) return 'the authorization link has expired: make a new one'
  return null
}

export function authorizeUrl(serviceId: string, state: string, market: keyof typeof AUTHORIZE_HOSTS = 'row'): string {
  const u = new URL(AUTHORIZE_HOSTS[market])
  u.searchParams.set('service_id', serviceId)
  u.searchParams.set('state', state)
  return u.toString()
}
