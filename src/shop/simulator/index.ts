/**
 * The TikTok Shop simulator: a local HTTP server speaking the API subset the client uses
 * (reference §1–§6, checklist §9), holding one shop whose orders move through the status machine,
 * and sending signed webhooks. It is both the demo's shop and the tests' stand-in.
 *
 *   const sim = await startSimulator({ appKey: 'k', appSecret: 's' })
 *   sim.baseUrl, sim.authBaseUrl          // point the API client here
 *   const code = sim.createAuthCode()      // then exchange it at the auth host
 *   sim.state.createOrder()                // a paid order (webhook type 1)
 *   sim.state.buyerRequestCancel(orderId)  // a buyer request (webhook type 11)
 *   await sim.close()
 */
import type { Server } from 'node:http'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { systemClock, type Clock } from '../../shared/clock.js'
import { generateOrders, type GenerateOptions } from './generator.js'
import type { SimData, SimOrder } from './model.js'
import type { RouteCtx } from './routes.js'
import { createApiServer, createAuthServer, listen, type Faults, type RequestRecord } from './server.js'
import { ShopState, type SimTimings } from './state.js'
import { DEFAULT_RETRY_DELAYS_MS, WebhookSender, type WebhookDelivery } from './webhooks.js'

export { ShopState, DEFAULT_TIMINGS, type SimTimings, type NewOrder } from './state.js'
export { generateOrders, GENERATED_STATUSES, type GenerateOptions } from './generator.js'
export { apiSign, webhookSignature } from './signing.js'
export { CODES as SIM_CODES } from './errors.js'
export type { SimData, SimOrder, SimEvent, SimShop, SimCancellation, SimPackage } from './model.js'
export type { WebhookDelivery } from './webhooks.js'
export type { RequestRecord } from './server.js'
export { rejectReasons, sellerCancelReasons } from './reasons.js'

export interface SimulatorOptions {
  appKey: string
  appSecret: string
  port?: number
  /** the auth host's port (default: any free one) */
  authPort?: number
  host?: string
  clock?: Clock
  seed?: number | string
  /** where webhooks go (also settable later; Event API subscriptions override it per topic) */
  webhookUrl?: string
  /** requests per second per API path before 429 (default: unlimited) */
  throttle?: number | { perSecond: number }
  /** answer each API call this many ms late (default 0; the real platform takes hundreds of ms a page) */
  latencyMs?: number
  region?: string
  timings?: Partial<SimTimings>
  webhookRetryDelaysMs?: number[]
  /** advance the shop on a timer every this many ms (default: 1000 with the system clock, off with another clock) */
  tickMs?: number | false
  /** restore a saved shop (see `snapshot()`), or load/save it at this path */
  data?: SimData
  statePath?: string
}

export interface Simulator {
  baseUrl: string
  authBaseUrl: string
  state: ShopState
  shop: SimData['shop']
  /** every API/auth request answered (latest 2000), for tests */
  requests: RequestRecord[]
  webhooks: WebhookSender
  /** A single-use authorization code (what the seller's consent redirect would carry). */
  createAuthCode(): string
  /** Test hook: expire one access token or all of them now. */
  expireAccessToken(token?: string): void
  /** Allow at most n requests per second per API path (null: no limit). */
  setThrottle(perSecond: number | null): void
  /** Answer the next n API calls with HTTP 429 / 36009002. */
  throttleNext(n: number): void
  /** Answer API calls with HTTP 503 / 36009003: on, off, or for the next n calls. */
  setOutage(on: boolean | number): void
  /** Answer each API call this many ms late (0: at once). */
  setLatency(ms: number): void
  setWebhookUrl(url: string | undefined): void
  /** Apply time-driven changes now. */
  tick(): number
  generateOrders(opts: GenerateOptions): SimOrder[]
  snapshot(): SimData
  close(): Promise<void>
}

const TOPIC_BY_TYPE: Record<number, string> = {
  1: 'ORDER_STATUS_CHANGE',
  6: 'SELLER_DEAUTHORIZATION',
  7: 'UPCOMING_AUTHORIZATION_EXPIRATION',
  11: 'CANCELLATION_STATUS_CHANGE',
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const clock = opts.clock ?? systemClock
  const host = opts.host ?? '127.0.0.1'
  let data = opts.data
  if (!data && opts.statePath) {
    try {
      data = JSON.parse(await readFile(opts.statePath, 'utf8')) as SimData
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`simulator state ${opts.statePath} is unreadable: ${(err as Error).message}`)
    }
  }
  const state = new ShopState(clock, { seed: opts.seed, region: opts.region, timings: opts.timings }, data)
  const faults: Faults = {
    perSecond: opts.throttle === undefined ? null : typeof opts.throttle === 'number' ? opts.throttle : opts.throttle.perSecond,
    throttleNext: 0,
    outage: false,
    latencyMs: opts.latencyMs ?? 0,
  }
  const docs: RouteCtx['docs'] = new Map()
  const subscriptions: RouteCtx['subscriptions'] = new Map()
  const requests: RequestRecord[] = []
  let webhookUrl = opts.webhookUrl
  const webhooks = new WebhookSender({
    appKey: opts.appKey,
    appSecret: opts.appSecret,
    shopId: state.data.shop.id,
    clock,
    urlFor: (type) => subscriptions.get(TOPIC_BY_TYPE[type] ?? '')?.address ?? webhookUrl,
    retryDelaysMs: opts.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  })
  const unsubscribe = state.onEvent((e) => webhooks.send(e))
  const deps = {
    appKey: opts.appKey,
    appSecret: opts.appSecret,
    state,
    faults,
    docs,
    subscriptions,
    requests,
    beforeRequest: () => void state.tickIfDue(),
  }
  let baseUrl = ''
  const api: Server = createApiServer(deps, () => baseUrl)
  const auth: Server = createAuthServer(deps)
  const apiPort = await listen(api, opts.port ?? 0, host)
  const authPort = await listen(auth, opts.authPort ?? 0, host).catch(async (err) => {
    api.close()
    throw err
  })
  const urlHost = host.includes(':') ? `[${host}]` : host
  baseUrl = `http://${urlHost}:${apiPort}`
  const authBaseUrl = `http://${urlHost}:${authPort}`

  const tickMs = opts.tickMs ?? (clock === systemClock ? 1000 : false)
  const timer = tickMs ? setInterval(() => state.tick(), tickMs) : undefined
  timer?.unref()

  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve())
      s.closeAllConnections()
    })
  let closed = false

  return {
    baseUrl,
    authBaseUrl,
    state,
    shop: state.data.shop,
    requests,
    webhooks,
    createAuthCode: () => state.createAuthCode(),
    expireAccessToken: (token) => state.expireAccessToken(token),
    setThrottle: (n) => void (faults.perSecond = n),
    throttleNext: (n) => void (faults.throttleNext = n),
    setOutage: (on) => void (faults.outage = on),
    setLatency: (ms) => void (faults.latencyMs = Math.max(0, ms)),
    setWebhookUrl: (url) => void (webhookUrl = url),
    tick: () => state.tick(),
    generateOrders: (g) => generateOrders(state, g),
    snapshot: () => state.snapshot(),
    async close() {
      if (closed) return
      closed = true
      if (timer) clearInterval(timer)
      unsubscribe()
      webhooks.close()
      await Promise.all([close(api), close(auth)])
      if (opts.statePath) {
        // its folder may not be made yet (DATA_DIR with PostgreSQL: no embedded database put it there)
        await mkdir(dirname(opts.statePath), { recursive: true })
        const tmp = `${opts.statePath}.tmp`
        await writeFile(tmp, JSON.stringify(state.snapshot()))
        await rename(tmp, opts.statePath)
      }
    },
  }
}
export { startDemoTraffic, SHORT_SKUS, type DemoTraffic, type DemoOptions } from './demo.js'
