/**
 * Reading a paged platform listing ahead of storing it. A reader fetches the pages one after
 * another, up to `ahead` pages beyond those taken; the sync takes every page read so far and stores
 * them together. When the platform answers slower than we store (the real API: hundreds of
 * milliseconds a page) each take is one page; when it answers faster, takes grow and the cost of a
 * transaction (its reads, stock locks, commit) is shared by several pages.
 */
import type { Page } from './port.js'

export class ReadAhead<T> {
  private readonly pages: Page<T>[] = []
  private done = false
  private stopped = false
  private failure: { error: unknown } | null = null
  private wakeTaker: (() => void) | null = null
  private wakeReader: (() => void) | null = null

  constructor(
    fetchPage: (token: string) => Promise<Page<T>>,
    private readonly ahead: number,
  ) {
    void this.read(fetchPage)
  }

  private async read(fetchPage: (token: string) => Promise<Page<T>>): Promise<void> {
    let token = ''
    try {
      for (;;) {
        while (this.pages.length >= this.ahead && !this.stopped) await new Promise<void>((ok) => (this.wakeReader = ok))
        if (this.stopped) return
        const page = await fetchPage(token)
        this.pages.push(page)
        this.wakeTaker?.()
        if (!page.nextPageToken) return
        token = page.nextPageToken
      }
    } catch (error) {
      this.failure = { error }
    } finally {
      this.done = true
      this.wakeTaker?.()
    }
  }

  /**
   * The pages read and not yet taken (at least one, at most `max`), in order; null when the listing
   * is over. A failed read is thrown once the pages read before it are taken.
   */
  async take(max: number): Promise<Page<T>[] | null> {
    while (!this.pages.length && !this.done) await new Promise<void>((ok) => (this.wakeTaker = ok))
    this.wakeTaker = null
    if (this.pages.length) {
      const out = this.pages.splice(0, Math.max(1, max))
      this.wakeReader?.()
      this.wakeReader = null
      return out
    }
    if (this.failure) throw this.failure.error
    return null
  }

  /** Resolves once `n` pages are read and not taken, or the listing is over, or `orWhen` settles. */
  async ready(n: number, orWhen: Promise<unknown>): Promise<void> {
    let settled = false
    void orWhen.then(
      () => ((settled = true), this.wakeTaker?.()),
      () => ((settled = true), this.wakeTaker?.()),
    )
    await Promise.resolve() // an orWhen already settled counts
    while (this.pages.length < n && !this.done && !settled) await new Promise<void>((ok) => (this.wakeTaker = ok))
    this.wakeTaker = null
  }

  /** Stops reading (the sync stopped): the page being fetched is dropped. */
  stop(): void {
    this.stopped = true
    this.wakeReader?.()
  }
}

/**
 * Pages joined into runs of records to store together, in order: a run never holds one record id
 * twice (a record updated while the listing was read can appear on two pages), and a page that holds
 * an id twice is a run of its own (the page use cases store such a page one record at a time).
 */
export function joinPages<T>(pages: Page<T>[], idOf: (item: T) => string): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  let ids = new Set<string>()
  const flush = () => {
    if (run.length) runs.push(run)
    run = []
    ids = new Set()
  }
  for (const page of pages) {
    const own = page.items.map(idOf)
    const twice = new Set(own).size !== own.length
    if (twice || own.some((id) => ids.has(id))) flush()
    run.push(...page.items)
    for (const id of own) ids.add(id)
    if (twice) flush()
  }
  flush()
  return runs
}
