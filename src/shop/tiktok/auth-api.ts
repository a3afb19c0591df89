/**
 * Seller authorization against the auth host (reference §6): exchange an auth code for tokens and
 * refresh them. These calls are not signed; the app secret travels in the query, so the URL is never
 * logged. Expiry fields are absolute Unix seconds; a small value is read as a duration, to be safe.
 */
import { AppError } from '../../shared/errors.js'
import { systemClock, type Clock } from '../../shared/clock.js'

export interface TokenGrant {
  accessToken: string
  accessExpiresAt: Date
  refreshToken: string
  refreshExpiresAt: Date | null
  openId: string
  sellerName: string
  sellerBaseRegion: string
  grantedScopes: string[]
}

export interface TikTokAuthApiOptions {
  appKey: string
  appSecret: string
  /** e.g. https://auth.tiktok-shops.com, or the simulator */
  baseUrl: string
  clock?: Clock
  timeoutMs?: number
}

export class TikTokAuthApi {
  private readonly baseUrl: string
  private readonly clock: Clock
  constructor(private readonly opts: TikTokAuthApiOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.clock = opts.clock ?? systemClock
  }

  /** Exchanges a single-use auth code (valid 30 min) for a token grant. */
  getToken(authCode: string): Promise<TokenGrant> {
    return this.request('/api/v2/token/get', { auth_code: authCode, grant_type: 'authorized_code' })
  }

  refreshToken(refreshToken: string): Promise<TokenGrant> {
    return this.request('/api/v2/token/refresh', { refresh_token: refreshToken, grant_type: 'refresh_token' })
  }

  private async request(path: string, params: Record<string, string>): Promise<TokenGrant> {
    const query = new URLSearchParams({ app_key: this.opts.appKey, app_secret: this.opts.appSecret, ...params })
    let res: Response
    let text: string
    try {
      res = await fetch(`${this.baseUrl}${path}?${query}`, {
        method: 'GET',
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      })
      text = await res.text()
    } catch (err) {
      throw new AppError('shop_unavailable', `the TikTok Shop auth host did not answer ${path}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`, { path })
    }
    let env: { code?: unknown; message?: unknown; data?: Record<string, unknown> } | undefined
    try {
      env = JSON.parse(text)
    } catch {
      env = undefined
    }
    if (!env || typeof env !== 'object' || !('code' in env)) {
      if (res.status >= 500 || res.status === 429)
        throw new AppError('shop_unavailable', `the TikTok Shop auth host answered ${path} with HTTP ${res.status}`, { path, httpStatus: res.status })
      throw new AppError('shop_error', `the TikTok Shop auth host answered ${path} with HTTP ${res.status} and no API envelope`, { path, httpStatus: res.status })
    }
    const code = Number(env.code)
    if (code !== 0) {
      const err = res.status >= 500 || res.status === 429 || code === 36009002 || code === 36009003 ? 'shop_unavailable' : 'shop_error'
      throw new AppError(err, `the TikTok Shop auth host refused ${path}: ${String(env.message ?? '')} (code ${code})`, {
        path,
        platformCode: code,
        httpStatus: res.status,
      })
    }
    const d = env.data ?? {}
    const accessToken = String(d.access_token ?? '')
    const refreshToken = String(d.refresh_token ?? '')
    const openId = String(d.open_id ?? '')
    if (!accessToken || !refreshToken || !openId)
      throw new AppError('shop_error', `the TikTok Shop auth host answered ${path} without access_token, refresh_token or open_id`, { path })
    const now = this.clock.now().getTime()
    return {
      accessToken,
      accessExpiresAt: expiry(d.access_token_expire_in, now) ?? new Date(now + 7 * 24 * 3_600_000),
      refreshToken,
      refreshExpiresAt: expiry(d.refresh_token_expire_in, now),
      openId,
      sellerName: String(d.seller_name ?? ''),
      sellerBaseRegion: String(d.seller_base_region ?? ''),
      grantedScopes: Array.isArray(d.granted_scopes) ? d.granted_scopes.map(String) : [],
    }
  }
}

/** Absolute Unix seconds (documented); a value below 10^9 is taken as seconds from now. */
function expiry(v: unknown, nowMs: number): Date | null {
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) return null
  return n < 1e9 ? new Date(nowMs + n * 1000) : new Date(n * 1000)
}
