/**
 * Seller tokens (reference §6): exchanged from an auth code, kept encrypted in `shop_tokens`, linked to
 * shops through `shop_grants`, refreshed before they expire and — when the platform calls one expired —
 * refreshed once for everybody waiting on it. The refresh runs under a row lock on the token row, so two
 * instances never spend the same refresh token twice; an instance that waited finds the new token.
 *
 * `connectShop(code)` is the one path used by `shop connect --code` and the OAuth callback.
 */
import { asc, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import { auditLog, shopGrants, shopTokens, shops } from '../../db/schema.js'
import type { Clock } from '../shared/clock.js'
import { AppError, badInput, notFound } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import type { TokenCipher } from './crypto.js'
import type { TikTokApi } from './tiktok/api.js'
import type { TikTokAuthApi, TokenGrant } from './tiktok/auth-api.js'
import { getAuthorizedShops, type AuthorizedShop, type ShopAuthProvider, type ShopCredentials } from './tiktok/client.js'

export interface TokenServiceDeps {
  db: Db
  clock: Clock
  logger: Logger
  cipher: TokenCipher
  authApi: TikTokAuthApi
  /** refresh an access token when less than this is left (default 30 minutes) */
  refreshMarginMs?: number
  /**
   * how long a shop's grant (its seller, cipher and authorisation, read from the database) is reused
   * (default 10 s): a sync asks for it before every page, a few milliseconds apart, and on the
   * embedded database that read would wait for the page being stored. A deauthorisation seen here
   * drops it at once (forgetShop); one seen by another instance counts after this long at most (the
   * platform refuses the withdrawn token meanwhile).
   */
  grantTtlMs?: number
}

interface Grant {
  openId: string
  cipher: string | null
}

const ctxAccess = (openId: string) => `shop_tokens:${openId}:access`
const ctxRefresh = (openId: string) => `shop_tokens:${openId}:refresh`

interface CachedToken {
  accessToken: string
  accessExpiresAt: number
}

export class TokenService implements ShopAuthProvider {
  private readonly margin: number
  private readonly cache = new Map<string, CachedToken>()
  private readonly inflight = new Map<string, Promise<CachedToken>>()
  private readonly grants = new Map<string, { until: number; grant: Grant }>()
  private readonly grantTtl: number

  constructor(private readonly deps: TokenServiceDeps) {
    this.margin = deps.refreshMarginMs ?? 30 * 60_000
    this.grantTtl = deps.grantTtlMs ?? 10_000
  }

  /** The shop's cipher and a valid access token (refreshed first when it is about to expire). */
  async credentials(shopId: string): Promise<ShopCredentials> {
    const { openId, cipher } = await this.grantOf(shopId)
    const now = this.deps.clock.now().getTime()
    let tok = this.cache.get(openId)
    if (!tok) {
      tok = await this.load(openId)
      this.cache.set(openId, tok)
    }
    if (tok.accessExpiresAt - now < this.margin) tok = await this.refresh(openId, null)
    return { cipher, accessToken: tok.accessToken }
  }

  async refreshAfterExpiry(shopId: string, staleAccessToken: string): Promise<ShopCredentials> {
    const { openId, cipher } = await this.grantOf(shopId)
    const tok = await this.refresh(openId, staleAccessToken)
    return { cipher, accessToken: tok.accessToken }
  }

  /** Refreshes every grant whose access token expires within `withinMs` (run by the sync schedule). */
  async refreshExpiring(withinMs = 24 * 3_600_000): Promise<{ refreshed: number; failed: { openId: string; error: string }[] }> {
    const limit = new Date(this.deps.clock.now().getTime() + withinMs)
    const due = await this.deps.db
      .select({ openId: shopTokens.openId })
      .from(shopTokens)
      .where(lt(shopTokens.accessExpiresAt, limit))
      .orderBy(asc(shopTokens.accessExpiresAt))
    let refreshed = 0
    const failed: { openId: string; error: string }[] = []
    for (const { openId } of due) {
      try {
        await this.refresh(openId, null, withinMs)
        refreshed++
      } catch (err) {
        failed.push({ openId, error: (err as Error).message })
        this.deps.logger.warn('token refresh failed', { openId, err })
      }
    }
    return { refreshed, failed }
  }

  /** Forget cached tokens (after a reconnect) and every shop's grant. */
  forget(openId?: string): void {
    if (openId) this.cache.delete(openId)
    else this.cache.clear()
    this.grants.clear()
  }

  /** Forget what is cached about a shop's grant (it was deauthorised). */
  forgetShop(shopId: string): void {
    this.grants.delete(shopId)
  }

  private async grantOf(shopId: string): Promise<Grant> {
    const now = this.deps.clock.now().getTime()
    const hit = this.grants.get(shopId)
    if (hit && hit.until > now) return hit.grant
    const grant = await this.readGrant(shopId)
    this.grants.set(shopId, { until: now + this.grantTtl, grant })
    return grant
  }

  private async readGrant(shopId: string): Promise<Grant> {
    const [row] = await this.deps.db
      .select({ openId: shopTokens.openId, cipher: shops.cipher, authorized: shops.authorized })
      .from(shops)
      .leftJoin(shopGrants, eq(shopGrants.shopId, shops.id))
      .leftJoin(shopTokens, eq(shopTokens.openId, shopGrants.openId))
      .where(eq(shops.id, shopId))
      .orderBy(desc(shopTokens.accessExpiresAt))
      .limit(1)
    if (!row) throw notFound(`shop ${shopId} is not known`, { shopId })
    if (!row.authorized)
      throw new AppError('shop_error', `shop ${shopId} withdrew the app's authorization: connect it again (npm run cli -- shop connect --code …)`, { shopId, notConnected: true })
    if (!row.openId)
      throw new AppError('shop_error', `shop ${shopId} has no token: connect it (npm run cli -- shop connect --code …)`, { shopId, notConnected: true })
    return { openId: row.openId, cipher: row.cipher || null }
  }

  private async load(openId: string): Promise<CachedToken> {
    const [row] = await this.deps.db.select().from(shopTokens).where(eq(shopTokens.openId, openId))
    if (!row) throw new AppError('shop_error', `no token stored for seller ${openId}`, { openId, notConnected: true })
    return { accessToken: this.deps.cipher.decrypt(row.accessTokenEnc, ctxAccess(openId)), accessExpiresAt: row.accessExpiresAt.getTime() }
  }

  /**
   * One refresh per grant at a time in this process (callers share it), and across processes a row
   * lock: whoever gets the lock second sees a token that is already new and keeps it.
   * `stale` = the token the platform refused (null: a scheduled refresh before expiry).
   */
  private refresh(openId: string, stale: string | null, marginMs = this.margin): Promise<CachedToken> {
    const running = this.inflight.get(openId)
    if (running) return running
    const p = this.refreshLocked(openId, stale, marginMs).finally(() => this.inflight.delete(openId))
    this.inflight.set(openId, p)
    return p
  }

  private async refreshLocked(openId: string, stale: string | null, marginMs: number): Promise<CachedToken> {
    const { db, cipher, clock, authApi, logger } = this.deps
    const tok = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(shopTokens).where(eq(shopTokens.openId, openId)).for('update')
      if (!row) throw new AppError('shop_error', `no token stored for seller ${openId}`, { openId, notConnected: true })
      const now = clock.now().getTime()
      const current = cipher.decrypt(row.accessTokenEnc, ctxAccess(openId))
      const fresh = row.accessExpiresAt.getTime() - now >= marginMs
      if (fresh && (stale === null || current !== stale)) return { accessToken: current, accessExpiresAt: row.accessExpiresAt.getTime() }
      if (row.refreshExpiresAt && row.refreshExpiresAt.getTime() <= now)
        throw new AppError('shop_error', `the authorization of seller ${row.sellerName || openId} has expired: connect the shop again`, { openId, notConnected: true })
      const grant = await authApi.refreshToken(cipher.decrypt(row.refreshTokenEnc, ctxRefresh(openId)))
      await tx
        .update(shopTokens)
        .set({
          accessTokenEnc: cipher.encrypt(grant.accessToken, ctxAccess(openId)),
          accessExpiresAt: grant.accessExpiresAt,
          refreshTokenEnc: cipher.encrypt(grant.refreshToken, ctxRefresh(openId)),
          refreshExpiresAt: grant.refreshExpiresAt ?? row.refreshExpiresAt,
          ...(grant.grantedScopes.length ? { grantedScopes: grant.grantedScopes } : {}),
          updatedAt: clock.now(),
        })
        .where(eq(shopTokens.openId, openId))
      logger.info('shop access token refreshed', { openId, expiresAt: grant.accessExpiresAt.toISOString() })
      return { accessToken: grant.accessToken, accessExpiresAt: grant.accessExpiresAt.getTime() }
    })
    this.cache.set(openId, tok)
    return tok
  }
}

export interface ConnectDeps {
  db: Db
  clock: Clock
  logger: Logger
  cipher: TokenCipher
  authApi: TikTokAuthApi
  api: TikTokApi
  /** recorded on new shops: 'tiktok' (default) or 'simulator' */
  source?: string
  /** told about the new token so its cache does not keep an old one */
  tokens?: TokenService
}

export interface ConnectResult {
  openId: string
  sellerName: string
  shops: { id: string; name: string; region: string; sellerType: string }[]
}

const REGION_DEFAULTS: Record<string, { currency: string; timeZone: string }> = {
  US: { currency: 'USD', timeZone: 'America/Los_Angeles' },
  GB: { currency: 'GBP', timeZone: 'Europe/London' },
  UK: { currency: 'GBP', timeZone: 'Europe/London' },
  IE: { currency: 'EUR', timeZone: 'Europe/Dublin' },
  DE: { currency: 'EUR', timeZone: 'Europe/Berlin' },
  FR: { currency: 'EUR', timeZone: 'Europe/Paris' },
  IT: { currency: 'EUR', timeZone: 'Europe/Rome' },
  ES: { currency: 'EUR', timeZone: 'Europe/Madrid' },
  ID: { currency: 'IDR', timeZone: 'Asia/Jakarta' },
  MY: { currency: 'MYR', timeZone: 'Asia/Kuala_Lumpur' },
  PH: { currency: 'PHP', timeZone: 'Asia/Manila' },
  SG: { currency: 'SGD', timeZone: 'Asia/Singapore' },
  TH: { currency: 'THB', timeZone: 'Asia/Bangkok' },
  VN: { currency: 'VND', timeZone: 'Asia/Ho_Chi_Minh' },
  MX: { currency: 'MXN', timeZone: 'America/Mexico_City' },
  BR: { currency: 'BRL', timeZone: 'America/Sao_Paulo' },
  JP: { currency: 'JPY', timeZone: 'Asia/Tokyo' },
}

/**
 * Exchanges the auth code, stores the grant encrypted, lists the authorised shops (Get Authorized
 * Shops, no shop_cipher) and upserts them with their ciphers. Nothing is stored unless all of it worked.
 */
export async function connectShop(deps: ConnectDeps, code: string, actor = 'system'): Promise<ConnectResult> {
  const authCode = code.trim()
  if (!authCode || authCode.length > 512 || /\s/.test(authCode)) throw badInput('the auth code is missing or malformed: copy the `code` value from the authorization redirect')
  const grant: TokenGrant = await deps.authApi.getToken(authCode)
  const list: AuthorizedShop[] = await getAuthorizedShops(deps.api, grant.accessToken)
  if (!list.length) throw new AppError('shop_error', 'the authorization worked but it covers no shop (is this a seller account with a shop?)')
  const now = deps.clock.now()
  const { cipher } = deps
  await deps.db.transaction(async (tx) => {
    const values = {
      sellerName: grant.sellerName,
      accessTokenEnc: cipher.encrypt(grant.accessToken, ctxAccess(grant.openId)),
      accessExpiresAt: grant.accessExpiresAt,
      refreshTokenEnc: cipher.encrypt(grant.refreshToken, ctxRefresh(grant.openId)),
      refreshExpiresAt: grant.refreshExpiresAt,
      grantedScopes: grant.grantedScopes,
      updatedAt: now,
    }
    await tx.insert(shopTokens).values({ openId: grant.openId, ...values }).onConflictDoUpdate({ target: shopTokens.openId, set: values })
    for (const s of list) {
      const region = s.region.toUpperCase()
      const d = REGION_DEFAULTS[region]
      await tx
        .insert(shops)
        .values({
          id: s.id,
          name: s.name || `Shop ${s.id}`,
          region,
          sellerType: s.seller_type,
          cipher: s.cipher || null,
          source: deps.source ?? 'tiktok',
          ...(d ? { currency: d.currency, timeZone: d.timeZone } : {}),
        })
        .onConflictDoUpdate({
          target: shops.id,
          set: { name: s.name || `Shop ${s.id}`, region, sellerType: s.seller_type, cipher: s.cipher || null, authorized: true, deauthorizedAt: null, updatedAt: now },
        })
      await tx.insert(shopGrants).values({ shopId: s.id, openId: grant.openId }).onConflictDoNothing()
    }
    await tx.insert(auditLog).values({
      at: now,
      actor,
      action: 'shop.connect',
      subject: `seller:${grant.openId}`,
      details: { shops: list.map((s) => s.id), sellerName: grant.sellerName },
    })
  })
  deps.tokens?.forget(grant.openId)
  deps.logger.info('shop connected', { openId: grant.openId, shops: list.map((s) => s.id) })
  return {
    openId: grant.openId,
    sellerName: grant.sellerName,
    shops: list.map((s) => ({ id: s.id, name: s.name, region: s.region, sellerType: s.seller_type })),
  }
}

/** Grants whose refresh token expired or that no shop uses: for `doctor`. */
export async function tokenProblems(db: Db, now: Date): Promise<string[]> {
  const problems: string[] = []
  const rows = await db
    .select({ id: shops.id, name: shops.name, authorized: shops.authorized, source: shops.source, openId: shopGrants.openId, refreshExpiresAt: shopTokens.refreshExpiresAt })
    .from(shops)
    .leftJoin(shopGrants, eq(shopGrants.shopId, shops.id))
    .leftJoin(shopTokens, eq(shopTokens.openId, shopGrants.openId))
  const byShop = new Map<string, typeof rows>()
  for (const r of rows) byShop.set(r.id, [...(byShop.get(r.id) ?? []), r])
  for (const [id, rs] of byShop) {
    const r = rs[0]
    if (!r.authorized) problems.push(`shop ${id} (${r.name}) withdrew its authorization: connect it again with shop connect --code`)
    else if (!rs.some((x) => x.openId)) problems.push(`shop ${id} (${r.name}) has no token: connect it with shop connect --code`)
    else if (!rs.some((x) => x.openId && (!x.refreshExpiresAt || x.refreshExpiresAt > now)))
      problems.push(`shop ${id} (${r.name}): its authorization expired: connect it again with shop connect --code`)
  }
  return problems
}

