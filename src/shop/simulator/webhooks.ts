/**
 * Sends the shop's events as signed webhooks (reference §5): JSON envelope
 * `{type, tts_notification_id, shop_id, timestamp, data}`, header `Authorization` =
 * hex(HMAC_SHA256(app_secret, app_key + body)). A reply of 200 (or 401, which TikTok also counts
 * as handled) ends delivery; otherwise it retries on the schedule (TikTok: 2 min, 30 min, 3 h,
 * 12 h — scaled down here, configurable). First attempts go out one at a time, in order.
 */
import { randomInt } from 'node:crypto'
import type { Clock } from '../../shared/clock.js'
import type { SimEvent } from './model.js'
import { webhookSignature } from './signing.js'

/** TikTok's schedule divided by 60: 2 s, 30 s, 3 min, 12 min. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 30_000, 180_000, 720_000]

export interface WebhookDelivery {
  notificationId: string
  type: number
  url: string
  body: string
  signature: string
  attempts: number
  /** HTTP status of each attempt (0 = no answer) */
  statuses: number[]
  state: 'pending' | 'delivered' | 'failed'
}

export interface WebhookSenderOptions {
  appKey: string
  appSecret: string
  shopId: string
  clock: Clock
  /** where each event type goes (undefined: not sent) */
  urlFor: (type: number) => string | undefined
  retryDelaysMs?: number[]
  timeoutMs?: number
}

export class WebhookSender {
  readonly log: WebhookDelivery[] = []
  private chain: Promise<void> = Promise.resolve()
  private timers = new Set<NodeJS.Timeout>()
  private inflight = new Set<Promise<void>>()
  private closed = false

  constructor(private readonly o: WebhookSenderOptions) {}

  send(e: SimEvent): WebhookDelivery | undefined {
    const url = this.o.urlFor(e.type)
    if (!url || this.closed) return undefined
    const notificationId = `7${String(Date.now()).slice(-10)}${String(randomInt(0, 1e8)).padStart(8, '0')}`
    const body = JSON.stringify({
      type: e.type,
      tts_notification_id: notificationId,
      shop_id: this.o.shopId,
      timestamp: Math.floor(this.o.clock.now().getTime() / 1000),
      data: e.data,
    })
    const d: WebhookDelivery = {
      notificationId,
      type: e.type,
      url,
      body,
      signature: webhookSignature(this.o.appKey, this.o.appSecret, body),
      attempts: 0,
      statuses: [],
      state: 'pending',
    }
    this.log.push(d)
    if (this.log.length > 5000) this.log.splice(0, this.log.length - 5000)
    this.chain = this.chain.then(() => this.track(this.attempt(d)))
    return d
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p)
    return p.finally(() => this.inflight.delete(p))
  }

  private async attempt(d: WebhookDelivery): Promise<void> {
    if (this.closed) return
    d.attempts++
    let status = 0
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: d.signature },
        body: d.body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 3_000),
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch {
      status = 0
    }
    d.statuses.push(status)
    if (status === 200 || status === 401) {
      d.state = 'delivered'
      return
    }
    const delays = this.o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    const delay = delays[d.attempts - 1]
    if (delay === undefined || this.closed) {
      d.state = 'failed'
      return
    }
    const t = setTimeout(() => {
      this.timers.delete(t)
      void this.track(this.attempt(d))
    }, delay)
    t.unref()
    this.timers.add(t)
  }

  /** Resolves when every first attempt made so far (and retries in flight) has finished. */
  async flush(): Promise<void> {
    await this.chain
    while (this.inflight.size) await Promise.all([...this.inflight])
  }

  /** Waits until no delivery is pending (retries included) or the time runs out. */
  async settle(timeoutMs = 5_000): Promise<boolean> {
    const end = Date.now() + timeoutMs
    for (;;) {
      await this.flush()
      if (!this.log.some((d) => d.state === 'pending')) return true
      if (Date.now() > end) return false
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}
