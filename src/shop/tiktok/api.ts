/**
 * The signed transport to the TikTok Shop Open API (202309+): builds the query (app_key, timestamp,
 * shop_cipher where allowed), serialises the body once and signs and sends those exact bytes, puts the
 * access token in `x-tts-access-token`, reads the envelope even on non-2xx answers, and retries what
 * can be retried, with bounds:
 *   - throttled (HTTP 429 / 36009002): wait with exponential back-off and full jitter (Retry-After honoured);
 *   - server trouble (5xx / 36009003 / 36009007), timeouts, network errors: retried only for requests that
 *     are safe to repeat (reads, or writes carrying an idempotency key).
 * What is left becomes an AppError: 'shop_unavailable' for outages, 'shop_error' for refusals
 * (params.platformCode), with params.tokenExpired for an expired access token (the client refreshes).
 */
import { AppError } from '../../shared/errors.js'
import { systemClock, type Clock } from '../../shared/clock.js'
import { silentLogger, type Logger } from '../../shared/logger.js'
import { signRequest } from './sign.js'
import { parseExternalJson } from '../../shared/json.js'

export interface Envelope<T = unknown> {
  code: number
  message: string
  request_id: string
  data: T
}

export interface RetryPolicy {
  /** attempts in all, the first one included */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface TikTokApiOptions {
  appKey: string
  appSecret: string
  /** e.g. https://open-api.tiktokglobalshop.com, or the simulator's http://127.0.0.1:PORT */
  baseUrl: string
  clock?: Clock
  logger?: Logger
  /** per attempt (default 15 s) */
  timeoutMs?: number
  /** for throttling (default 6 attempts, 250 ms … 8 s) */
  throttleRetry?: RetryPolicy
  /** for outages and timeouts (default 3 attempts, 300 ms … 3 s) */
  errorRetry?: RetryPolicy
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
export type QueryValue = string | number | boolean | string[] | undefined | null

export interface ApiRequest {
  method: Method
  path: string
  query?: Record<string, QueryValue>
  /** serialised once as JSON; omitted when undefined */
  body?: unknown
  accessToken: string
  shopCipher?: string | null
  /** safe to repeat after a timeout or a 5xx (reads; writes with an idempotency key) */
  idempotent: boolean
}

export const TOKEN_EXPIRED_CODE = 105002
export const THROTTLED_CODE = 36009002
const RETRYABLE_CODES = new Set([36009003, 36009007])

/** Paths that must never carry `shop_cipher` (reference §1.2). */
export function cipherForbidden(method: Method, path: string): boolean {
  if (path.startsWith('/seller/')) return true
  if (path.startsWith('/authorization/')) return !(method === 'DELETE' && /^\/authorization\/\d+\/shops$/.test(path))
  return false
}

const defaultSleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms))

type Outcome<T> =
  | { kind: 'ok'; data: T }
  | { kind: 'throttled'; retryAfterMs?: number; detail: string }
  | { kind: 'transient'; detail: string }
  | { kind: 'refused'; error: AppError }

export class TikTokApi {
  readonly appKey: string
  private readonly appSecret: string
  private readonly baseUrl: string
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly timeoutMs: number
  private readonly throttleRetry: RetryPolicy
  private readonly errorRetry: RetryPolicy
  private readonly sleep: (ms: number) => Promise<void>
  private readonly random: () => number

  constructor(opts: TikTokApiOptions) {
    this.appKey = opts.appKey
    this.appSecret = opts.appSecret
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.clock = opts.clock ?? systemClock
    this.logger = opts.logger ?? silentLogger
    this.timeoutMs = opts.timeoutMs ?? 15_000
    this.throttleRetry = opts.throttleRetry ?? { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 }
    this.errorRetry = opts.errorRetry ?? { attempts: 3, baseDelayMs: 300, maxDelayMs: 3_000 }
    this.sleep = opts.sleep ?? defaultSleep
    this.random = opts.random ?? Math.random
  }

  /** Sends a signed request; returns `data` of a code-0 envelope or throws an AppError. */
  async call<T>(req: ApiRequest): Promise<T> {
    const bodyText = req.body === undefined ? undefined : JSON.stringify(req.body)
    let throttled = 0
    let failed = 0
    for (;;) {
      const outcome = await this.attempt<T>(req, bodyText)
      if (outcome.kind === 'ok') return outcome.data
      if (outcome.kind === 'refused') throw outcome.error
      if (outcome.kind === 'throttled') {
        throttled++
        if (throttled >= this.throttleRetry.attempts)
          throw unavailable(`TikTok Shop kept throttling ${req.path} (${throttled} tries): ${outcome.detail}`, req, { throttled: true })
        const wait = Math.max(outcome.retryAfterMs ?? 0, this.backoff(this.throttleRetry, throttled))
        this.logger.debug('tiktok throttled, waiting', { path: req.path, waitMs: Math.round(wait) })
        await this.sleep(wait)
        continue
      }
      failed++
      if (!req.idempotent || failed >= this.errorRetry.attempts)
        throw unavailable(`TikTok Shop is not answering ${req.path} (${failed} ${failed === 1 ? 'try' : 'tries'}): ${outcome.detail}`, req)
      const wait = this.backoff(this.errorRetry, failed)
      this.logger.warn('tiktok request failed, retrying', { path: req.path, detail: outcome.detail, waitMs: Math.round(wait) })
      await this.sleep(wait)
    }
  }

  /** Exponential back-off with full jitter: random in [base·2^(n-1)/2, base·2^(n-1)], capped. */
  private backoff(p: RetryPolicy, n: number): number {
    const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (n - 1))
    return ceiling / 2 + (this.random() * ceiling) / 2
  }

  /** The URL and signed query for one attempt (a fresh timestamp each time). */
  buildUrl(req: ApiRequest, bodyText: string | undefined): string {
    const query: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined || v === null) continue
      query[k] = Array.isArray(v) ? v.join(',') : String(v)
    }
    query.app_key = this.appKey
    query.timestamp = String(Math.floor(this.clock.now().getTime() / 1000))
    if (req.shopCipher && !cipherForbidden(req.method, req.path)) query.shop_cipher = req.shopCipher
    else delete query.shop_cipher
    query.sign = signRequest({ appSecret: this.appSecret, path: req.path, query, body: bodyText })
    return `${this.baseUrl}${req.path}?${new URLSearchParams(query).toString()}`
  }

  private async attempt<T>(req: ApiRequest, bodyText: string | undefined): Promise<Outcome<T>> {
    const url = this.buildUrl(req, bodyText)
    let res: Response
    let text: string
    try {
      res = await fetch(url, {
        method: req.method,
        headers: { 'content-type': 'application/json', 'x-tts-access-token': req.accessToken },
        body: bodyText,
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      text = await res.text()
    } catch (err) {
      const e = err as Error
      const detail = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : `network error (${describeNetworkError(e)})`
      return { kind: 'transient', detail }
    }
    let env: Partial<Envelope<T>> | undefined
    try {
      const parsed = parseExternalJson(text)
      if (parsed && typeof parsed === 'object' && 'code' in parsed) env = parsed as Partial<Envelope<T>>
    } catch {
      env = undefined
    }
    const code = env ? Number(env.code) : NaN
    const message = env && typeof env.message === 'string' ? env.message : ''
    const requestId = env && typeof env.request_id === 'string' ? env.request_id : ''
    if (res.status === 429 || code === THROTTLED_CODE) {
      return { kind: 'throttled', retryAfterMs: retryAfterMs(res.headers.get('retry-after')), detail: `HTTP ${res.status}${env ? ` code ${code}` : ''}` }
    }
    if (env && code === 0 && res.ok) return { kind: 'ok', data: (env.data ?? ({} as T)) as T }
    if (res.status >= 500 || RETRYABLE_CODES.has(code)) {
      return { kind: 'transient', detail: `HTTP ${res.status}${env ? ` code ${code}: ${message}` : ''}` }
    }
    if (!env || !Number.isFinite(code)) {
      return {
        kind: 'refused',
        error: new AppError('shop_error', `TikTok Shop answered ${req.path} with HTTP ${res.status} and no API envelope`, {
          httpStatus: res.status,
          path: req.path,
        }),
      }
    }
    const tokenExpired = code === TOKEN_EXPIRED_CODE || (res.status === 401 && /expire/i.test(message) && code !== 106001)
    return {
      kind: 'refused',
      error: new AppError('shop_error', `TikTok Shop refused ${req.path}: ${message || 'no message'} (code ${code})`, {
        platformCode: code,
        httpStatus: res.status,
        requestId,
        path: req.path,
        ...(tokenExpired ? { tokenExpired: true } : {}),
      }),
    }
  }
}

function unavailable(message: string, req: ApiRequest, extra: Record<string, unknown> = {}): AppError {
  return new AppError('shop_unavailable', message, { path: req.path, ...extra })
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined
  const s = Number(h)
  if (Number.isFinite(s)) return Math.min(60_000, Math.max(0, s * 1000))
  const at = Date.parse(h)
  return Number.isFinite(at) ? Math.min(60_000, Math.max(0, at - Date.now())) : undefined
}

function describeNetworkError(e: Error): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? e.message
}

export function isTokenExpired(err: unknown): boolean {
  return err instanceof AppError && err.code === 'shop_error' && err.params.tokenExpired === true
}
