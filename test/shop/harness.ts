/**
 * A shop for tests: the simulator over HTTP on loopback, and our real connection to it (signed client,
 * token service, workflow sink), sharing one manual clock so signed timestamps fall in its window.
 */
import type { Database, Executor } from '../../db/database.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/shop/simulator/index.js'
import { workflowSink } from '../../src/shop/sync-sink.js'
import type { SyncDeps, SyncOptions } from '../../src/shop/sync.js'
import { createTikTokConnection, type TikTokConnection } from '../../src/shop/tiktok/connection.js'
import { followingChannel } from '../reliability/support.js'

export const APP_KEY = 'test_app_key'
export const APP_SECRET = 'test_app_secret_0123456789'
export const SECRET_KEY = 'test-secret-key-0123456789abcdef'

export interface ShopHarness {
  clock: ManualClock
  sim: Simulator
  conn: TikTokConnection
  shopId: string
  syncDeps(over?: Partial<SyncDeps> & { options?: Partial<SyncOptions> }): SyncDeps
  close(): Promise<void>
}

export async function shopHarness(database: Database, opts: { sim?: Partial<SimulatorOptions>; connect?: boolean; start?: string } = {}): Promise<ShopHarness> {
  const clock = new ManualClock(opts.start ?? '2026-11-20T10:00:00Z')
  const sim = await startSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, clock, seed: 7, ...opts.sim })
  const conn = createTikTokConnection({
    settings: { appKey: APP_KEY, appSecret: APP_SECRET, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
    db: database.db,
    cipher: tokenCipher(SECRET_KEY),
    clock,
    logger: silentLogger,
    source: 'simulator',
    timeoutMs: 10_000,
    // real waits, kept short for tests
    throttleRetry: { attempts: 10, baseDelayMs: 20, maxDelayMs: 400 },
    errorRetry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  })
  if (opts.connect !== false) await conn.connectShop(sim.createAuthCode(), 'test')
  return {
    clock,
    sim,
    conn,
    shopId: sim.shop.id,
    syncDeps: (over = {}) => ({
      db: database.db,
      shop: conn.client,
      clock,
      logger: silentLogger,
      sink: workflowSink({ db: database.db, clock, logger: silentLogger }),
      refreshExpiringTokens: () => conn.tokens.refreshExpiring(),
      ...over,
      options: { ...over.options },
    }),
    close: () => sim.close(),
  }
}

/** Two chats that follow the shop, one in English and one in Chinese (their channel ids). */
export async function twoFollowingChats(db: Executor, shopId: string): Promise<{ en: number; zh: number }> {
  return {
    en: await followingChannel(db, { platform: 'console', externalId: `en-${shopId}`, shopId }),
    zh: await followingChannel(db, { platform: 'console', externalId: `zh-${shopId}`, shopId, locale: 'zh-CN' }),
  }
}
