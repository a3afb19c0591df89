/** What a page use case (a page of platform orders or cancellation records in one transaction) reports. */
import { isAppError } from '../shared/errors.js'

export interface PageResult {
  /** new or changed records stored */
  stored: number
  /** repeats and older versions (nothing written) */
  unchanged: number
  /** records refused as malformed or belonging to another shop, with the error */
  rejected: { input: unknown; error: unknown }[]
}

/**
 * A page that holds a record id twice: each record in turn through the one-record use case (inside
 * the page's transaction, so each in a savepoint of its own), malformed ones reported, not thrown.
 */
export async function storeOneByOne(inputs: unknown[], store: (input: unknown) => Promise<{ outcome: string }>): Promise<PageResult> {
  const out: PageResult = { stored: 0, unchanged: 0, rejected: [] }
  for (const input of inputs) {
    try {
      const r = await store(input)
      if (r.outcome === 'inserted' || r.outcome === 'updated') out.stored++
      else out.unchanged++
    } catch (error) {
      if (!isAppError(error, 'bad_input')) throw error
      out.rejected.push({ input, error })
    }
  }
  return out
}
