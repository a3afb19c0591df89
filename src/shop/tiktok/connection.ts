/**
 * Builds the whole TikTok Shop connection from settings: the signed API transport, the auth host,
 * the token service and the ShopPort client. The same code talks to the real platform and, over HTTP,
 * to the simulator (only the base URLs and app credentials differ).
 */
import type { Db } from '../../../db/database.js'
import type { Config } from '../../config.js'
import { systemClock, type Clock } from '../../shared/clock.js'
import { silentLogger, type Logger } from '../../shared/logger.js'
import type { TokenCipher } from '../crypto.js'
import { connectShop, TokenService, type ConnectResult } from '../tokens.js'
import { TikTokApi, type RetryPolicy } from './api.js'
import { TikTokAuthApi } from './auth-api.js'
import { TikTokShopClient } from './client.js'

export interface TikTokSettings {
  appKey: string
  appSecret: string
  apiBaseUrl: string
  authBaseUrl: string
}

export interface TikTokConnectionOptions {
  settings: TikTokSettings
  db: Db
  cipher: TokenCipher
  clock?: Clock
  logger?: Logger
  /** 'tiktok' or 'simulator', recorded on shops connected through this connection */
  source?: string
  timeoutMs?: number
  throttleRetry?: RetryPolicy
  errorRetry?: RetryPolicy
  sleep?: (ms: number) => Promise<void>
  refreshMarginMs?: number
}

export interface TikTokConnection {
  api: TikTokApi
  authApi: TikTokAuthApi
  tokens: TokenService
  client: TikTokShopClient
  connectShop(code: string, actor?: string): Promise<ConnectResult>
}

export function createTikTokConnection(o: TikTokConnectionOptions): TikTokConnection {
  const clock = o.clock ?? systemClock
  const logger = o.logger ?? silentLogger
  const api = new TikTokApi({
    appKey: o.settings.appKey,
    appSecret: o.settings.appSecret,
    baseUrl: o.settings.apiBaseUrl,
    clock,
    logger,
    timeoutMs: o.timeoutMs,
    throttleRetry: o.throttleRetry,
    errorRetry: o.errorRetry,
    sleep: o.sleep,
  })
  const authApi = new TikTokAuthApi({ appKey: o.settings.appKey, appSecret: o.settings.appSecret, baseUrl: o.settings.authBaseUrl, clock, timeoutMs: o.timeoutMs })
  const tokens = new TokenService({ db: o.db, clock, logger, cipher: o.cipher, authApi, refreshMarginMs: o.refreshMarginMs })
  const client = new TikTokShopClient(api, tokens)
  return {
    api,
    authApi,
    tokens,
    client,
    connectShop: (code, actor) => connectShop({ db: o.db, clock, logger, cipher: o.cipher, authApi, api, source: o.source, tokens }, code, actor),
  }
}

/** The real platform's settings from config (undefined when no TikTok app is configured). */
export function tiktokSettingsFrom(config: Config): TikTokSettings | undefined {
  if (!config.tiktok) return undefined
  return {
    appKey: config.tiktok.appKey,
    appSecret: config.tiktok.appSecret,
    apiBaseUrl: config.tiktok.apiBaseUrl,
    authBaseUrl: config.tiktok.authBaseUrl,
  }
}
