/** Starting a simulator for a test, with a token, and a signed caller bound to it. */
import { ManualClock } from '../../src/shared/clock.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/shop/simulator/index.js'
import { call, getToken, type CallOpts, type Envelope } from './call.js'

export const APP_KEY = 'sim-test-key'
export const APP_SECRET = 'sim-test-secret-0123'

export interface Harness {
  sim: Simulator
  clock: ManualClock
  token: string
  refreshToken: string
  /** issue a fresh access token (after moving the clock past the old one's expiry) */
  renew(): void
  /** signed call as the shop (shop_cipher, token, timestamp from the simulator's clock) */
  shop<T = any>(method: string, path: string, o?: Partial<CallOpts>): Promise<{ status: number; body: Envelope<T> }>
  /** signed call without shop_cipher */
  seller<T = any>(method: string, path: string, o?: Partial<CallOpts>): Promise<{ status: number; body: Envelope<T> }>
}

export async function startHarness(opts: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000))
  const sim = await startSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, clock, seed: 1, ...opts })
  const t = await getToken(sim.authBaseUrl, APP_KEY, APP_SECRET, sim.createAuthCode())
  if (t.body.code !== 0) throw new Error(`token: ${t.body.message}`)
  let token = t.body.data.access_token as string
  const base = (): CallOpts => ({
    baseUrl: sim.baseUrl,
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    token,
    timestamp: Math.floor(clock.now().getTime() / 1000),
  })
  return {
    sim,
    clock,
    get token() {
      return token
    },
    renew: () => void (token = sim.state.issueTokens().access_token),
    refreshToken: t.body.data.refresh_token,
    shop: (method, path, o = {}) => call(method, path, { ...base(), cipher: sim.shop.cipher, ...o }),
    seller: (method, path, o = {}) => call(method, path, { ...base(), ...o }),
  }
}
