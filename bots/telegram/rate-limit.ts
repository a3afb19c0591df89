/**
 * Telegram's send limits, kept before the API has to tell us: at most `perChat` messages per
 * `perChatWindowMs` to one group (20 a minute) and `global` per `globalWindowMs` overall (~30/s).
 * `reserve` books a slot at once (safe under concurrency) and says how long to wait for it.
 */
export interface RateLimits {
  perChat: number
  perChatWindowMs: number
  global: number
  globalWindowMs: number
}

export const TELEGRAM_LIMITS: RateLimits = { perChat: 20, perChatWindowMs: 60_000, global: 30, globalWindowMs: 1000 }

export class SendLimiter {
  private perChat = new Map<string, number[]>()
  private global: number[] = []

  constructor(
    readonly limits: RateLimits = TELEGRAM_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Earliest time a message to `chatKey` may go, without booking it. */
  private earliest(chatKey: string | null, t: number): number {
    const { perChat, perChatWindowMs, global, globalWindowMs } = this.limits
    const g = this.global.filter((x) => x > t - globalWindowMs)
    let at = g.length >= global ? g[g.length - global]! + globalWindowMs : t
    if (chatKey !== null) {
      const c = (this.perChat.get(chatKey) ?? []).filter((x) => x > t - perChatWindowMs)
      if (c.length >= perChat) at = Math.max(at, c[c.length - perChat]! + perChatWindowMs)
    }
    return at
  }

  /** How long (ms) a message to the chat would have to wait now. */
  waitFor(chatKey: string | null): number {
    const t = this.now()
    return Math.max(0, this.earliest(chatKey, t) - t)
  }

  /** Books the next free slot for the chat (null: counts only globally); returns the wait in ms. */
  reserve(chatKey: string | null): number {
    const t = this.now()
    const at = this.earliest(chatKey, t)
    this.prune(t)
    this.global.push(at)
    this.global.sort((a, b) => a - b)
    if (chatKey !== null) {
      const c = this.perChat.get(chatKey) ?? []
      c.push(at)
      c.sort((a, b) => a - b)
      this.perChat.set(chatKey, c)
    }
    return Math.max(0, at - t)
  }

  private prune(t: number): void {
    this.global = this.global.filter((x) => x > t - this.limits.globalWindowMs)
    for (const [k, v] of this.perChat) {
      const kept = v.filter((x) => x > t - this.limits.perChatWindowMs)
      if (kept.length) this.perChat.set(k, kept)
      else this.perChat.delete(k)
    }
  }
}
