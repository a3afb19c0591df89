/**
 * The page use case for cancellation records (processPlatformCancellationPage, what the pull sync
 * runs) must leave exactly what storing the same records one by one through
 * processPlatformCancellation leaves: cancellation rows and outbox messages. Two shops get the same
 * seeded stream of records (new pending buyer requests with and without the platform's answer-by
 * time, seller and system cancels, accepted, withdrawn in both spellings, complete, a new answer-by
 * time, an unknown status, requests we decided before the platform's record arrived, records for
 * an order we do not hold, repeats, older versions, a page with a cancel_id twice, a malformed
 * record, a record another shop holds), shop A one record at a time, shop B a page at a time, and
 * every stored row is compared.
 */
import { and, asc, eq, inArray, like } from 'drizzle-orm'
import { beforeAll, expect, it } from 'vitest'
import { cancellations, channelShops, channels, outbox } from '../../db/schema.js'
import { ManualClock } from '../../src/shared/clock.js'
import { isAppError } from '../../src/shared/errors.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { PlatformCancellation } from '../../src/shop/port.js'
import { processPlatformCancellationPage } from '../../src/workflow/process-cancellation-page.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seededRandom as rng, seedShop, uniqueId } from '../support/fixtures.js'

const START = Date.parse('2026-11-01T00:00:00Z')
const HOUR = 3_600_000

/** What we decided on a request before the platform's record about it arrived. */
type Decided = 'accepted' | 'rejected' | 'expired' | 'deciding'
/** A page of records, or our own decision on a request (applied to both shops between pages). */
type Step = { kind: 'page'; records: unknown[] } | { kind: 'decide'; cancelId: string; state: Decided }

const P = 'CANCELLATION_REQUEST_'
/** Lives of a cancellation: its platform statuses in turn ('DEADLINE': pending with a new answer-by time; 'decide:…': ours). */
const LIVES: { who: 'BUYER' | 'SELLER' | 'SYSTEM' | ''; steps: string[] }[] = [
  { who: 'BUYER', steps: ['PENDING', 'SUCCESS', 'COMPLETE'] },
  { who: 'BUYER', steps: ['PENDING', 'CANCELLED'] },
  { who: 'BUYER', steps: ['PENDING', 'CANCEL'] },
  { who: 'BUYER', steps: ['PENDING', 'DEADLINE', 'SUCCESS'] },
  { who: 'BUYER', steps: ['PENDING', 'DEADLINE', 'DEADLINE'] },
  { who: 'BUYER', steps: ['PENDING'] },
  { who: '', steps: ['PENDING', 'COMPLETE'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:accepted', 'SUCCESS', 'COMPLETE'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:rejected', 'COMPLETE'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:rejected', 'CANCELLED'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:expired', 'SUCCESS'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:expired', 'DEADLINE', 'COMPLETE'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:deciding', 'SUCCESS'] },
  { who: 'BUYER', steps: ['PENDING', 'decide:deciding', 'CANCEL'] },
  { who: 'SELLER', steps: ['COMPLETE'] },
  { who: 'SELLER', steps: ['PENDING', 'COMPLETE'] },
  { who: 'SYSTEM', steps: ['SUCCESS'] },
  { who: 'SYSTEM', steps: ['PENDING', 'SUCCESS', 'COMPLETE'] },
  { who: 'BUYER', steps: ['SUCCESS'] },
  { who: 'BUYER', steps: ['CANCELLED', 'COMPLETE'] },
  { who: 'BUYER', steps: ['SOMETHING_NEW', 'SUCCESS'] },
]

const orderIdOf = (prefix: string, i: number, held: boolean) => `${prefix}${held ? 'O' : 'X'}${String(i).padStart(4, '0')}`

/**
 * A seeded stream for one shop (ids carry `prefix`, so the two shops hold the same records under
 * different ids, cancel_id and order_id being global keys), and the orders it refers to.
 */
function stream(seed: number, prefix: string, count = 80, pageSize = 8): { orders: string[]; steps: Step[] } {
  const r = rng(seed)
  const events: { at: number; step: { decide: Decided; cancelId: string } | { record: PlatformCancellation } }[] = []
  const orders: string[] = []
  for (let i = 0; i < count; i++) {
    const life = LIVES[Math.floor(r() * LIVES.length)]
    const held = r() < 0.85
    const orderId = orderIdOf(prefix, i, held)
    if (held) orders.push(orderId)
    const cancelId = `${prefix}C${String(i).padStart(4, '0')}`
    const created = START + Math.floor(r() * 4 * 86_400_000)
    const sec = (ms: number) => Math.floor(ms / 1000)
    let deadline: number | null = r() < 0.7 ? sec(created) + 48 * 3600 : null
    const reason = r() < 0.5 ? { cancel_reason: 'seller_reason_a', cancel_reason_text: '' } : { cancel_reason: '', cancel_reason_text: r() < 0.5 ? 'Changed my mind 不想要了' : '' }
    let at = created
    for (const s of life.steps) {
      if (s.startsWith('decide:')) {
        at += 60_000 + Math.floor(r() * 3 * HOUR)
        events.push({ at, step: { decide: s.slice(7) as Decided, cancelId } })
        continue
      }
      if (s === 'DEADLINE') deadline = (deadline ?? sec(created) + 36 * 3600) + 24 * 3600
      const record: PlatformCancellation = {
        cancel_id: cancelId,
        order_id: orderId,
        ...(life.who === 'BUYER' ? { cancel_type: 'BUYER_CANCEL', role: 'BUYER' } : life.who ? { cancel_type: 'CANCEL', role: life.who } : {}),
        cancel_status: `${P}${s === 'DEADLINE' ? 'PENDING' : s}`,
        ...reason,
        create_time: sec(created),
        update_time: sec(at),
        ...(deadline ? { seller_next_action_response: [{ action: r() < 0.5 ? 'SELLER_RESPOND_CANCEL' : 'RESPOND_CANCELLATION', deadline }] } : {}),
      }
      events.push({ at, step: { record } })
      at += 60_000 + Math.floor(r() * 6 * HOUR)
    }
  }
  events.sort((a, b) => a.at - b.at)

  const steps: Step[] = []
  const seen: PlatformCancellation[] = []
  let page: PlatformCancellation[] = []
  // a search page holds a cancel_id once (a page holding one twice is stored one by one: see the end)
  const add = (c: PlatformCancellation) => !page.some((x) => x.cancel_id === c.cancel_id) && page.push(c)
  const flush = () => {
    // repeats and older versions, as an overlapping sync window re-reads them
    if (seen.length > pageSize * 2 && r() < 0.6) add(seen[Math.floor(r() * seen.length)])
    if (r() < 0.3) add(seen[seen.length - 1 - Math.floor(r() * Math.min(seen.length, 5))])
    if (page.length) steps.push({ kind: 'page', records: page })
    page = []
  }
  for (const e of events) {
    if ('decide' in e.step) {
      flush()
      steps.push({ kind: 'decide', cancelId: e.step.cancelId, state: e.step.decide })
      continue
    }
    const { record } = e.step
    if (page.some((x) => x.cancel_id === record.cancel_id)) flush()
    page.push(record)
    seen.push(record)
    if (page.length >= pageSize) flush()
  }
  flush()
  // a page holding one cancel_id twice (a new request, then its acceptance), and a page with a
  // malformed record, a record another shop holds and a new request in it
  const twice: PlatformCancellation = { cancel_id: `${prefix}T1`, order_id: orders[0], cancel_type: 'BUYER_CANCEL', role: 'BUYER', cancel_status: `${P}PENDING`, create_time: START / 1000 + 5 * 86_400, update_time: START / 1000 + 5 * 86_400 }
  steps.push({ kind: 'page', records: [seen[3], twice, { ...twice, cancel_status: `${P}SUCCESS`, update_time: twice.update_time! + 60 }] })
  steps.push({
    kind: 'page',
    records: [
      { cancel_id: `${prefix}M1`, order_id: orders[1], cancel_status: `${P}PENDING` },
      { cancel_id: `${prefix}FOREIGN`, order_id: orders[1], cancel_status: `${P}SUCCESS`, create_time: START / 1000, update_time: START / 1000 + 86_400 * 6 },
      { ...twice, cancel_id: `${prefix}T2`, order_id: orders[2] },
    ],
  })
  return { orders, steps }
}

describeEachDb('a page of cancellation records stores what one record at a time stores', (get, kind) => {
  const clock = new ManualClock('2026-11-08T00:00:00Z')
  const deps = () => ({ db: get().db, clock, logger: silentLogger })
  const shop = { A: '', B: '' }
  const chans = { A: [] as number[], B: [] as number[] }

  beforeAll(async () => {
    const { db } = get()
    for (const k of ['A', 'B'] as const) {
      shop[k] = (await seedShop(db, { name: 'Same name 同名店铺', cancelAnswerHours: 36 })).id
      for (const [locale, timeZone] of [['zh-CN', 'Asia/Shanghai'], ['en', 'America/Los_Angeles']]) {
        const [c] = await db.insert(channels).values({ platform: 'telegram', externalId: uniqueId('-100'), locale, timeZone }).returning()
        chans[k].push(c.id)
        await db.insert(channelShops).values({ channelId: c.id, shopId: shop[k], linkedBy: 'test' })
      }
    }
  })

  /** Our decision on a request, as the accept / reject press, the claim and the expiry job leave it. */
  async function decide(cancelId: string, state: Decided) {
    const { db } = get()
    const now = clock.now()
    const [c] = await db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    const set =
      state === 'accepted'
        ? { state, decision: 'accept', decidedBy: 'telegram:42', decidedByName: 'Ada', decidedAt: now }
        : state === 'rejected'
          ? { state, decision: 'reject', decidedBy: 'telegram:42', decidedByName: 'Ada', decidedAt: now, rejectReason: 'reject_reason_a', rejectComment: 'in stock' }
          : state === 'expired'
            ? { state, decidedBy: 'platform', decidedByName: 'TikTok Shop', decidedAt: c.respondBy }
            : { state, claimedBy: 'telegram:42', claimedAt: now }
    await db.update(cancellations).set({ ...set, updatedAt: now }).where(eq(cancellations.id, cancelId))
  }

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: cancellation rows and messages are the same`, async () => {
      const { db } = get()
      const pa = `A${seed}x`
      const pb = `B${seed}x`
      const a = stream(seed, pa)
      const b = stream(seed, pb)
      expect(a.steps.length).toBe(b.steps.length)
      // the orders the records refer to, for both shops; a third shop holds each shop's FOREIGN record
      for (const [k, s] of [['A', a], ['B', b]] as const) for (const id of s.orders) await processPlatformOrder(deps(), shop[k], platformOrder({ id, at: '2026-10-31T12:00:00Z' }))
      const other = await seedShop(db)
      for (const p of [pa, pb]) await processPlatformCancellation(deps(), other.id, { cancel_id: `${p}FOREIGN`, order_id: `${p}Z1`, cancel_status: `${P}PENDING`, create_time: START / 1000 })

      const one = { stored: 0, unchanged: 0, rejected: 0 }
      const paged = { stored: 0, unchanged: 0, rejected: 0 }
      for (let i = 0; i < a.steps.length; i++) {
        clock.advanceMinutes(5)
        const [sa, sb] = [a.steps[i], b.steps[i]]
        if (sa.kind === 'decide' && sb.kind === 'decide') {
          await decide(sa.cancelId, sa.state)
          await decide(sb.cancelId, sb.state)
          continue
        }
        if (sa.kind !== 'page' || sb.kind !== 'page') throw new Error('the streams differ')
        for (const c of sa.records) {
          try {
            const r = await processPlatformCancellation(deps(), shop.A, c as PlatformCancellation)
            one[r.outcome === 'unchanged' ? 'unchanged' : 'stored']++
          } catch (err) {
            if (!isAppError(err, 'bad_input')) throw err
            one.rejected++
          }
        }
        const r = await processPlatformCancellationPage(deps(), shop.B, sb.records)
        paged.stored += r.stored
        paged.unchanged += r.unchanged
        paged.rejected += r.rejected.length
        for (const x of r.rejected) expect(isAppError(x.error, 'bad_input')).toBe(true)
      }
      expect(one.rejected).toBe(2)
      expect(paged).toEqual(one)

      const [a1, a2] = chans.A
      const [b1, b2] = chans.B
      const norm = (x: unknown) =>
        JSON.parse(
          JSON.stringify(x)
            .replaceAll(pb, pa)
            .replaceAll(`"${shop.B}"`, `"${shop.A}"`)
            .replace(/@(\d+)\b/g, (m, id) => (Number(id) === b1 ? `@${a1}` : Number(id) === b2 ? `@${a2}` : m)),
        )
      const byPrefix = async (k: 'A' | 'B', prefix: string) => {
        const rows = await db.select().from(cancellations).where(and(eq(cancellations.shopId, shop[k]), like(cancellations.id, `${prefix}%`))).orderBy(asc(cancellations.id))
        const msgs = await db
          .select({ channel: outbox.channelId, dedupeKey: outbox.dedupeKey, kind: outbox.kind, refKey: outbox.refKey, payload: outbox.payload, nextAttemptAt: outbox.nextAttemptAt })
          .from(outbox)
          .where(and(inArray(outbox.channelId, chans[k]), like(outbox.dedupeKey, `cancel:${prefix}%`)))
          .orderBy(asc(outbox.dedupeKey))
        return {
          // updated_at: the database's now() when the row was inserted and never updated, else the clock's time
          rows: rows.map(({ createdAt, updatedAt, ...c }) => ({ ...c, updatedAt: updatedAt.getTime() === createdAt.getTime() ? 'insert' : updatedAt })),
          msgs: msgs.map(({ channel, ...m }) => ({ ...m, channel: chans[k].indexOf(channel) })),
        }
      }
      const [gotA, gotB] = [await byPrefix('A', pa), await byPrefix('B', pb)]

      // the stream exercised every branch
      const states = new Set(gotA.rows.map((c) => c.state))
      for (const s of ['pending', 'accepted', 'rejected', 'expired', 'withdrawn', 'completed']) expect(states, s).toContain(s)
      expect(gotA.rows.some((c) => c.state === 'accepted' && c.decidedBy === 'platform')).toBe(true)
      expect(gotA.rows.some((c) => c.state === 'accepted' && c.decidedBy === 'telegram:42')).toBe(true)
      expect(gotA.rows.some((c) => c.orderId.startsWith(`${pa}X`))).toBe(true)
      expect(gotA.rows.some((c) => c.platformStatus === `${P}CANCEL`) && gotA.rows.some((c) => c.platformStatus === `${P}CANCELLED`)).toBe(true)
      for (const key of [':request@', ':closed:accepted@', ':closed:withdrawn@', ':closed:completed@', ':deadline:'])
        expect(gotA.msgs.some((m) => m.dedupeKey.includes(key)), key).toBe(true)
      expect(gotA.msgs.some((m) => m.kind === 'post') && gotA.msgs.some((m) => m.kind === 'edit')).toBe(true)
      expect(gotA.rows.length).toBeGreaterThan(70)

      expect(norm(gotB.rows)).toEqual(norm(gotA.rows))
      expect(norm(gotB.msgs)).toEqual(norm(gotA.msgs))
    }, 120_000)
  }

  // two connections at once: PostgreSQL only (PGlite is one session)
  if (kind === 'postgres')
    it('a new record another writer inserts while the page is stored is judged against its row', async () => {
      const { db, sql } = get()
      const [orderId] = ['R1xO1']
      await processPlatformOrder(deps(), shop.A, platformOrder({ id: orderId }))
      const t = Math.floor(clock.now().getTime() / 1000)
      const pending: PlatformCancellation = { cancel_id: 'R1xC1', order_id: orderId, cancel_type: 'BUYER_CANCEL', role: 'BUYER', cancel_status: `${P}PENDING`, create_time: t, update_time: t }
      const accepted = { ...pending, cancel_status: `${P}SUCCESS`, update_time: t + 60 }
      const other = { ...pending, cancel_id: 'R1xC2' }
      let release!: () => void
      const gate = new Promise<void>((ok) => (release = ok))
      let inserted!: () => void
      const ready = new Promise<void>((ok) => (inserted = ok))
      const writer = db.transaction(async (tx) => {
        await processPlatformCancellation({ ...deps(), db: tx as typeof db }, shop.A, pending)
        inserted()
        await gate
      })
      await ready
      const page = processPlatformCancellationPage(deps(), shop.A, [accepted, other])
      // the page's insert waits for the writer's uncommitted row
      for (let i = 0; i < 250; i++) {
        const [w] = await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
        if (w.n > 0) break
        await new Promise((ok) => setTimeout(ok, 20))
      }
      release()
      await writer
      expect(await page).toEqual({ stored: 2, unchanged: 0, rejected: [] })
      const rows = await db.select().from(cancellations).where(inArray(cancellations.id, ['R1xC1', 'R1xC2'])).orderBy(asc(cancellations.id))
      expect(rows.map((c) => [c.id, c.state, c.decidedBy])).toEqual([
        ['R1xC1', 'accepted', 'platform'],
        ['R1xC2', 'pending', null],
      ])
      const msgs = await db.select({ key: outbox.dedupeKey, kind: outbox.kind }).from(outbox).where(and(inArray(outbox.channelId, chans.A), like(outbox.dedupeKey, 'cancel:R1x%'))).orderBy(asc(outbox.dedupeKey))
      expect(msgs.map((m) => `${m.kind} ${m.key.replace(/@\d+$/, '')}`)).toEqual([
        'edit cancel:R1xC1:closed:accepted',
        'edit cancel:R1xC1:closed:accepted',
        'post cancel:R1xC1:request',
        'post cancel:R1xC1:request',
        'post cancel:R1xC2:request',
        'post cancel:R1xC2:request',
      ])
    }, 30_000)
})
