/**
 * Opaque page tokens with keyset paging: the token holds the sort key of the last item returned
 * and a hash of the filters, so a token used with other filters is refused.
 */
import { createHash } from 'node:crypto'
import { badParam } from './errors.js'

interface Cursor {
  v: number
  id: string
  h: string
}

export const filterHash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('base64url').slice(0, 12)

export function pageSize(raw: string | null, max: number, dflt: number): number {
  if (raw === null || raw === '') return dflt
  if (!/^\d+$/.test(raw)) throw badParam(`page_size must be a whole number from 1 to ${max}`)
  const n = Number(raw)
  if (n < 1 || n > max) throw badParam(`page_size must be from 1 to ${max}`)
  return n
}

const cache = new WeakMap<object, Map<string, { version: number; sorted: unknown[] }>>()

/**
 * One page of `items()` sorted by (key, id) in `order`, starting after the cursor in `token`.
 * The filtered, sorted list is cached per `owner` while `version` and the filters stay the same.
 */
export function page<T>(
  cacheOwner: { version: number },
  items: () => T[],
  key: (t: T) => number,
  id: (t: T) => string,
  order: 'ASC' | 'DESC',
  size: number,
  token: string | null,
  hash: string,
): { items: T[]; next: string; total: number } {
  const dir = order === 'ASC' ? 1 : -1
  const cmp = (av: number, aid: string, bv: number, bid: string) =>
    dir * (av !== bv ? (av < bv ? -1 : 1) : aid.length !== bid.length ? (aid.length < bid.length ? -1 : 1) : aid < bid ? -1 : aid > bid ? 1 : 0)
  let perOwner = cache.get(cacheOwner)
  if (!perOwner) cache.set(cacheOwner, (perOwner = new Map()))
  const ck = `${hash}|${order}`
  const cached = perOwner.get(ck)
  let sorted: T[]
  if (cached && cached.version === cacheOwner.version) sorted = cached.sorted as T[]
  else {
    sorted = items()
      .map((t) => ({ t, v: key(t), id: id(t) }))
      .sort((a, b) => cmp(a.v, a.id, b.v, b.id))
      .map((x) => x.t)
    for (const [k, v] of perOwner) if (v.version !== cacheOwner.version) perOwner.delete(k)
    if (perOwner.size >= 16) perOwner.clear()
    perOwner.set(ck, { version: cacheOwner.version, sorted })
  }
  let start = 0
  if (token) {
    let c: Cursor
    try {
      c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor
      if (typeof c.v !== 'number' || typeof c.id !== 'string') throw new Error()
    } catch {
      throw badParam('page_token is invalid')
    }
    if (c.h !== hash) throw badParam('page_token does not belong to these filters')
    start = sorted.findIndex((t) => cmp(key(t), id(t), c.v, c.id) > 0)
    if (start < 0) start = sorted.length
  }
  const slice = sorted.slice(start, start + size)
  const last = slice[slice.length - 1]
  const more = start + size < sorted.length
  const next = more && last ? Buffer.from(JSON.stringify({ v: key(last), id: id(last), h: hash })).toString('base64url') : ''
  return { items: slice, next, total: sorted.length }
}
